// A small hostile server for the tests on 127.0.0.1 port 0 (endless bodies, gzip bombs, bodies
// that trickle), which destroys its open connections on close; and an RSS sampler for the
// memory bounds.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Hostile {
	url: string;
	/** open connections right now */
	readonly sockets: Set<Socket>;
	close(): Promise<void>;
}

/** Starts a server whose routes are looked up by the path (without the query string). */
export async function startHostile(routes: Record<string, Route>): Promise<Hostile> {
	const sockets = new Set<Socket>();
	const srv = http.createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		const route = routes[path];
		if (!route) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end('{"error":"not_found"}');
			return;
		}
		route(req, res);
	});
	srv.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
	return {
		url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
		sockets,
		close: async () => {
			for (const s of sockets) s.destroy();
			await new Promise((r) => srv.close(r));
		},
	};
}

/**
 * Writes the chunks `next()` gives (null = end) as fast as the client reads them, and stops when
 * the client goes away.
 */
export function pump(res: http.ServerResponse, next: () => Buffer | null): void {
	const go = () => {
		while (!res.destroyed) {
			const c = next();
			if (c === null) {
				res.end();
				return;
			}
			if (!res.write(c)) {
				res.once('drain', go);
				return;
			}
		}
	};
	res.on('error', () => undefined);
	go();
}

/** `count` times the same chunk, then the end (count Infinity: endless). */
export function repeat(chunk: Buffer, count: number): () => Buffer | null {
	let n = 0;
	return () => (n++ < count ? chunk : null);
}

/** One gzip member holding `text` repeated to `bytes`: concatenated members are one gzip stream. */
export function gzipMember(text: string, bytes: number): Buffer {
	const unit = Buffer.from(text);
	return gzipSync(Buffer.alloc(Math.floor(bytes / unit.length) * unit.length, unit), { level: 9 });
}

/** A full garbage collection, so that what earlier tests of this jest worker left is not counted. */
function collectGarbage(): void {
	v8.setFlagsFromString('--expose-gc');
	(runInNewContext('gc') as () => void)();
}

/** Samples process.memoryUsage().rss every `ms` (after a garbage collection) until stop(); peak in MB. */
export function rssMonitor(ms = 20): { peakMb(): number; stop(): number; growthMb(): number } {
	collectGarbage();
	const start = process.memoryUsage().rss;
	let peak = start;
	const t = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, ms);
	const peakMb = () => Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
	return {
		peakMb,
		/** how far the peak rose above the RSS at the start (what this request held, not the worker's past) */
		growthMb: () => Math.round((Math.max(peak, process.memoryUsage().rss) - start) / 1024 / 1024),
		stop: () => {
			clearInterval(t);
			return peakMb();
		},
	};
}
