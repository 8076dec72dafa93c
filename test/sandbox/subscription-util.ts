// Shared by the sandbox Subscription tests: a real HTTP listener on loopback standing in for a
// Subscription endpoint (every POST recorded, answered with the status the test sets), and a
// bounded wait.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
	headers: IncomingMessage['headers'];
	body: string;
}

export interface Listener {
	endpoint: string;
	/** every request, in order (empty it with `received.length = 0`) */
	received: Received[];
	close(): Promise<void>;
}

/** A listener on 127.0.0.1; `status()` is the answer to each request. */
export async function startListener(status: () => number = () => 200): Promise<Listener> {
	const received: Received[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(status()).end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return {
		endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
		received,
		close: () => new Promise((r) => server.close(() => r())),
	};
}

/** Polls `fn` every 10 ms until it gives a value (at most `tries` times). */
export async function until<T>(
	fn: () => Promise<T | undefined | false> | T | undefined | false,
	what: string,
	tries = 300,
): Promise<T> {
	for (let i = 0; i < tries; i++) {
		const v = await fn();
		if (v !== undefined && v !== false) return v;
		await new Promise((r) => setTimeout(r, 10));
	}
	throw new Error(`timed out waiting for ${what}`);
}
