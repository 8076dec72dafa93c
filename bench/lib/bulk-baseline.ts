// The serial plain-stream baseline of bench/n8n-bulk.ts: every file of a manifest one after the
// other, fetch (gunzip by fetch) → pipeline → file, then the file removed. `baselineRun` runs it
// in the calling process; run as a script (`baselineWorker` starts it), it answers one JSON line
// {ms, cpu, bytes} per JSON line {manifest, token} on stdin, so that the baseline can run in a
// long-lived process on the same Node.js as n8n (like with like: zlib, streams, fs and the GC
// differ between Node.js versions) and stay JIT-warm between runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { node24Bin } from '../../scripts/n8n/paths';
import type { Manifest } from './bulk';
import { threadCpuDelta, threadCpuSeconds } from './proc';

export interface BaselineResult {
	/** wall ms of the downloads */
	ms: number;
	/** CPU seconds (user + system, all threads) of this process during them */
	cpu: number;
	/** NDJSON bytes written */
	bytes: number;
	/** CPU seconds by kind of thread (threadCpuSeconds) */
	threads: Record<string, number>;
}

export async function baselineRun(manifest: Manifest, token: string): Promise<BaselineResult> {
	const dir = mkdtempSync(join(os.tmpdir(), 'bench-n8n-bulk-baseline-'));
	const th0 = threadCpuSeconds('self');
	const c0 = process.cpuUsage();
	const t0 = process.hrtime.bigint();
	let bytes = 0;
	try {
		for (const [i, f] of manifest.output.entries()) {
			const res = await fetch(f.url, {
				headers: {
					Accept: 'application/fhir+ndjson',
					...(manifest.requiresAccessToken ? { Authorization: `Bearer ${token}` } : {}),
				},
			});
			if (res.status !== 200 || !res.body) throw new Error(`baseline: ${f.url} → ${res.status}`);
			const target = join(dir, `${i}.ndjson`);
			await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(target));
			bytes += statSync(target).size;
		}
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		const c = process.cpuUsage(c0);
		const threads = threadCpuDelta(th0, threadCpuSeconds('self'));
		return { ms, cpu: (c.user + c.system) / 1e6, bytes, threads };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export interface BaselineWorker {
	/** `process.version` of the worker */
	version: string;
	run(manifest: Manifest, token: string): Promise<BaselineResult>;
	close(): void;
}

/** Starts this file as a worker on the Node.js that runs n8n (scripts/n8n/paths.ts node24Bin). */
export async function baselineWorker(): Promise<BaselineWorker> {
	const child: ChildProcess = spawn(node24Bin(), [require.resolve('tsx/cli'), __filename], {
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
	const next = async (): Promise<string> => {
		const r = await lines.next();
		if (r.done) throw new Error('the baseline worker exited');
		return r.value as string;
	};
	const version = (JSON.parse(await next()) as { version: string }).version;
	let queue = Promise.resolve() as Promise<unknown>;
	return {
		version,
		run: (manifest, token) => {
			const p = queue.then(async () => {
				child.stdin!.write(`${JSON.stringify({ manifest, token })}\n`);
				const r = JSON.parse(await next()) as BaselineResult & { error?: string };
				if (r.error) throw new Error(r.error);
				return r;
			});
			queue = p.catch(() => undefined);
			return p;
		},
		close: () => child.stdin!.end(),
	};
}

if (require.main === module) {
	process.stdout.write(`${JSON.stringify({ version: process.version })}\n`);
	const rl = createInterface({ input: process.stdin });
	let chain = Promise.resolve();
	rl.on('line', (line) => {
		chain = chain.then(async () => {
			const { manifest, token } = JSON.parse(line) as { manifest: Manifest; token: string };
			const out = await baselineRun(manifest, token).catch((e: Error) => ({ error: e.message }));
			process.stdout.write(`${JSON.stringify(out)}\n`);
		});
	});
	rl.on('close', () => void chain.then(() => process.exit(0)));
}
