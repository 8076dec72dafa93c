// The real n8n runtime, proven without our nodes: the package loads as a community package
// (every node type it declares appears as `n8n-nodes-ehr.<node>`), a credential imports,
// encrypts and decrypts (its secret reaches the sandbox), a workflow runs by id, and a
// workflow that starts with a Webhook is activated and called through its production URL —
// its effect (a booking) checked in the sandbox's state.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { n8nDir, node24Bin } from '../../scripts/n8n/paths';
import { mppState } from '../../sandbox/surfaces/mpp';
import { declaredNodeTypes, PACKAGE_NAME } from '../../scripts/n8n/package';
import {
	declaredCredentialTypes,
	DEMO_PATIENT,
	sandboxCredentials,
} from '../../scripts/n8n/sandbox-credentials';
import { missingNodeTypes } from '../../scripts/n8n/workflows';
import {
	E2E_TIMEOUT,
	sandboxJson,
	startEnv,
	stopEnv,
	testWorkflow,
	testWorkflows,
	type Env,
} from './helpers';

jest.setTimeout(E2E_TIMEOUT);

let env: Env | undefined;
let bearer = '';

beforeAll(async () => {
	env = await startEnv({
		workflows: testWorkflows().filter((w) => missingNodeTypes(w).length === 0),
		credentials: async (sandbox) => {
			const t = await sandboxJson<{ access_token: string }>(sandbox, '/_admin/tokens', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					surface: 'mpp',
					clientId: 'mpp-demo',
					scopes: ['profile_read', 'appointment_read', 'appointment_write'],
					patient: DEMO_PATIENT,
				}),
			});
			bearer = t.access_token;
			return [
				{
					id: 'e2eMppBearer0001',
					name: 'E2E MPP bearer',
					type: 'httpHeaderAuth',
					data: { name: 'Authorization', value: `Bearer ${bearer}` },
				},
			];
		},
	});
});

afterAll(async () => {
	await stopEnv(env);
});

test('the package is installed as a community package and every declared node type loads', async () => {
	const { n8n } = env!;
	const pj = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json');
	expect(existsSync(pj)).toBe(true);
	const installed = JSON.parse(readFileSync(pj, 'utf8')) as Record<string, unknown>;
	expect(installed.name).toBe(PACKAGE_NAME);
	expect(installed.overrides).toBeUndefined();
	expect(installed.devDependencies).toBeUndefined();
	const ours = (await n8n.nodeTypes()).filter((t) => t.startsWith(`${PACKAGE_NAME}.`)).sort();
	// every action node is also offered to AI agents as a tool (`usableAsTool: true` →
	// `<node>Tool`); trigger nodes are not (n8n's convention)
	const declared = declaredNodeTypes();
	const tools = declared.filter((t) => !t.endsWith('Trigger')).map((t) => `${t}Tool`);
	expect(ours).toEqual([...declared, ...tools].sort());
	// n8n's own nodes are there too (the listing is real)
	expect(await n8n.nodeTypes()).toEqual(
		expect.arrayContaining(['n8n-nodes-base.webhook', 'n8n-nodes-base.httpRequest']),
	);
});

test('everything the built package uses from n8n-workflow exists in the n8n-workflow of the n8n it runs in', () => {
	// n8n-workflow is a peer dependency: at run time the package gets n8n's own copy, not the
	// devDependency it was compiled against. tsc's CommonJS output names each use `n8n_workflow_N.X`.
	const dir = join(env!.n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'dist');
	const used = new Set<string>();
	const walk = (d: string) => {
		for (const e of readdirSync(d, { withFileTypes: true })) {
			if (e.isDirectory()) walk(join(d, e.name));
			else if (e.name.endsWith('.js')) {
				for (const m of readFileSync(join(d, e.name), 'utf8').matchAll(
					/\bn8n_workflow_\d+\.([A-Za-z_$][\w$]*)/g,
				))
					used.add(m[1]);
			}
		}
	};
	walk(dir);
	expect(used.size).toBeGreaterThan(0);
	const runtimeExports = JSON.parse(
		execFileSync(
			node24Bin(),
			[
				'-e',
				`process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(join(n8nDir(), 'node_modules', 'n8n-workflow'))}))))`,
			],
			{
				encoding: 'utf8',
			},
		),
	) as string[];
	const missing = [...used].filter((name) => !runtimeExports.includes(name)).sort();
	expect({ missingFromN8nRuntime: missing }).toEqual({ missingFromN8nRuntime: [] });
});

test('demo credentials for every declared credential type import, owned by the owner', async () => {
	const list = await env!.n8n.rest<Array<{ id: string; type: string; name: string }>>(
		'GET',
		'/credentials',
	);
	const ids = list.map((c) => c.id);
	expect(ids).toContain('e2eMppBearer0001');
	const demo = list.filter((c) => c.id.startsWith('ehrDemo'));
	// every declared type has a demo credential (some have two: staff scheduling, front desk)
	const types = [...new Set(demo.map((c) => c.type))].sort();
	expect(types).toEqual([...declaredCredentialTypes()].sort());
	const expected = (await sandboxCredentials(env!.sandbox.url))
		.map((c) => c.id)
		.filter((id) => id.startsWith('ehrDemo'))
		.sort();
	expect(demo.map((c) => c.id).sort()).toEqual(expected);
});

test('a credential decrypts in a real execution: its secret reaches the sandbox and the answer comes back', async () => {
	const { n8n, sandbox } = env!;
	const before = sandbox.app.requests.length;
	const out = await n8n.execute('e2eCredProfile01');
	expect(out.error).toBeUndefined();
	expect(out.status).toBe('success');
	const items = out.nodes['Get Profile over HTTP'].items;
	expect(items).toHaveLength(1);
	expect((items[0].data as { id: string }).id).toBe(DEMO_PATIENT);
	const calls = sandbox.app.requests
		.slice(before)
		.filter((r) => r.path === '/mpp/api/portal/v1/me');
	expect(calls).toHaveLength(1);
	expect(calls[0].headers.authorization).toBe(`Bearer ${bearer}`);
	expect(calls[0].status).toBe(200);
});

test('Webhook workflow: activated, called through its production URL, books in the sandbox', async () => {
	const { n8n, sandbox } = env!;
	const st = mppState(sandbox.app);
	const now = sandbox.app.clock.now();
	const slot = st.data.slots.find((s) => s.startMs > now && !st.taken.has(s.id))!;
	expect(slot).toBeDefined();
	const before = await sandboxJson<{ data: Array<{ id: string }> }>(
		sandbox,
		`/_admin/mpp/appointments?patient=${DEMO_PATIENT}`,
	);

	await n8n.activate('e2eWebhookBook01');
	const res = await n8n.webhook('e2e-book', {
		availabilityId: slot.id,
		comment: 'booked by the e2e webhook test',
	});
	if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.text}`);
	const booked = (
		res.json as { data: { id: string; status: string; start_time: string; comment: string } }
	).data;
	expect(booked.status).toBe('booked');
	expect(booked.start_time).toBe(slot.start_time);
	expect(booked.comment).toBe('booked by the e2e webhook test');

	const after = await sandboxJson<{
		data: Array<{ id: string; availability_id: string; status: string; patient_id: string }>;
	}>(sandbox, `/_admin/mpp/appointments?patient=${DEMO_PATIENT}`);
	expect(after.data).toHaveLength(before.data.length + 1);
	const created = after.data.find((a) => a.id === booked.id)!;
	expect(created).toMatchObject({
		availability_id: slot.id,
		status: 'booked',
		patient_id: DEMO_PATIENT,
	});

	// the run is saved as a webhook execution that succeeded
	const execs = await n8n.finishedExecutions('e2eWebhookBook01', 1);
	expect(execs.map((e) => [e.mode, e.status])).toEqual([['webhook', 'success']]);
	const run = await n8n.execution(execs[0].id);
	expect(run.nodes['Book over HTTP'].items).toHaveLength(1);
	expect((run.nodes['Book over HTTP'].items[0].data as { id: string }).id).toBe(booked.id);
});

const pairingWf = testWorkflows().find((w) => w.id === 'e2ePairingErrors')!;
testWorkflow(
	pairingWf,
	'our node in a real run: a failing item becomes an error item (continue on fail), every item paired to its input',
	async () => {
		const { n8n } = env!;
		const out = await n8n.execute('e2ePairingErrors');
		expect(out.error).toBeUndefined();
		const items = out.nodes['Get Patient'].items;
		expect(items).toHaveLength(3);
		expect(items[0].id).toBe(DEMO_PATIENT);
		expect(items[2].id).toBe(DEMO_PATIENT);
		const err = String(items[1].error ?? '');
		expect(err).toContain('pt-99999');
		expect(err).toMatch(/404|not found/i);
		expect(JSON.stringify(items[1])).not.toMatch(/at_onpatient_|rt_onpatient_|Bearer /);
		// pairedItem as n8n saved it: output item i comes from input item i
		const raw = out.raw as {
			data: {
				resultData: {
					runData: Record<
						string,
						Array<{ data: { main: Array<Array<{ pairedItem?: { item: number } }>> } }>
					>;
				};
			};
		};
		const paired = raw.data.resultData.runData['Get Patient'][0].data.main[0].map(
			(i) => i.pairedItem?.item,
		);
		expect(paired).toEqual([0, 1, 2]);
	},
);

testWorkflow(
	pairingWf,
	'an expired OAuth2 token is refreshed by n8n during a run and the new token is saved (the next run needs no refresh)',
	async () => {
		const { n8n, sandbox } = env!;
		const tokenCalls = (since: number) =>
			sandbox.app.requests.filter(
				(r) => r.seq > since && r.method === 'POST' && r.path === '/onpatient/auth/o/token/',
			);
		const mark = sandbox.app.requests.length
			? sandbox.app.requests[sandbox.app.requests.length - 1].seq
			: 0;
		const expired = await sandboxJson<{ expired: number }>(sandbox, '/_admin/tokens/expire', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ surface: 'onpatient' }),
		});
		expect(expired.expired).toBeGreaterThanOrEqual(1);

		const first = await n8n.execute('e2ePairingErrors');
		expect(first.nodes['Get Patient'].items[0].id).toBe(DEMO_PATIENT);
		expect(first.nodes['Get Patient'].items[2].id).toBe(DEMO_PATIENT);
		expect(tokenCalls(mark)).toHaveLength(1);
		expect(tokenCalls(mark)[0].status).toBe(200);

		const mark2 = sandbox.app.requests[sandbox.app.requests.length - 1].seq;
		const second = await n8n.execute('e2ePairingErrors');
		expect(second.nodes['Get Patient'].items[0].id).toBe(DEMO_PATIENT);
		expect(tokenCalls(mark2)).toHaveLength(0);
	},
);
