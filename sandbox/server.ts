// Starts the sandbox: one process, two loopback origins (main and files), every surface.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxApp, type SandboxOptions } from './app';
import { HttpError, readRequest, sendJson } from './http';
import { register as registerOAuth } from './oauth';
import { register as registerFhir } from './surfaces/fhir';
import { register as registerMpp } from './surfaces/mpp';
import { register as registerBulk } from './surfaces/bulk';

export interface Sandbox {
	app: SandboxApp;
	/** main origin, e.g. http://127.0.0.1:4010 */
	url: string;
	/** second origin, e.g. http://127.0.0.1:4011 */
	fileUrl: string;
	close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const host = options.host ?? '127.0.0.1';
	const app = new SandboxApp(options);
	registerOAuth(app);
	// bulk before fhir: its literal `Patient/$export` must win over a `Patient/:id` read route
	registerBulk(app);
	registerFhir(app);
	registerMpp(app);

	const make = (origin: 'main' | 'files'): Server => {
		const server = createServer((raw, res) => {
			readRequest(raw, origin)
				.then((req) => app.handle(req, res))
				.catch((err) => {
					if (res.headersSent) return res.destroy();
					if (err instanceof HttpError) return sendJson(res, err.status, err.body, err.headers);
					sendJson(res, 500, { error: 'server_error' });
				});
		});
		server.keepAliveTimeout = 5000;
		return server;
	};
	const main = make('main');
	const files = make('files');
	await listen(main, host, options.port ?? 0);
	await listen(files, host, options.filePort ?? 0);
	app.mainUrl = `http://${host}:${(main.address() as AddressInfo).port}`;
	app.fileUrl = `http://${host}:${(files.address() as AddressInfo).port}`;

	let closed = false;
	return {
		app,
		url: app.mainUrl,
		fileUrl: app.fileUrl,
		close: async () => {
			if (closed) return;
			closed = true;
			app.closing();
			await Promise.all([close(main), close(files)]);
		},
	};
}

function listen(server: Server, host: string, port: number): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

function close(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}
