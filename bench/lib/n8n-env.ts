// A real n8n 2.41.1 for the benchmarks (bench/n8n-*.ts): the sandbox in a child process, the built
// package installed in n8n as a community package (scripts/n8n/runtime.ts), workflows imported
// from code and published, runs triggered through production webhooks and each node's
// `executionTime` read from the execution's run data over REST (never `n8n execute` stdout, which
// truncates large runs). Holds the machine-wide e2e lock while n8n runs, so a benchmark does not
// measure next to another e2e n8n.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { acquireLock } from '../../scripts/n8n/lock';
import {
	N8n,
	unflatten,
	type CredentialImport,
	type N8nOptions,
	type WorkflowJson,
} from '../../scripts/n8n/runtime';

export interface SandboxProc {
	url: string;
	fileUrl: string;
	child: ChildProcess;
	close(): Promise<void>;
}

/** Starts the sandbox (bench/lib/sandbox-process.ts) in its own process. */
export async function startSandboxProcess(options: Record<string, unknown>): Promise<SandboxProc> {
	const child = spawn(
		process.execPath,
		[require.resolve('tsx/cli'), join(__dirname, 'sandbox-process.ts'), JSON.stringify(options)],
		{ stdio: ['pipe', 'pipe', 'inherit'] },
	);
	const line = await new Promise<string>((resolve, reject) => {
		const rl = createInterface({ input: child.stdout! });
		rl.once('line', (l) => resolve(l));
		child.once('exit', (code) => reject(new Error(`sandbox process exited (${code})`)));
	});
	const { url, fileUrl } = JSON.parse(line) as { url: string; fileUrl: string };
	return {
		url,
		fileUrl,
		child,
		close: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.stdin!.end();
				setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
			}),
	};
}

export async function sandboxPost<T>(sb: { url: string }, path: string, body: unknown): Promise<T> {
	const res = await fetch(sb.url + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (res.status >= 300) throw new Error(`sandbox ${path} → ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

/** A token minted by the sandbox admin API (the same token goes to n8n and to the fetch loops). */
export async function mintToken(
	sb: { url: string },
	surface: string,
	clientId: string,
	scopes: string[],
	patient?: string,
): Promise<{ access_token: string; refresh_token?: string; expires_in: number }> {
	const t = await sandboxPost<Record<string, unknown>>(sb, '/_admin/tokens', {
		surface,
		clientId,
		scopes,
		withRefresh: true,
		lifetimeSeconds: 86400,
		...(patient ? { patient } : {}),
	});
	return {
		access_token: String(t.access_token),
		refresh_token: t.refresh_token as string | undefined,
		expires_in: Number(t.expires_in ?? 86400),
	};
}

export interface BenchN8n {
	n8n: N8n;
	/** pid of n8n's main process (for /proc sampling) */
	pid: number;
	stop(): Promise<void>;
}

/** Waits for the machine-wide e2e lock (one n8n at a time); returns its release function. */
export async function waitForLock(): Promise<() => void> {
	console.log('waiting for the machine-wide e2e lock (one n8n at a time)…');
	const release = await acquireLock('n8n-nodes-ehr-e2e', 60 * 60_000);
	console.log('lock taken');
	return release;
}

/**
 * Prepares n8n (package from dist/), imports, starts, publishes workflows; takes the e2e lock
 * first unless `lock: false` (the caller holds it).
 */
export async function startBenchN8n(opts: {
	credentials: CredentialImport[];
	workflows: WorkflowJson[];
	n8n?: N8nOptions;
	lock?: boolean;
}): Promise<BenchN8n> {
	const release = opts.lock === false ? () => undefined : await waitForLock();
	// the runtime's Node.js options (or the bench's), then BENCH_N8N_NODE_OPTIONS: any further
	// Node.js options for n8n, e.g. V8 heap flags (`--max-semi-space-size=1`)
	const nodeOptions = [
		opts.n8n?.env?.NODE_OPTIONS ?? '--max-old-space-size=1536',
		process.env.BENCH_N8N_NODE_OPTIONS ?? '',
	]
		.filter(Boolean)
		.join(' ');
	const n8n = new N8n({
		...opts.n8n,
		env: {
			// keep n8n's saved executions small in the log and the REST answers quick
			N8N_LOG_LEVEL: 'warn',
			...(opts.n8n?.env ?? {}),
			NODE_OPTIONS: nodeOptions,
		},
	});
	try {
		await n8n.prepare();
		await n8n.importCredentials(opts.credentials);
		await n8n.importWorkflows(opts.workflows);
		await n8n.start();
		for (const w of opts.workflows) await n8n.activate(w.id);
	} catch (e) {
		await n8n.stop().catch(() => undefined);
		release();
		throw e;
	}
	return {
		n8n,
		pid: n8n.main!.pid!,
		stop: async () => {
			try {
				await n8n.stop();
			} finally {
				release();
			}
		},
	};
}

/** Deletes saved executions (and their binary data) through n8n's REST API. */
export async function deleteExecutions(env: BenchN8n, ids: string[]): Promise<void> {
	await env.n8n.rest('POST', '/executions/delete', { ids });
}

interface TaskData {
	executionTime?: number;
	executionStatus?: string;
	error?: { message?: string };
	data?: { main?: Array<Array<unknown> | null> };
}

export interface WebhookRun {
	/** wall time of the webhook call (includes n8n's trigger and response work) */
	wallMs: number;
	executionId: string;
	/** node name → executionTime (ms) from n8n's run data */
	nodeMs: Record<string, number>;
	/** node name → number of items on its first output */
	nodeItems: Record<string, number>;
	/** node name → the `json` of the items on its first output */
	nodeJson: Record<string, Array<Record<string, unknown>>>;
	/** node name → the bytes of the binary data of the items on its first output */
	nodeBinaryBytes: Record<string, number>;
}

/**
 * Calls the production webhook `path` of an active workflow (its Webhook node answers when the
 * last node finished), then reads the new execution over REST.
 */
export async function runWebhook(
	env: BenchN8n,
	workflowId: string,
	path: string,
	seen: Set<string>,
	/** called once the new execution is seen finished, before its run data is read over REST */
	onFinished?: () => void,
): Promise<WebhookRun> {
	const t0 = process.hrtime.bigint();
	const r = await env.n8n.webhook(path, undefined, 'GET');
	const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
	if (r.status !== 200) throw new Error(`webhook ${path} → ${r.status} ${r.text.slice(0, 500)}`);
	// the new execution once it is saved and finished (earlier ones may have been deleted)
	const deadline = Date.now() + 120_000;
	let fresh: Array<{ id: string; status: string }> = [];
	for (;;) {
		fresh = (await env.n8n.executions(workflowId)).filter((x) => !seen.has(x.id));
		// n8n's list can show a running row next to the saved one of the same execution
		const finished = new Set(
			fresh.filter((x) => !['new', 'running'].includes(x.status)).map((x) => x.id),
		);
		const done = fresh.length > 0 && fresh.every((x) => finished.has(x.id));
		if (done || Date.now() > deadline) break;
		await new Promise((res) => setTimeout(res, 200));
	}
	const ids = [...new Set(fresh.map((x) => x.id))];
	if (ids.length !== 1)
		throw new Error(`expected one new execution of ${workflowId}, found ${ids.length}`);
	const id = ids[0];
	seen.add(id);
	onFinished?.();
	const e = await env.n8n.rest<{ data: string | unknown; status: string }>(
		'GET',
		`/executions/${id}`,
	);
	if (e.status !== 'success') throw new Error(`execution ${id} of ${workflowId}: ${e.status}`);
	const data = (
		typeof e.data === 'string' ? unflatten(JSON.parse(e.data) as unknown[]) : e.data
	) as {
		resultData: { runData: Record<string, TaskData[]> };
	};
	const nodeMs: Record<string, number> = {};
	const nodeItems: Record<string, number> = {};
	const nodeJson: Record<string, Array<Record<string, unknown>>> = {};
	const nodeBinaryBytes: Record<string, number> = {};
	for (const [name, runs] of Object.entries(data.resultData.runData)) {
		const t = runs[runs.length - 1];
		if (t.error) throw new Error(`node ${name} failed: ${t.error.message}`);
		nodeMs[name] = t.executionTime ?? NaN;
		const items = (t.data?.main?.[0] ?? []) as Array<{
			json: Record<string, unknown>;
			binary?: Record<string, { bytes?: number }>;
		}>;
		nodeItems[name] = items.length;
		nodeJson[name] = items.map((i) => i.json);
		nodeBinaryBytes[name] = items.reduce(
			(a, i) => a + Object.values(i.binary ?? {}).reduce((b, d) => b + Number(d.bytes ?? 0), 0),
			0,
		);
	}
	return { wallMs, executionId: id, nodeMs, nodeItems, nodeJson, nodeBinaryBytes };
}

export { cpuSeconds, rssBytes, threadCpuDelta, threadCpuSeconds } from './proc';

let hookSeq = 0;
/** A published workflow: Webhook (GET `path`, answers when the last node finished) → nodes in a chain. */
export function webhookWorkflow(
	id: string,
	name: string,
	path: string,
	chain: Array<Record<string, unknown> & { name: string; type: string }>,
): WorkflowJson {
	hookSeq++;
	const hook = {
		id: `${id}-hook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `6f1d2a53-0c39-4d55-9a55-${String(hookSeq).padStart(12, '0')}`,
		parameters: {
			httpMethod: 'GET',
			path,
			responseMode: 'lastNode',
			responseData: 'noData',
			options: {},
		},
	};
	const nodes = [
		hook,
		...chain.map((n, i) => ({ id: `${id}-n${i}`, position: [220 * (i + 1), 0], ...n })),
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++)
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' } } as WorkflowJson;
}
