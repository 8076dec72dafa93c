// Benchmark: FHIR Bulk Export node (files mode, binary data on disk like n8n's filesystem mode)
// against a serial plain-Node-streams baseline, on the same manifest served by the sandbox.
//
//   npx tsx bench/bulk-export.ts [--sizes 100000,1000000] [--concurrency 4]
//
// For each size: a sandbox child process serves an export of about that many resources (several
// NDJSON files, gzip on the wire); the parent kicks it off and waits for the manifest; then two
// fresh child processes download the same manifest's files to disk:
//   (a) the node's real execute (operation Download Export Files, output Files) through the
//       harness, with the real SMART Backend Services credential — parallel downloads, NDJSON
//       checks, binary data streamed to disk;
//   (b) a baseline: plain node:http + zlib + fs streams, one file at a time.
// Printed: wall time of each, throughput ratio a/b (b time / a time), peak RSS of (a).
// Goals: ratio ≥ 1.0, peak RSS of (a) < 300 MB and within 20% between 100k and 1M.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { startSandbox } from '../sandbox/server';
import { CLIENT, exportManifest, type Manifest } from './lib/bulk';
import { runNode } from '../test/harness';
import type { FhirBulkExport as FhirBulkExportType } from '../nodes/FhirBulkExport/FhirBulkExport.node';

// tsx would resolve a `.node` specifier as a native addon: name the .ts file explicitly
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FhirBulkExport } = require(
	path.join(__dirname, '../nodes/FhirBulkExport/FhirBulkExport.node.ts'),
) as { FhirBulkExport: typeof FhirBulkExportType };

const ROOT = path.resolve(__dirname, '..');
const KEY = path.join(ROOT, 'sandbox/keys/TEST-ONLY-rs384-private.pem');

function arg(name: string, dflt: string): string {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

// ---------------------------------------------------------------- child: the sandbox
async function roleSandbox(): Promise<void> {
	const resources = Number(arg('resources', '100000'));
	const sb = await startSandbox({
		host: '127.0.0.1',
		port: 0,
		filePort: 0,
		patients: Math.max(1, Math.round(resources / 10)),
		bulk: {
			resourcesPerFile: Math.ceil(resources / 20),
			pollsBeforeDone: 0,
			retryAfterSeconds: 1,
			manifestExtras: true,
			fileBytesPerSecond: Number(arg('rate', '0')),
		},
	});
	process.stdout.write(`${JSON.stringify({ url: sb.url, fileUrl: sb.fileUrl })}\n`);
	process.on('SIGTERM', () => void sb.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------- child: (a) the node
async function roleNode(): Promise<void> {
	const manifest = fs.readFileSync(arg('manifest', ''), 'utf8');
	const base = arg('base', '');
	const t0 = process.hrtime.bigint();
	let peak = 0;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
	const res = await runNode(FhirBulkExport, {
		parameters: {
			authentication: 'smartBackendServicesApi',
			operation: 'downloadFiles',
			manifest,
			outputMode: 'files',
			options: {
				concurrency: Number(arg('concurrency', '4')),
				acceptGzip: arg('gzip', 'on') === 'on',
			},
		},
		credentials: {
			smartBackendServicesApi: {
				fhirBaseUrl: `${base}/smart/fhir`,
				tokenUrl: `${base}/smart/auth/token`,
				clientId: CLIENT,
				privateKey: fs.readFileSync(KEY, 'utf8'),
				keyId: 'sandbox-test-rs384',
				algorithm: 'RS384',
			},
		},
	});
	const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
	clearInterval(sampler);
	const items = res.output[0];
	const bytes = items.reduce((a, i) => a + Number(i.json.bytes), 0);
	const lines = items.reduce((a, i) => a + Number(i.json.lines), 0);
	const maxRssKb = process.resourceUsage().maxRSS;
	process.stdout.write(
		`${JSON.stringify({ wallMs, bytes, lines, files: items.length, peakRssMb: Math.max(peak, maxRssKb * 1024) / 2 ** 20 })}\n`,
	);
	// binary data files are removed by the harness at exit
}

// ---------------------------------------------------------------- child: (b) the baseline
async function roleBaseline(): Promise<void> {
	const manifest = JSON.parse(fs.readFileSync(arg('manifest', ''), 'utf8')) as Manifest;
	const token = arg('token', '');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bulk-baseline-'));
	const agent = new http.Agent({ keepAlive: true });
	const t0 = process.hrtime.bigint();
	let bytes = 0;
	try {
		for (const [i, f] of manifest.output.entries()) {
			await new Promise<void>((resolve, reject) => {
				const req = http.get(
					f.url,
					{
						agent,
						headers: {
							Accept: 'application/fhir+ndjson',
							'Accept-Encoding': arg('gzip', 'on') === 'on' ? 'gzip' : 'identity',
							...(manifest.requiresAccessToken ? { Authorization: `Bearer ${token}` } : {}),
						},
					},
					(res) => {
						if (res.statusCode !== 200)
							return reject(new Error(`baseline: ${f.url} → ${res.statusCode}`));
						const target = path.join(dir, `${i}.ndjson`);
						const src = /gzip/.test(String(res.headers['content-encoding'] ?? ''))
							? res.pipe(createGunzip())
							: res;
						pipeline(src, fs.createWriteStream(target))
							.then(() => {
								bytes += fs.statSync(target).size;
								resolve();
							})
							.catch(reject);
					},
				);
				req.on('error', reject);
			});
		}
		const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
		process.stdout.write(
			`${JSON.stringify({ wallMs, bytes, peakRssMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20 })}\n`,
		);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
		agent.destroy();
	}
}

// ---------------------------------------------------------------- parent
const tsxCli = require.resolve('tsx/cli');

function child(role: string, args: string[]): ChildProcess {
	return spawn(process.execPath, [tsxCli, __filename, '--role', role, ...args], {
		stdio: ['ignore', 'pipe', 'inherit'],
		cwd: ROOT,
	});
}

function firstLine(cp: ChildProcess): Promise<string> {
	return new Promise((resolve, reject) => {
		let buf = '';
		cp.stdout!.on('data', (d: Buffer) => {
			buf += d.toString();
			const nl = buf.indexOf('\n');
			if (nl >= 0) resolve(buf.slice(0, nl));
		});
		cp.on('exit', (code) =>
			reject(new Error(`${cp.spawnargs.slice(-4).join(' ')} exited with ${code} before answering`)),
		);
	});
}

async function runChild<T>(role: string, args: string[]): Promise<T> {
	const cp = child(role, args);
	const line = await firstLine(cp);
	await new Promise((r) => cp.on('exit', r));
	return JSON.parse(line) as T;
}

interface NodeResult {
	wallMs: number;
	bytes: number;
	lines: number;
	files: number;
	peakRssMb: number;
}

async function measure(
	size: number,
	concurrency: number,
	rate = 0,
): Promise<NodeResult & { baselineMs: number; resources: number; mb: number }> {
	const sandbox = child('sandbox', ['--resources', String(size), '--rate', String(rate)]);
	try {
		const { url } = JSON.parse(await firstLine(sandbox)) as { url: string };
		const { manifest, token, generationMs } = await exportManifest(url);
		const resources = manifest.output.reduce((a, o) => a + o.count, 0);
		const file = path.join(os.tmpdir(), `bench-bulk-manifest-${process.pid}-${size}.json`);
		fs.writeFileSync(file, JSON.stringify(manifest));
		console.log(
			`  ${size}: sandbox generated ${resources} resources in ${manifest.output.length} files (${(generationMs / 1000).toFixed(1)} s)`,
		);
		const gz = ['--gzip', arg('gzip', 'on')];
		const a = await runChild<NodeResult>('node', [
			'--manifest',
			file,
			'--base',
			url,
			'--concurrency',
			String(concurrency),
			...gz,
		]);
		const b = await runChild<{ wallMs: number; bytes: number }>('baseline', [
			'--manifest',
			file,
			'--token',
			token,
			...gz,
		]);
		fs.rmSync(file, { force: true });
		if (a.bytes !== b.bytes)
			throw new Error(`byte counts differ: node ${a.bytes}, baseline ${b.bytes}`);
		if (a.lines !== resources)
			throw new Error(`node wrote ${a.lines} lines, manifest lists ${resources}`);
		return { ...a, baselineMs: b.wallMs, resources, mb: a.bytes / 2 ** 20 };
	} finally {
		sandbox.kill('SIGTERM');
		await new Promise((r) => sandbox.on('exit', r));
	}
}

async function main(): Promise<void> {
	const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
	const concurrency = Number(arg('concurrency', '4'));
	// a second scenario: a remote server whose every connection is limited (MB/s per download)
	const wanMbps = Number(arg('wan-mbps', '16'));
	const wanSize = Number(arg('wan-size', '100000'));
	console.log(
		`FHIR Bulk Export benchmark: sizes ${sizes.join(', ')}, concurrency ${concurrency}, gzip ${arg('gzip', 'on')} (both sides)`,
	);
	const rows: Array<Awaited<ReturnType<typeof measure>> & { size: number }> = [];
	for (const size of sizes) rows.push({ size, ...(await measure(size, concurrency)) });
	let wan: (Awaited<ReturnType<typeof measure>> & { size: number }) | undefined;
	if (wanMbps > 0 && wanSize > 0)
		wan = { size: wanSize, ...(await measure(wanSize, concurrency, wanMbps * 2 ** 20)) };
	console.log('');
	console.log(
		'size       resources   MB NDJSON  (a) node s  (b) baseline s  ratio a/b  (a) MB/s  (a) peak RSS MB',
	);
	for (const r of rows) {
		const ratio = r.baselineMs / r.wallMs;
		console.log(
			`${String(r.size).padEnd(10)} ${String(r.resources).padEnd(11)} ${r.mb.toFixed(0).padEnd(10)} ${(r.wallMs / 1000).toFixed(2).padEnd(11)} ${(r.baselineMs / 1000).toFixed(2).padEnd(15)} ${ratio.toFixed(2).padEnd(10)} ${(r.mb / (r.wallMs / 1000)).toFixed(0).padEnd(9)} ${r.peakRssMb.toFixed(0)}`,
		);
	}
	if (wan) {
		const r = wan;
		console.log(
			`${`${r.size}*`.padEnd(10)} ${String(r.resources).padEnd(11)} ${r.mb.toFixed(0).padEnd(10)} ${(r.wallMs / 1000).toFixed(2).padEnd(11)} ${(r.baselineMs / 1000).toFixed(2).padEnd(15)} ${(r.baselineMs / r.wallMs).toFixed(2).padEnd(10)} ${(r.mb / (r.wallMs / 1000)).toFixed(0).padEnd(9)} ${r.peakRssMb.toFixed(0)}`,
		);
		console.log(
			`  * the sandbox limits every file download to ${wanMbps} MB/s, like a remote server (loopback rows above are CPU-bound on this machine)`,
		);
	}
	const big = rows[rows.length - 1];
	const small = rows[0];
	const ratio = big.baselineMs / big.wallMs;
	console.log('');
	console.log(
		`throughput ratio a/b at ${big.size}: ${ratio.toFixed(2)} (goal ≥ 1.0) ${ratio >= 1 ? 'OK' : 'MISSED'}`,
	);
	console.log(
		`peak RSS of (a): ${rows.map((r) => `${r.size}: ${r.peakRssMb.toFixed(0)} MB`).join(', ')} (goal < 300 MB) ${rows.every((r) => r.peakRssMb < 300) ? 'OK' : 'MISSED'}`,
	);
	if (rows.length > 1) {
		const growth = big.peakRssMb / small.peakRssMb - 1;
		console.log(
			`peak RSS growth ${small.size} → ${big.size}: ${(growth * 100).toFixed(1)}% (goal within 20%) ${Math.abs(growth) <= 0.2 ? 'OK' : 'MISSED'}`,
		);
	}
}

const role = arg('role', 'parent');
const run =
	role === 'sandbox'
		? roleSandbox
		: role === 'node'
			? roleNode
			: role === 'baseline'
				? roleBaseline
				: main;
run().catch((e: unknown) => {
	console.error(e);
	process.exit(1);
});
