// FHIR Bulk Export inside a real n8n 2.41.1 (`npm run bench -- n8n-bulk`; `npm run bench` runs it
// too), binary data in n8n's filesystem mode. One sandbox process per size (BENCH_BULK_SIZES,
// default 100000,1000000 resources in 20 NDJSON files) with `precompressed` on: every file is
// gzip'd once at generation and sent from disk with Content-Encoding gzip, so loopback measures
// the clients, not the server's compression. The export is made before n8n starts; its manifest
// is in the workflow. Compared, interleaved, BENCH_RUNS (3) times per size:
//   (a) FHIR Bulk Export → Download Export Files, output Files (SMART Backend Services credential),
//       triggered through a production webhook; time = the node's executionTime from the run data;
//       CPU = n8n's main process (/proc/<pid>/stat) before/after; peak RSS = VmRSS sampled every 50 ms
//   (b) serial plain-stream baseline (bench/lib/bulk-baseline.ts): fetch (gunzip by fetch) →
//       pipeline → file, in a long-lived process on the Node.js that runs n8n (24); CPU = that
//       process's process.cpuUsage(); (b') the same in this bench process (its own Node.js), the
//       measure of the figures before 2026-12-01 16:40, printed next to it
// then the same at the smallest size with each download paced like a remote server
// (BENCH_BULK_PACED_BPS bytes/s per connection on the wire, default 1 MiB/s).
// Goals: throughput b/a ≥ 1.0 on loopback, ≥ 3 paced; CPU s/GB of (a) ≤ 1.3 × (b)'s; peak RSS of
// n8n within 20% from the smallest to the largest size.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CredentialImport, WorkflowJson } from '../scripts/n8n/runtime';
import { REPO_ROOT } from '../scripts/n8n/paths';
import {
	cpuSeconds,
	deleteExecutions,
	mintToken,
	rssBytes,
	runWebhook,
	sandboxPost,
	startBenchN8n,
	threadCpuDelta,
	threadCpuSeconds,
	startSandboxProcess,
	webhookWorkflow,
	type BenchN8n,
	type SandboxProc,
} from './lib/n8n-env';
import { loadProfiles, printSummary, summarize } from './lib/cpuprofile';
import { median, ratioLine, runsList } from './lib/stats';
import { CLIENT, SCOPES, exportManifest, type Manifest } from './lib/bulk';
import { baselineRun, baselineWorker, type BaselineWorker } from './lib/bulk-baseline';

const SIZES = (process.env.BENCH_BULK_SIZES ?? '100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PACED_BPS = Number(process.env.BENCH_BULK_PACED_BPS ?? 2 ** 20);
const CONCURRENCY = Number(process.env.BENCH_BULK_CONCURRENCY ?? 4);
/** `BENCH_PROFILE=1`: n8n runs with --cpu-prof, the node runs BENCH_PROFILE_RUNS (4) times at the
 * first size (no baseline, no timing table), then the profile's summary is printed */
const PROFILE = process.env.BENCH_PROFILE ?? '';

/** `BENCH_GC=1`: n8n's main-thread garbage collections are logged (bench/lib/gc-observer.cjs) and
 * counted in each run of (a) */
const GC_LOG = process.env.BENCH_GC ? join(mkdtempSync(join(tmpdir(), 'n8n-ehr-gc-')), 'gc') : '';

interface GcCounts {
	/** by kind: count and main-thread pause ms */
	kinds: Record<string, { n: number; ms: number }>;
	/** the largest size of the young generation (new space) at those collections, MiB */
	youngMiB: number;
}

/** n8n's garbage collections that started between two epoch ms. */
function gcBetween(from: number, to: number): GcCounts {
	const out: GcCounts = { kinds: {}, youngMiB: 0 };
	if (!GC_LOG) return out;
	const dir = dirname(GC_LOG);
	for (const f of readdirSync(dir)) {
		for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
			const [t, kind, ms, young] = line.split(' ');
			if (!kind || Number(t) < from || Number(t) > to) continue;
			const k = (out.kinds[kind] ??= { n: 0, ms: 0 });
			k.n++;
			k.ms += Number(ms);
			out.youngMiB = Math.max(out.youngMiB, Number(young) || 0);
		}
	}
	return out;
}

async function main(): Promise<void> {
	const sandboxes: SandboxProc[] = [];
	let env: BenchN8n | undefined;
	let worker: BaselineWorker | undefined;
	try {
		const key = readFileSync(join(REPO_ROOT, 'sandbox/keys/TEST-ONLY-rs384-private.pem'), 'utf8');
		const exports: Array<{ size: number; sb: SandboxProc; manifest: Manifest; token: string }> = [];
		const credentials: CredentialImport[] = [];
		const workflows: WorkflowJson[] = [];
		const httpWorkflows: WorkflowJson[] = [];
		for (const size of SIZES) {
			const sb = await startSandboxProcess({
				patients: Math.max(1, Math.round(size / 10)),
				bulk: {
					resourcesPerFile: Math.ceil(size / 20),
					pollsBeforeDone: 0,
					retryAfterSeconds: 1,
					manifestExtras: true,
					precompressed: true,
				},
			});
			sandboxes.push(sb);
			const t0 = Date.now();
			const { manifest, token } = await exportManifest(sb.url);
			const resources = manifest.output.reduce((a, o) => a + o.count, 0);
			console.log(
				`${size}: sandbox generated and gzip'd ${resources} resources in ${manifest.output.length} files (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
			);
			exports.push({ size, sb, manifest, token });
			const cred = {
				id: `benchBulkCred${exports.length}`.padEnd(16, '0'),
				name: `SMART BS bench ${size}`,
			};
			credentials.push({
				...cred,
				type: 'smartBackendServicesApi',
				data: {
					fhirBaseUrl: `${sb.url}/smart/fhir`,
					tokenUrl: `${sb.url}/smart/auth/token`,
					clientId: CLIENT,
					privateKey: key,
					algorithm: 'RS384',
					keyId: 'sandbox-test-rs384',
					scope: SCOPES.join(' '),
				},
			});
			workflows.push(
				webhookWorkflow(
					`benchBulkWf${exports.length}`.padEnd(16, '0'),
					`Bench: bulk ${size}`,
					`bench-bulk-${size}`,
					[
						{
							name: 'FHIR Bulk Export',
							type: 'n8n-nodes-ehr.fhirBulkExport',
							typeVersion: 1,
							parameters: {
								authentication: 'smartBackendServicesApi',
								operation: 'downloadFiles',
								manifest: JSON.stringify(manifest),
								outputMode: 'files',
								options: { concurrency: CONCURRENCY, acceptGzip: true },
							},
							credentials: { smartBackendServicesApi: cred },
						},
					],
				),
			);
			// (c): what a user builds from n8n's own nodes for the same files: the manifest's
			// output list split into items, n8n's HTTP Request node downloading each (Header Auth
			// with the same token; response format File, which n8n streams into its binary store)
			const header = {
				id: `benchBulkHdr${exports.length}`.padEnd(16, '0'),
				name: `Header bench ${size}`,
			};
			credentials.push({
				...header,
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${token}` },
			});
			httpWorkflows.push(
				webhookWorkflow(
					`benchBulkHttp${exports.length}`.padEnd(16, '0'),
					`Bench: bulk ${size}, HTTP Request`,
					`bench-bulk-http-${size}`,
					[
						{
							name: 'Manifest',
							type: 'n8n-nodes-base.set',
							typeVersion: 3.4,
							parameters: {
								mode: 'raw',
								jsonOutput: JSON.stringify({ output: manifest.output }),
								options: {},
							},
						},
						{
							name: 'Split Out',
							type: 'n8n-nodes-base.splitOut',
							typeVersion: 1,
							parameters: { fieldToSplitOut: 'output', include: 'noOtherFields', options: {} },
						},
						{
							name: 'HTTP Request',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							parameters: {
								url: '={{ $json.url }}',
								authentication: 'genericCredentialType',
								genericAuthType: 'httpHeaderAuth',
								sendHeaders: true,
								headerParameters: {
									parameters: [{ name: 'Accept', value: 'application/fhir+ndjson' }],
								},
								options: { response: { response: { responseFormat: 'file' } } },
							},
							credentials: { httpHeaderAuth: header },
						},
					],
				),
			);
		}
		// n8n's own cost of one webhook execution: the same trigger with a No Operation node
		const noop = webhookWorkflow('benchBulkNoop000', 'Bench: bulk no-op', 'bench-bulk-noop', [
			{ name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		]);
		const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'n8n-ehr-cpuprof-')) : '';
		env = await startBenchN8n({
			credentials,
			workflows: [...workflows, ...httpWorkflows, noop],
			n8n: {
				env: {
					N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
					...(GC_LOG ? { BENCH_GC_LOG: GC_LOG } : {}),
					NODE_OPTIONS: [
						'--max-old-space-size=1536',
						GC_LOG ? `--require ${join(__dirname, 'lib/gc-observer.cjs')}` : '',
						PROFILE ? `--cpu-prof --cpu-prof-dir=${profileDir}` : '',
					]
						.filter(Boolean)
						.join(' '),
				},
			},
		});
		const e = env;
		// (b) on the Node.js that runs n8n, in a long-lived process (like with like); (b') the
		// figure before 2026-12-01 16:40: the same downloads in this bench process (its Node.js)
		worker = await baselineWorker();
		const w = worker;
		const seen: Record<string, Set<string>> = Object.fromEntries(
			[...workflows, ...httpWorkflows, noop].map((w) => [w.id, new Set<string>()]),
		);
		/** n8n's CPU for one execution of Webhook → No Operation (s), measured like (a) */
		const noopRun = async () => {
			const c0 = cpuSeconds(e.pid);
			let cpuRun = NaN;
			const r = await runWebhook(e, noop.id, 'bench-bulk-noop', seen[noop.id], () => {
				cpuRun = cpuSeconds(e.pid) - c0;
			});
			await deleteExecutions(e, [r.executionId]).catch(() => undefined);
			return cpuRun;
		};
		/** one execution of (a) (`http` false) or (c): the node's time, n8n's CPU, its RSS peak */
		const inN8n = async (i: number, http: boolean) => {
			const wf = (http ? httpWorkflows : workflows)[i];
			const node = http ? 'HTTP Request' : 'FHIR Bulk Export';
			let peak = rssBytes(e.pid);
			const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(e.pid))), 50);
			const c0 = cpuSeconds(e.pid);
			const th0 = threadCpuSeconds(e.pid);
			const w0 = Date.now();
			let w1 = NaN;
			let cpuRun = NaN;
			let threads: Record<string, number> = {};
			try {
				// cpuRun: n8n's CPU from the webhook call until the execution is finished and saved;
				// cpu (the figure before 2026-12-01 16:30) also counts n8n answering the bench's REST
				// read of the whole execution afterwards
				const path = `bench-bulk-${http ? 'http-' : ''}${exports[i].size}`;
				const r = await runWebhook(e, wf.id, path, seen[wf.id], () => {
					cpuRun = cpuSeconds(e.pid) - c0;
					threads = threadCpuDelta(th0, threadCpuSeconds(e.pid));
					w1 = Date.now();
				});
				const cpu = cpuSeconds(e.pid) - c0;
				const items = r.nodeJson[node];
				const bytes = http
					? r.nodeBinaryBytes[node]
					: items.reduce((a, x) => a + Number(x.bytes), 0);
				const lines = http ? NaN : items.reduce((a, x) => a + Number(x.lines), 0);
				await deleteExecutions(e, [r.executionId]).catch((err: Error) =>
					console.warn(`  (could not delete execution ${r.executionId}: ${err.message})`),
				);
				const gc = gcBetween(w0, w1);
				return { ms: r.nodeMs[node], cpu, cpuRun, threads, gc, bytes, lines, peak };
			} finally {
				clearInterval(sampler);
			}
		};
		const ours = (i: number) => inN8n(i, false);
		type Row = {
			a: number[];
			b: number[];
			bOld: number[];
			acpu: number[];
			acpuAll: number[];
			bcpu: number[];
			bcpuOld: number[];
			athreads: Array<Record<string, number>>;
			bthreads: Array<Record<string, number>>;
			gc: GcCounts[];
			/** (c) n8n's HTTP Request node: time, CPU, threads */
			c: number[];
			ccpu: number[];
			cthreads: Array<Record<string, number>>;
			cgc: GcCounts[];
			bytes: number;
			peak: number;
		};
		const measure = async (i: number, runs: number): Promise<Row> => {
			const x = exports[i];
			const resources = x.manifest.output.reduce((s, o) => s + o.count, 0);
			const row: Row = {
				a: [],
				b: [],
				bOld: [],
				acpu: [],
				acpuAll: [],
				bcpu: [],
				bcpuOld: [],
				athreads: [],
				bthreads: [],
				gc: [],
				c: [],
				ccpu: [],
				cthreads: [],
				cgc: [],
				bytes: 0,
				peak: 0,
			};
			for (let k = 0; k < runs; k++) {
				const doA = async () => {
					const a = await ours(i);
					if (a.lines !== resources)
						throw new Error(`node wrote ${a.lines} lines, manifest lists ${resources}`);
					row.a.push(a.ms);
					row.acpu.push(a.cpuRun);
					row.acpuAll.push(a.cpu);
					row.athreads.push(a.threads);
					row.gc.push(a.gc);
					row.bytes = a.bytes;
					row.peak = Math.max(row.peak, a.peak);
				};
				const doB = async () => {
					const b = await w.run(x.manifest, x.token);
					row.b.push(b.ms);
					row.bcpu.push(b.cpu);
					row.bthreads.push(b.threads);
					const old = await baselineRun(x.manifest, x.token);
					row.bOld.push(old.ms);
					row.bcpuOld.push(old.cpu);
					for (const n of [b.bytes, old.bytes])
						if (row.bytes && n !== row.bytes)
							throw new Error(`byte counts differ: ${row.bytes} vs ${n}`);
					row.bytes = b.bytes;
				};
				const doC = async () => {
					const c = await inN8n(i, true);
					if (c.bytes !== row.bytes && row.bytes)
						throw new Error(`HTTP Request stored ${c.bytes} bytes, the node ${row.bytes}`);
					row.c.push(c.ms);
					row.ccpu.push(c.cpuRun);
					row.cthreads.push(c.threads);
					row.cgc.push(c.gc);
				};
				// interleaved, each first in turn
				const order = [
					[doA, doB, doC],
					[doB, doC, doA],
					[doC, doA, doB],
				][k % 3];
				for (const step of order) await step();
			}
			return row;
		};
		console.log('warm-up run…');
		await ours(0);
		await inN8n(0, true);
		await w.run(exports[0].manifest, exports[0].token);
		await baselineRun(exports[0].manifest, exports[0].token);
		if (PROFILE) {
			const n = Number(process.env.BENCH_PROFILE_RUNS ?? 4);
			for (let k = 0; k < n; k++) {
				const a = await ours(0);
				console.log(`  profiled run: ${a.ms} ms, n8n CPU ${a.cpuRun.toFixed(2)} s`);
			}
			await env.stop();
			env = undefined;
			console.log(`\nprofile of n8n while the node ran ${n} times (${profileDir}):`);
			printSummary(
				summarize(loadProfiles(profileDir)),
				Number(process.env.BENCH_PROFILE_TOP ?? 40),
			);
			return;
		}
		// n8n idle (its timers), and its fixed cost per webhook execution
		const i0 = cpuSeconds(e.pid);
		await new Promise((res) => setTimeout(res, 3000));
		const idlePerS = (cpuSeconds(e.pid) - i0) / 3;
		await noopRun();
		const noopCpu: number[] = [];
		for (let k = 0; k < Math.max(3, RUNS); k++) noopCpu.push(await noopRun());
		const rows: Array<Row & { size: number }> = [];
		for (let i = 0; i < exports.length; i++)
			rows.push({ size: exports[i].size, ...(await measure(i, RUNS)) });
		await sandboxPost(exports[0].sb, '/_admin/bulk/options', { fileBytesPerSecond: PACED_BPS });
		const paced = { size: exports[0].size, ...(await measure(0, RUNS)) };
		await sandboxPost(exports[0].sb, '/_admin/bulk/options', { fileBytesPerSecond: 0 });

		const gb = (r: Row) => r.bytes / 2 ** 30;
		const show = (label: string, r: Row & { size: number }, goal: number) => {
			const a = median(r.a);
			const b = median(r.b);
			const ca = median(r.acpu) / gb(r);
			const caAll = median(r.acpuAll) / gb(r);
			const cb = median(r.bcpu) / gb(r);
			console.log(
				`${label} ${r.size} resources, ${(r.bytes / 2 ** 20).toFixed(0)} MiB NDJSON: (a) n8n node ${a.toFixed(0)} ms ${runsList(r.a)}, (b) baseline ${b.toFixed(0)} ms ${runsList(r.b)}`,
			);
			console.log(
				`    throughput (a) ${(r.bytes / 2 ** 20 / (a / 1000)).toFixed(0)} MiB/s, (b) ${(r.bytes / 2 ** 20 / (b / 1000)).toFixed(0)} MiB/s; ratio b/a: ${ratioLine(b / a, goal, true)}`,
			);
			console.log(
				`    CPU s/GB: (a) n8n ${ca.toFixed(2)} ${runsList(r.acpu, 2)} s, (b) ${cb.toFixed(2)} ${runsList(r.bcpu, 2)} s; ratio a/b: ${ratioLine(ca / cb, 1.3)}`,
			);
			const bo = median(r.bOld);
			const cbo = median(r.bcpuOld) / gb(r);
			console.log(
				`    old measures: (b') baseline in the bench process (Node.js ${process.version}) ${bo.toFixed(0)} ms ${runsList(r.bOld)}, b'/a ${(bo / a).toFixed(3)}; CPU (b') ${cbo.toFixed(2)} s/GB ${runsList(r.bcpuOld, 2)} s, (a incl. the REST read) ${caAll.toFixed(2)} s/GB, a/b' ${(caAll / cbo).toFixed(3)}`,
			);
			const fixed = median(noopCpu);
			console.log(
				`    without n8n's fixed cost of a webhook execution (${fixed.toFixed(2)} s): (a) ${((median(r.acpu) - fixed) / gb(r)).toFixed(2)} s/GB, a/b ${((median(r.acpu) - fixed) / gb(r) / cb).toFixed(3)}`,
			);
			const c = median(r.c);
			const cc = median(r.ccpu) / gb(r);
			console.log(
				`    (c) n8n's HTTP Request node, File response, same files (all at once, no checks): ${c.toFixed(0)} ms ${runsList(r.c)}, c/a ${(c / a).toFixed(3)}; CPU ${cc.toFixed(2)} s/GB ${runsList(r.ccpu, 2)} s, a/c ${(ca / cc).toFixed(3)}`,
			);
			const byKind = (runs: Array<Record<string, number>>) => {
				const kinds = [...new Set(runs.flatMap((t) => Object.keys(t)))].sort();
				return kinds
					.map((k) => `${k} ${(median(runs.map((t) => t[k] ?? 0)) / gb(r)).toFixed(2)}`)
					.join(', ');
			};
			console.log(`    CPU s/GB by thread, medians: (a) n8n ${byKind(r.athreads)}`);
			console.log(`                                 (b) ${byKind(r.bthreads)}`);
			console.log(`                                 (c) n8n ${byKind(r.cthreads)}`);
			if (GC_LOG) {
				const gcs = (runs: GcCounts[]) =>
					[
						...[...new Set(runs.flatMap((g) => Object.keys(g.kinds)))].sort().map((k) => {
							const n = runs.map((g) => g.kinds[k]?.n ?? 0);
							const ms = median(runs.map((g) => g.kinds[k]?.ms ?? 0));
							return `${k} ${median(n)} [${n.join(', ')}] (${ms.toFixed(0)} ms paused)`;
						}),
						`young generation at the collections up to [${runs.map((g) => g.youngMiB).join(', ')}] MiB`,
					].join(', ');
				console.log(`    n8n's garbage collections per run, medians: (a) ${gcs(r.gc)}`);
				console.log(`                                                (c) ${gcs(r.cgc)}`);
			}
			console.log(`    peak RSS of the n8n process: ${(r.peak / 2 ** 20).toFixed(0)} MiB`);
		};
		console.log(
			`\nreal n8n 2.41.1, filesystem binary data, concurrency ${CONCURRENCY}, pre-compressed files from disk, median of ${RUNS} interleaved runs; (b) on Node.js ${w.version} as n8n`,
		);
		console.log(
			`n8n idle: ${idlePerS.toFixed(3)} CPU s per s; Webhook → No Operation execution: ${median(noopCpu).toFixed(3)} s ${runsList(noopCpu, 3)}`,
		);
		for (const r of rows) show('loopback', r, 1.0);
		show(`paced ${(PACED_BPS / 2 ** 20).toFixed(1)} MiB/s per connection,`, paced, 3.0);
		if (rows.length > 1) {
			const g = rows[rows.length - 1].peak / rows[0].peak - 1;
			console.log(
				`peak RSS ${rows[0].size} → ${rows[rows.length - 1].size}: ${(g * 100).toFixed(1)}% (goal within 20%: ${Math.abs(g) <= 0.2 ? 'met' : 'NOT met'})`,
			);
		}
		console.log(
			`load average (1 min) at the end: ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`,
		);
	} finally {
		if (GC_LOG) rmSync(dirname(GC_LOG), { recursive: true, force: true });
		worker?.close();
		await env?.stop().catch((err) => console.error(err));
		for (const sb of sandboxes) await sb.close();
	}
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
