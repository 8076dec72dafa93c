// Queue mode, the way n8n runs past one machine: PostgreSQL as n8n's database, Redis as its
// queue, one main process and two `n8n worker` processes. The examples are triggered through
// production webhooks (the main process enqueues, a worker runs them); every execution must
// succeed and each workflow's output must equal the regular-mode run (`n8n execute`, which
// runs in-process) of the same workflow against the same sandbox state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOutput, WorkflowJson } from '../../scripts/n8n/runtime';
import { loadExamples, missingNodeTypes } from '../../scripts/n8n/workflows';
import { DEMO_PATIENT } from '../../scripts/n8n/sandbox-credentials';
import { mppState } from '../../sandbox/surfaces/mpp';
import {
	E2E_TIMEOUT,
	sandboxJson,
	startQueueEnv,
	stopQueueEnv,
	testWorkflow,
	workerExecutions,
	type QueueEnv,
} from './helpers';

jest.setTimeout(E2E_TIMEOUT);

/** The same workflow, started by a Webhook (named like the manual trigger) that answers with the last node's items. */
function webhookVariant(wf: WorkflowJson): WorkflowJson {
	const manual = wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger')!;
	const schedules = new Set(
		wf.nodes.filter((n) => n.type === 'n8n-nodes-base.scheduleTrigger').map((n) => n.name),
	);
	const connections = Object.fromEntries(
		Object.entries(wf.connections).filter(([from]) => !schedules.has(from)),
	);
	return {
		...wf,
		id: `${wf.id}Q`,
		name: `${wf.name} (queue-mode webhook)`,
		connections,
		nodes: wf.nodes
			.filter((n) => !schedules.has(n.name))
			.map((n) =>
				n === manual
					? {
							id: n.id as string,
							name: n.name,
							position: n.position,
							type: 'n8n-nodes-base.webhook',
							typeVersion: 2,
							webhookId: `00000000-0000-4000-8000-${Buffer.from(wf.id).toString('hex').slice(0, 12).padEnd(12, '0')}`,
							parameters: {
								httpMethod: 'POST',
								path: `queue-${wf.id}`,
								responseMode: 'lastNode',
								responseData: 'allEntries',
								options: {},
							},
						}
					: n,
			),
	};
}

/** Node outputs without values that differ between two runs by nature (timestamps, job URLs). */
function normalize(out: RunOutput, skipNodes: string[]): Record<string, unknown[]> {
	const volatile =
		/(^|_)(created|updated|cancelled)_at$|^transactionTime$|^url$|^statusUrl$|^fileName$|^executionId$/;
	const clean = (v: unknown): unknown => {
		if (Array.isArray(v)) return v.map(clean);
		if (v && typeof v === 'object') {
			return Object.fromEntries(
				Object.entries(v as Record<string, unknown>)
					.filter(([k]) => !volatile.test(k))
					.map(([k, x]) => [k, clean(x)]),
			);
		}
		return v;
	};
	return Object.fromEntries(
		Object.entries(out.nodes)
			.filter(([name]) => !skipNodes.includes(name))
			.map(([name, r]) => [name, clean(r.items) as unknown[]]),
	);
}

const all = loadExamples();
const manualExamples = all.filter((e) =>
	e.workflow.nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger'),
);
// examples started by a polling trigger (05) run in queue mode in test/e2e/triggers-polling.test.ts
const webhookExamples = all.filter((e) =>
	e.workflow.nodes.some((n) => n.type === 'n8n-nodes-base.webhook'),
);
const usable = (wf: WorkflowJson) => missingNodeTypes(wf).length === 0;

let env: QueueEnv | undefined;

beforeAll(async () => {
	const workflows = [
		...manualExamples
			.filter((e) => usable(e.workflow))
			.flatMap((e) => [e.workflow, webhookVariant(e.workflow)]),
		...webhookExamples.filter((e) => usable(e.workflow)).map((e) => e.workflow),
	];
	env = await startQueueEnv(workflows);
}, E2E_TIMEOUT);

afterAll(async () => {
	await stopQueueEnv(env);
}, 120_000);

const reset = async () => {
	const r = await fetch(`${env!.sandbox.url}/_admin/reset`, { method: 'POST' });
	expect(r.status).toBe(200);
};

test('main process and two workers run in queue mode on PostgreSQL and Redis', async () => {
	const log = readFileSync(env!.n8n.logFile, 'utf8');
	expect(env!.n8n.workers).toHaveLength(2);
	for (const w of env!.n8n.workers) expect(w.exitCode).toBeNull();
	expect(log).not.toMatch(/sqlite/i);
	const settings = await env!.n8n.rest<{ executionMode: string }>('GET', '/settings');
	expect(settings.executionMode).toBe('queue');
});

for (const { file, workflow } of manualExamples) {
	testWorkflow(
		workflow,
		`${file}: a worker runs it from a production webhook; output equals the regular-mode run`,
		async () => {
			const { n8n } = env!;
			// triggers differ between the two runs by design (manual or schedule vs the webhook)
			const trigger = workflow.nodes
				.filter(
					(n) =>
						n.type === 'n8n-nodes-base.manualTrigger' ||
						n.type === 'n8n-nodes-base.scheduleTrigger',
				)
				.map((n) => n.name);

			await reset();
			const regular = await n8n.execute(workflow.id);
			expect(regular.error).toBeUndefined();

			await reset();
			const variant = webhookVariant(workflow);
			await n8n.activate(variant.id);
			const res = await n8n.webhook(`queue-${workflow.id}`, {});
			if (res.status !== 200)
				throw new Error(`webhook answered ${res.status}: ${res.text.slice(0, 800)}`);

			const execs = await n8n.finishedExecutions(variant.id, 1);
			expect(execs.map((e) => [e.mode, e.status])).toEqual([['webhook', 'success']]);
			const queued = await n8n.execution(execs[0].id);
			expect(normalize(queued, trigger)).toEqual(normalize(regular, trigger));
			// the answer is the last node's items, as in the regular run
			const lastNode = Object.keys(regular.nodes).pop()!;
			expect((res.json as unknown[]).length).toBe(regular.nodes[lastNode].items.length);
			// a worker ran it, not the main process
			expect(workerExecutions(env!).has(execs[0].id)).toBe(true);
		},
	);
}

for (const { file, workflow } of webhookExamples) {
	testWorkflow(
		workflow,
		`${file}: concurrent production webhook calls are spread over the workers and all succeed`,
		async () => {
			const { n8n, sandbox } = env!;
			if (workflow.id !== 'ehrExample02Book') return; // only the booking example has a known body
			await reset();
			await n8n.activate(workflow.id);
			const st = mppState(sandbox.app);
			const now = sandbox.app.clock.now();
			const slots = st.data.slots
				.filter((s) => s.startMs > now && !st.taken.has(s.id) && s.appointment_type_id === 198)
				.slice(0, 6);
			expect(slots).toHaveLength(6);
			const answers = await Promise.all(
				slots.map((s) =>
					n8n.webhook('book-appointment', {
						insuranceId: 136,
						appointmentCategoryId: 53,
						appointmentTypeId: 198,
						availabilityId: s.id,
						comment: 'queue',
					}),
				),
			);
			expect(answers.map((a) => a.status)).toEqual(slots.map(() => 201));
			const booked = await sandboxJson<{
				data: Array<{ availability_id: string; status: string; comment: string }>;
			}>(sandbox, `/_admin/mpp/appointments?patient=${DEMO_PATIENT}`);
			const mine = booked.data.filter((a) => a.comment === 'queue');
			expect(mine.map((a) => a.availability_id).sort()).toEqual(slots.map((s) => s.id).sort());
			const execs = await n8n.finishedExecutions(workflow.id, 6);
			expect(execs.filter((e) => e.status === 'success')).toHaveLength(6);
			const ran = workerExecutions(env!);
			const workersUsed = new Set(execs.map((e) => ran.get(e.id)));
			expect(workersUsed.has(undefined)).toBe(false);
			expect(workersUsed.size).toBe(2);
		},
	);
}
