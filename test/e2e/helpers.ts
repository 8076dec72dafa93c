// Shared by the e2e test files: one real n8n per file (started in beforeAll, stopped in
// afterAll), a sandbox on free ports, demo credentials, example and test workflows.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { startQueueServices, type Services } from '../../scripts/n8n/services';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
	N8n,
	type N8nOptions,
	type WorkflowJson,
	type CredentialImport,
} from '../../scripts/n8n/runtime';
import { sandboxCredentials } from '../../scripts/n8n/sandbox-credentials';
import { REPO_ROOT } from '../../scripts/n8n/paths';
import { acquireLock } from '../../scripts/n8n/lock';
import { missingNodeTypes, prepareWorkflow } from '../../scripts/n8n/workflows';

export const E2E_TIMEOUT = 15 * 60_000;

export interface Env {
	n8n: N8n;
	sandbox: Sandbox;
	release: () => void;
}

export async function startEnv(opts: {
	workflows: WorkflowJson[];
	credentials?: (sandbox: Sandbox) => Promise<CredentialImport[]>;
	n8n?: N8nOptions;
	sandbox?: Record<string, unknown>;
	beforeStart?: (n8n: N8n) => Promise<void>;
}): Promise<Env> {
	// one e2e n8n at a time on this machine (jest may run test files in parallel workers)
	const release = await acquireLock('n8n-nodes-ehr-e2e');
	let sandbox: Sandbox;
	try {
		sandbox = await startSandbox({
			host: '127.0.0.1',
			port: 0,
			filePort: 0,
			autoApprove: true,
			...(opts.sandbox ?? {}),
		});
	} catch (e) {
		release();
		throw e;
	}
	const n8n = new N8n(opts.n8n);
	try {
		await n8n.prepare();
		const creds = [
			...(await sandboxCredentials(sandbox.url)),
			...((await opts.credentials?.(sandbox)) ?? []),
		];
		await n8n.importCredentials(creds);
		await n8n.importWorkflows(opts.workflows.map((w) => prepareWorkflow(w, sandbox.url)));
		await opts.beforeStart?.(n8n);
		await n8n.start();
	} catch (e) {
		await n8n.stop().catch(() => undefined);
		await sandbox.close();
		release();
		throw e;
	}
	return { n8n, sandbox, release };
}

export async function stopEnv(env: Env | undefined): Promise<void> {
	if (!env) return;
	try {
		await env.n8n.stop().catch(() => undefined);
		await env.sandbox.close().catch(() => undefined);
	} finally {
		env.release();
	}
}

export function loadWorkflowDir(dir: string): WorkflowJson[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as WorkflowJson);
}

export const examples = (): WorkflowJson[] => loadWorkflowDir(join(REPO_ROOT, 'examples'));
export const testWorkflows = (): WorkflowJson[] => loadWorkflowDir(join(__dirname, 'workflows'));

/** test() when the workflow's node types exist, else test.skip with the reason printed. */
export function testWorkflow(
	wf: WorkflowJson,
	name: string,
	fn: () => Promise<void>,
	timeout = E2E_TIMEOUT,
): void {
	const missing = missingNodeTypes(wf);
	if (missing.length) {
		process.stderr.write(
			`SKIPPED: "${wf.name}" — node type ${missing.join(', ')} not in the package yet\n`,
		);
		test.skip(`${name} (SKIPPED: ${missing.join(', ')} not in the package yet)`, () => undefined);
		return;
	}
	test(name, fn, timeout);
}

export async function sandboxJson<T = unknown>(
	sandbox: Sandbox,
	path: string,
	init?: RequestInit,
): Promise<T> {
	const res = await fetch(sandbox.url + path, init);
	if (res.status >= 300) throw new Error(`sandbox ${path} → ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

export interface QueueEnv extends Env {
	services: Services;
}

/** Queue mode: PostgreSQL and Redis, then n8n's main process and two workers. */
export async function startQueueEnv(workflows: WorkflowJson[]): Promise<QueueEnv> {
	const services = await startQueueServices();
	let env: Env | undefined;
	try {
		env = await startEnv({ workflows, n8n: { env: services.env } });
		await env.n8n.startWorker();
		await env.n8n.startWorker();
	} catch (e) {
		await stopEnv(env);
		await services.stop();
		throw e;
	}
	return { ...env, services };
}

export async function stopQueueEnv(env: QueueEnv | undefined): Promise<void> {
	await stopEnv(env);
	await env?.services.stop();
}

/** execution id → the worker (1, 2, …) whose log says it ran it */
export function workerExecutions(env: Env): Map<string, number> {
	const byId = new Map<string, number>();
	env.n8n.workers.forEach((_w, i) => {
		const text = readFileSync(join(env.n8n.userFolder, `n8n-worker-${i + 1}.log`), 'utf8');
		for (const m of text.matchAll(/started execution (\d+)/gi)) byId.set(m[1], i + 1);
	});
	return byId;
}

/**
 * A SMART on FHIR credential on the sandbox whose token carries `scopes` (writes, Subscriptions),
 * minted through the admin API and not limited to a patient.
 */
export async function writingSmartCredential(
	sandbox: Sandbox,
	meta: { id: string; name: string },
	scopes: string[],
): Promise<CredentialImport[]> {
	const t = await sandboxJson<{
		access_token: string;
		refresh_token?: string;
		expires_in?: number;
	}>(sandbox, '/_admin/tokens', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ surface: 'smart', clientId: 'smart-demo', scopes, withRefresh: true }),
	});
	const u = sandbox.url.replace(/\/+$/, '');
	return [
		{
			...meta,
			type: 'smartOnFhirOAuth2Api',
			data: {
				fhirBaseUrl: `${u}/smart/fhir`,
				authUrl: `${u}/smart/auth/authorize`,
				accessTokenUrl: `${u}/smart/auth/token`,
				clientId: 'smart-demo',
				clientSecret: 'smart-demo-secret',
				scopes: scopes.join(' '),
				oauthTokenData: {
					access_token: t.access_token,
					refresh_token: t.refresh_token,
					token_type: 'Bearer',
					expires_in: Number(t.expires_in ?? 3600),
					scope: scopes.join(' '),
				},
			},
		},
	];
}
