// A real n8n process for the demo and the e2e tests: throwaway user folder, offline settings,
// the package installed as a community package, owner account and login through the REST API,
// credential/workflow import through the CLI, workflow runs by id (`n8n execute --id`), workflow
// activation through the REST API, production webhooks, and a stop that leaves nothing running.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntime } from './install';
import { log } from './log';
import { installPackageInto, packPackage } from './package';
import { n8nBin, n8nDir, node24Bin } from './paths';
import { run, startDaemon, stopProcess, tail } from './proc';

export const OWNER = {
	email: 'demo@n8n-nodes-ehr.test',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Demo-Passw0rd!',
};

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	/** plaintext; n8n encrypts it on import */
	data: Record<string, unknown>;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters?: Record<string, unknown>;
		[k: string]: unknown;
	}>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[k: string]: unknown;
}

export interface N8nOptions {
	/** 0 or undefined = a free port */
	port?: number;
	/** default: a new temporary folder, removed on stop */
	userFolder?: string;
	keepUserFolder?: boolean;
	encryptionKey?: string;
	/** extra environment (queue mode, PostgreSQL…) for every n8n process */
	env?: Record<string, string>;
	/** install the packed package into the user folder (default true) */
	installPackage?: boolean;
	/** timeout for /healthz after start (default 180 s) */
	startTimeoutMs?: number;
}

/** One node's output in a run: the `json` of every item of its first output (or all outputs). */
export interface NodeRun {
	items: Array<Record<string, unknown>>;
	outputs: Array<Array<Record<string, unknown>>>;
	error?: { message: string; description?: string; httpCode?: string };
	executionStatus?: string;
}

export interface RunOutput {
	status: string;
	finished: boolean;
	lastNodeExecuted?: string;
	error?: { message: string; description?: string; node?: string };
	nodes: Record<string, NodeRun>;
	raw: unknown;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

export class N8n {
	readonly userFolder: string;
	readonly encryptionKey: string;
	port = 0;
	baseUrl = '';
	main?: ChildProcess;
	workers: ChildProcess[] = [];
	private cookie = '';
	private readonly browserId = `n8n-nodes-ehr-${randomBytes(6).toString('hex')}`;
	private readonly ownsFolder: boolean;

	constructor(readonly options: N8nOptions = {}) {
		this.ownsFolder = !options.userFolder;
		this.userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), 'n8n-ehr-run-'));
		mkdirSync(this.userFolder, { recursive: true });
		this.encryptionKey = options.encryptionKey ?? randomBytes(24).toString('hex');
	}

	get logFile(): string {
		return join(this.userFolder, 'n8n-main.log');
	}

	/** Installs the runtime if needed and the package into the user folder. */
	async prepare(): Promise<void> {
		await ensureRuntime();
		if (this.options.installPackage !== false) {
			await installPackageInto(this.userFolder, await packPackage());
		}
		if (!this.port) this.port = this.options.port || (await freePort());
		this.baseUrl = `http://127.0.0.1:${this.port}`;
	}

	/** Environment every n8n process of this instance gets. */
	async env(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
		const e: NodeJS.ProcessEnv = {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			LANG: process.env.LANG ?? 'C.UTF-8',
			TZ: 'UTC',
			GENERIC_TIMEZONE: 'UTC',
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			// n8n reads WEBHOOK_URL (not N8N_WEBHOOK_URL) for the URLs it gives webhooks and triggers
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_EDITOR_BASE_URL: `${this.baseUrl}/`,
			N8N_SECURE_COOKIE: 'false',
			// offline: nothing calls home
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
			N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false', // would fetch the verified list from api.n8n.io
			// its refresh task fetches the MCP server list from api.n8n.io at start and every 8 h
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_RUNNERS_TASK_TIMEOUT: '300',
			N8N_REINSTALL_MISSING_PACKAGES: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
			N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
			N8N_PROXY_HOPS: '0',
			NO_COLOR: '1',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			// keep runs for inspection through the REST API
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
			// every process gets its own task-broker port (several n8n may run on one machine)
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_RUNNERS_MODE: 'internal',
			DB_SQLITE_POOL_SIZE: '2',
			NODE_OPTIONS: '--max-old-space-size=1536',
			...(this.options.env ?? {}),
			...extra,
		};
		return e;
	}

	/** Runs an n8n CLI command (Node 24) to completion. */
	async cli(args: string[], timeoutMs = 180_000, extraEnv: Record<string, string> = {}) {
		return run(node24Bin(), [n8nBin(), ...args], {
			cwd: this.userFolder,
			env: await this.env(extraEnv),
			timeoutMs,
		});
	}

	async importCredentials(creds: CredentialImport[]): Promise<void> {
		if (!creds.length) return;
		const file = join(this.userFolder, `credentials-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(creds, null, 2));
		const r = await this.cli(['import:credentials', `--input=${file}`]);
		rmSync(file, { force: true });
		if (r.code !== 0) throw new Error(`import:credentials failed:\n${tail(r.stdout + r.stderr)}`);
	}

	async importWorkflows(workflows: WorkflowJson[]): Promise<void> {
		if (!workflows.length) return;
		const file = join(this.userFolder, `workflows-${Date.now()}.json`);
		writeFileSync(
			file,
			JSON.stringify(
				workflows.map((w) => ({ active: false, settings: {}, ...w })),
				null,
				2,
			),
		);
		const r = await this.cli(['import:workflow', `--input=${file}`]);
		rmSync(file, { force: true });
		if (r.code !== 0) throw new Error(`import:workflow failed:\n${tail(r.stdout + r.stderr)}`);
	}

	/** Starts the main process, waits for /healthz, sets up the owner account and logs in. */
	async start(): Promise<void> {
		if (!this.baseUrl) await this.prepare();
		log(`starting n8n on ${this.baseUrl} (user folder ${this.userFolder})`);
		this.main = startDaemon(node24Bin(), [n8nBin(), 'start'], {
			cwd: this.userFolder,
			env: await this.env(),
			logFile: this.logFile,
		});
		await this.waitHealthy(this.main, this.options.startTimeoutMs ?? 180_000);
		await this.setupOwnerAndLogin();
	}

	/** Starts an `n8n worker` (queue mode); it shares the main process's database and Redis. */
	async startWorker(): Promise<ChildProcess> {
		const i = this.workers.length + 1;
		const logFile = join(this.userFolder, `n8n-worker-${i}.log`);
		const w = startDaemon(node24Bin(), [n8nBin(), 'worker', '--concurrency=2'], {
			cwd: this.userFolder,
			env: await this.env({ QUEUE_HEALTH_CHECK_ACTIVE: 'false' }),
			logFile,
		});
		this.workers.push(w);
		// a worker is ready when it says so in its log
		const deadline = Date.now() + 180_000;
		while (Date.now() < deadline) {
			if (w.exitCode !== null)
				throw new Error(`n8n worker ${i} exited:\n${tail(readSafe(logFile))}`);
			if (/Worker ready|n8n worker is now ready/i.test(readSafe(logFile))) return w;
			await sleep(500);
		}
		throw new Error(`n8n worker ${i} did not become ready:\n${tail(readSafe(logFile))}`);
	}

	private async waitHealthy(child: ChildProcess, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(
					`n8n exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(readSafe(this.logFile))}`,
				);
			}
			try {
				const res = await fetch(`${this.baseUrl}/healthz/readiness`, {
					signal: AbortSignal.timeout(2000),
				});
				if (res.status === 200) {
					// the editor/REST layer comes up with the same server; check it answers too
					const s = await fetch(`${this.baseUrl}/rest/settings`, {
						signal: AbortSignal.timeout(5000),
					});
					if (s.status === 200) return;
				}
			} catch {
				/* not yet */
			}
			await sleep(500);
		}
		throw new Error(
			`n8n did not become healthy in ${timeoutMs} ms:\n${tail(readSafe(this.logFile))}`,
		);
	}

	private async setupOwnerAndLogin(): Promise<void> {
		const setup = await this.rawRest('POST', '/rest/owner/setup', OWNER);
		if (setup.status !== 200 && setup.status !== 400) {
			throw new Error(`owner setup failed: ${setup.status} ${setup.text.slice(0, 500)}`);
		}
		const login = await this.rawRest('POST', '/rest/login', {
			emailOrLdapLoginId: OWNER.email,
			password: OWNER.password,
		});
		if (login.status !== 200 || !this.cookie)
			throw new Error(`login failed: ${login.status} ${login.text.slice(0, 500)}`);
	}

	private async rawRest(
		method: string,
		path: string,
		body?: unknown,
	): Promise<{ status: number; text: string; json: unknown }> {
		const res = await fetch(this.baseUrl + path, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const set = res.headers.getSetCookie?.() ?? [];
		const auth = set.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await res.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, text, json };
	}

	/** Calls n8n's REST API as the owner; returns `data` of the answer. */
	async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const r = await this.rawRest(method, path.startsWith('/rest') ? path : `/rest${path}`, body);
		if (r.status >= 300)
			throw new Error(`n8n REST ${method} ${path} → ${r.status}: ${r.text.slice(0, 800)}`);
		const j = r.json as { data?: T } | undefined;
		return (j && typeof j === 'object' && 'data' in j ? j.data : j) as T;
	}

	/**
	 * A stored credential as the editor gets it (`GET /rest/credentials/:id?includeData=true`):
	 * secret fields and `oauthTokenData` redacted by n8n.
	 */
	async credentialForEditing(
		id: string,
	): Promise<{ id: string; name: string; type: string; data: Record<string, unknown> }> {
		const c = await this.rest<{
			id: string;
			name: string;
			type: string;
			data?: Record<string, unknown>;
		}>('GET', `/credentials/${id}?includeData=true`);
		return { id: c.id, name: c.name, type: c.type, data: c.data ?? {} };
	}

	/**
	 * n8n's credential test, as the editor runs it (`POST /rest/credentials/test` with
	 * `{credentials: {id, name, type, data}}`): redacted values in `data` are restored from the
	 * stored credential `id`, other values are tested as given. Answers `{status, message}`.
	 */
	async testCredential(cred: {
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<{ status: string; message: string }> {
		return await this.rest<{ status: string; message: string }>('POST', '/credentials/test', {
			credentials: cred,
		});
	}

	/** Publishes (activates) a workflow so its production webhooks and triggers run. */
	async activate(workflowId: string): Promise<void> {
		const wf = await this.rest<{ versionId: string }>('GET', `/workflows/${workflowId}`);
		await this.rest('POST', `/workflows/${workflowId}/activate`, { versionId: wf.versionId });
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.rest('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	/**
	 * Calls a production webhook (`/webhook/<path>`) of an active workflow. Right after an
	 * activation n8n may still answer 404 "not registered" (nothing ran then): retried for 30 s.
	 */
	async webhook(
		path: string,
		body?: unknown,
		method = 'POST',
	): Promise<{ status: number; json: unknown; text: string }> {
		const deadline = Date.now() + 30_000;
		let res: Response;
		let text: string;
		for (;;) {
			res = await fetch(`${this.baseUrl}/webhook/${path}`, {
				method,
				headers: body === undefined ? {} : { 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(120_000),
			});
			text = await res.text();
			if (res.status !== 404 || !text.includes('is not registered') || Date.now() > deadline) break;
			await sleep(500);
		}
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, json, text };
	}

	/** Node types n8n loaded (names like `n8n-nodes-ehr.ehrFhir`). */
	async nodeTypes(): Promise<string[]> {
		const res = await fetch(`${this.baseUrl}/types/nodes.json`, {
			headers: { cookie: this.cookie },
		});
		if (res.status !== 200) throw new Error(`/types/nodes.json → ${res.status}`);
		const list = (await res.json()) as Array<{ name: string }>;
		return [...new Set(list.map((n) => n.name))];
	}

	/** Runs a workflow by id with `n8n execute --id` and returns its full run data. */
	async execute(workflowId: string, timeoutMs = 180_000): Promise<RunOutput> {
		const r = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
		const raw = extractJson(r.stdout);
		if (!raw) {
			throw new Error(
				`n8n execute --id=${workflowId} printed no run data (exit ${r.code}):\n${tail(r.stdout + r.stderr, 60)}`,
			);
		}
		return summarizeRun(raw);
	}

	/** The executions n8n saved for a workflow (newest first), with their run data. */
	async executions(
		workflowId: string,
	): Promise<Array<{ id: string; status: string; mode: string }>> {
		const r = await this.rest<{ results: Array<{ id: string; status: string; mode: string }> }>(
			'GET',
			`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`,
		);
		return r.results;
	}

	/**
	 * The executions of a workflow once they are all finished (a webhook may answer before its
	 * execution is saved; n8n's list can show a running execution next to its saved row): polls
	 * until at least `atLeast` executions exist and none is still new/running, de-duplicated by id.
	 */
	async finishedExecutions(
		workflowId: string,
		atLeast = 1,
		timeoutMs = 60_000,
	): Promise<Array<{ id: string; status: string; mode: string }>> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const byId = new Map<string, { id: string; status: string; mode: string }>();
			for (const e of await this.executions(workflowId)) {
				const prev = byId.get(e.id);
				if (!prev || ['new', 'running'].includes(prev.status))
					byId.set(e.id, { id: e.id, status: e.status, mode: e.mode });
			}
			const list = [...byId.values()];
			const pending = list.some((e) => ['new', 'running'].includes(e.status));
			if ((!pending && list.length >= atLeast) || Date.now() > deadline) return list;
			await sleep(300);
		}
	}

	/** One saved execution's run data, unflattened, summarized like `execute`. */
	async execution(executionId: string): Promise<RunOutput> {
		const e = await this.rest<{ data: string; status: string; finished: boolean }>(
			'GET',
			`/executions/${executionId}`,
		);
		const data = typeof e.data === 'string' ? unflatten(JSON.parse(e.data) as unknown[]) : e.data;
		return summarizeRun({ data, status: e.status, finished: e.finished });
	}

	/**
	 * Stops the main process and the workers, then starts them again on the same user folder and
	 * database (as after a crash or an upgrade): active workflows are activated again by n8n.
	 * `whileDown` runs while nothing of n8n runs.
	 */
	async restart(whileDown?: () => Promise<void>): Promise<void> {
		const workers = this.workers.length;
		await Promise.all(this.workers.map((w) => stopProcess(w, 15_000)));
		this.workers = [];
		await stopProcess(this.main, 20_000);
		this.main = undefined;
		this.cookie = '';
		await whileDown?.();
		await this.start();
		for (let i = 0; i < workers; i++) await this.startWorker();
	}

	async stop(): Promise<void> {
		await Promise.all(this.workers.map((w) => stopProcess(w, 15_000)));
		this.workers = [];
		await stopProcess(this.main, 20_000);
		this.main = undefined;
		if (this.ownsFolder && !this.options.keepUserFolder && process.env.N8N_EHR_KEEP_RUN !== '1') {
			rmSync(this.userFolder, { recursive: true, force: true });
		}
	}
}

function readSafe(file: string): string {
	try {
		return existsSync(file) ? readFileSync(file, 'utf8') : '';
	} catch {
		return '';
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

/** The run JSON `n8n execute` prints: from the first line `{` to the last line `}`. */
export function extractJson(stdout: string): unknown {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l === '{');
	const end = lines.lastIndexOf('}');
	if (start < 0 || end < start) return undefined;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'));
	} catch {
		return undefined;
	}
}

/** n8n stores run data "flatted" (array of values with string index references). */
export function unflatten(arr: unknown[]): unknown {
	const seen = new Map<number, unknown>();
	const revive = (idx: number): unknown => {
		if (seen.has(idx)) return seen.get(idx);
		const v = arr[idx];
		if (Array.isArray(v)) {
			const out: unknown[] = [];
			seen.set(idx, out);
			for (const x of v) out.push(ref(x));
			return out;
		}
		if (v && typeof v === 'object') {
			const out: Record<string, unknown> = {};
			seen.set(idx, out);
			for (const [k, x] of Object.entries(v)) out[k] = ref(x);
			return out;
		}
		seen.set(idx, v);
		return v;
	};
	const ref = (x: unknown): unknown =>
		typeof x === 'string' && /^\d+$/.test(x) ? revive(Number(x)) : x;
	return revive(0);
}

interface RawRun {
	status?: string;
	finished?: boolean;
	data?: {
		resultData?: {
			error?: { message: string; description?: string; node?: { name: string } };
			lastNodeExecuted?: string;
			runData?: Record<
				string,
				Array<{
					executionStatus?: string;
					error?: { message: string; description?: string; httpCode?: string };
					data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
				}>
			>;
		};
	};
}

export function summarizeRun(raw: unknown): RunOutput {
	const r = raw as RawRun;
	const rd = r.data?.resultData ?? {};
	const nodes: Record<string, NodeRun> = {};
	for (const [name, runs] of Object.entries(rd.runData ?? {})) {
		const last = runs[runs.length - 1];
		const outputs = (last?.data?.main ?? []).map((o) => (o ?? []).map((i) => i.json));
		nodes[name] = {
			items: outputs[0] ?? [],
			outputs,
			error: last?.error
				? {
						message: last.error.message,
						description: last.error.description,
						httpCode: last.error.httpCode,
					}
				: undefined,
			executionStatus: last?.executionStatus,
		};
	}
	return {
		status: r.status ?? (rd.error ? 'error' : 'success'),
		finished: r.finished ?? !rd.error,
		lastNodeExecuted: rd.lastNodeExecuted,
		error: rd.error
			? { message: rd.error.message, description: rd.error.description, node: rd.error.node?.name }
			: undefined,
		nodes,
		raw,
	};
}

export { n8nDir };
