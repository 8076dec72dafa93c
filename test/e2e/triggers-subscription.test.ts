// FHIR Subscription Trigger in a real n8n 2.41.1, against the sandbox's SMART store. Regular mode:
// activation creates one active Subscription pointing at n8n's production webhook; three Patients
// created through the FHIR API → exactly three executions carrying their ids; a forged POST
// without the secret → 401 and no execution; a restart of n8n (same user folder and database)
// keeps the one Subscription (no duplicate) and later events still arrive; deactivation deletes
// it. A topic-based Subscription (Subscriptions R5 Backport, topic patient-created, ID Only with
// Fetch Resource) in the same n8n: activation creates it (its handshake Bundle starts nothing),
// three Patients → exactly three executions numbered 1-3 (the last event number survives between
// webhook calls), a heartbeat → none, a notification the sandbox drops → read back through $events
// with the next one, deactivation deletes it. Queue mode (PostgreSQL, Redis, main + 2 workers):
// each event is exactly one execution, for a criteria and for a topic Subscription.
// Prints the delivery latency (sandbox write → n8n's answer) it measured.
import type { Sandbox } from '../../sandbox/server';
import type { N8n, WorkflowJson } from '../../scripts/n8n/runtime';
import { startQueueServices, type Services } from '../../scripts/n8n/services';
import { E2E_TIMEOUT, startEnv, stopEnv, writingSmartCredential, type Env } from './helpers';
import { smartFhir, subscriptionAdmin } from '../helpers/sandbox';

jest.setTimeout(E2E_TIMEOUT);

const WEBHOOK_ID = '5b7e0d2c-6f4a-4c1e-9a53-8d2f1e0c4b11';
/** Subscriptions need a token that may write, not limited to a patient */
const SCOPES = ['openid', 'offline_access', 'user/*.read', 'user/*.write'];
const CREDENTIAL = { id: 'ehrSubSmartW0001', name: 'SMART on FHIR, write (subscription e2e)' };

const WORKFLOW: WorkflowJson = {
	id: 'ehrSubTrigger001',
	name: 'FHIR Subscription Trigger e2e',
	nodes: [
		{
			id: 'c0a80101-0000-4000-8000-000000000001',
			name: 'FHIR Subscription Trigger',
			type: 'n8n-nodes-ehr.fhirSubscriptionTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: { authentication: 'smartOnFhirOAuth2Api', resourceType: 'Patient' },
			credentials: { smartOnFhirOAuth2Api: CREDENTIAL },
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
};

const TOPIC_WEBHOOK_ID = '9d41c6a8-3b2e-4f7d-8c15-6e0a2b9f4d22';
const TOPIC = 'http://n8n-nodes-ehr.example/fhir/SubscriptionTopic/patient-created';
const TOPIC_WORKFLOW: WorkflowJson = {
	id: 'ehrSubTopic00001',
	name: 'FHIR Subscription Trigger topic e2e',
	nodes: [
		{
			id: 'c0a80101-0000-4000-8000-000000000002',
			name: 'FHIR Subscription Trigger',
			type: 'n8n-nodes-ehr.fhirSubscriptionTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: TOPIC_WEBHOOK_ID,
			parameters: {
				authentication: 'smartOnFhirOAuth2Api',
				subscriptionType: 'topic',
				topic: TOPIC,
				payload: 'idOnly',
			},
			credentials: { smartOnFhirOAuth2Api: CREDENTIAL },
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const fhir = async (sb: Sandbox, method: string, path: string, body?: unknown) =>
	(await smartFhir(sb, method, path, body)) as { status: number; body: Json };

async function subscriptions(sb: Sandbox) {
	const r = await fhir(sb, 'GET', 'Subscription');
	return (r.body.entry ?? []).map(
		(e: { resource: Record<string, unknown> }) => e.resource,
	) as Array<
		Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
	>;
}

async function until<T>(
	fn: () => Promise<T | undefined | false>,
	what: string,
	ms = 60_000,
): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== false) return v;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function deliveries(sb: Sandbox) {
	const r = await fetch(`${sb.url}/_admin/fhir/subscriptions/deliveries`);
	return (
		(await r.json()) as {
			deliveries: Array<{ kind: string; ok: boolean; ms: number; focus?: string }>;
		}
	).deliveries;
}

/** Creates Patients one by one; their ids. */
async function createPatients(sb: Sandbox, families: string[]): Promise<string[]> {
	const ids: string[] = [];
	for (const family of families) {
		const r = await fhir(sb, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family }] });
		expect(r.status).toBe(201);
		ids.push(r.body.id as string);
	}
	return ids;
}

/**
 * Deactivates the workflow and checks that its Subscription is gone from the sandbox and that a
 * new Patient starts no execution (the workflow keeps `executions` finished ones).
 */
async function deactivationDeletes(
	n8n: N8n,
	sb: Sandbox,
	workflowId: string,
	subscriptionId: string,
	executions: number,
): Promise<void> {
	await n8n.deactivate(workflowId);
	// n8n 2.41 answers the deactivation before its publication service has removed the
	// webhooks (and called the trigger's delete): wait for it
	await until(async () => (await subscriptions(sb)).length === 0, 'the Subscription deleted');
	expect((await fhir(sb, 'GET', `Subscription/${subscriptionId}`)).status).toBe(410);
	await createPatients(sb, ['After']);
	await new Promise((r) => setTimeout(r, 1000));
	expect(await n8n.finishedExecutions(workflowId, executions)).toHaveLength(executions);
}

/** The Patient ids of the workflow's finished executions (one item each expected). */
async function executedIds(n8n: N8n, atLeast: number): Promise<string[][]> {
	const list = await n8n.finishedExecutions(WORKFLOW.id, atLeast, 90_000);
	const out: string[][] = [];
	for (const e of list) {
		expect(e.status).toBe('success');
		const run = await n8n.execution(e.id);
		out.push(run.nodes['FHIR Subscription Trigger'].items.map((i) => String(i.id)));
	}
	return out;
}

/** per finished execution of the topic workflow: [eventNumber, Patient id, recovered] of each item */
async function topicExecutions(n8n: N8n, atLeast: number) {
	const list = await n8n.finishedExecutions(TOPIC_WORKFLOW.id, atLeast, 90_000);
	const out: Array<Array<[unknown, unknown, unknown]>> = [];
	for (const e of list) {
		expect(e.status).toBe('success');
		const run = await n8n.execution(e.id);
		out.push(
			run.nodes['FHIR Subscription Trigger'].items.map((i) => [
				i.eventNumber,
				(i.resource as Json | undefined)?.id,
				i.recovered,
			]),
		);
	}
	return out.sort((a, b) => Number(a[0][0]) - Number(b[0][0]));
}

function p50(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor((s.length - 1) / 2)];
}

describe('regular mode', () => {
	let env: Env | undefined;
	let n8n: N8n;
	let sb: Sandbox;
	let subscriptionId = '';
	beforeAll(async () => {
		env = await startEnv({
			workflows: [WORKFLOW, TOPIC_WORKFLOW],
			credentials: (s) => writingSmartCredential(s, CREDENTIAL, SCOPES),
		});
		({ n8n, sandbox: sb } = env);
	});
	afterAll(() => stopEnv(env));

	test('activation: one active Subscription pointing at the production webhook, with the secret header', async () => {
		await n8n.activate(WORKFLOW.id);
		const [sub] = await until(async () => {
			const list = await subscriptions(sb);
			return list.length === 1 && list[0].status === 'active' ? list : undefined;
		}, 'an active Subscription');
		subscriptionId = sub.id as string;
		expect(sub.channel.endpoint).toBe(`${n8n.baseUrl}/webhook/${WEBHOOK_ID}/webhook`);
		expect(sub.channel.header).toEqual([
			expect.stringMatching(/^X-Ehr-Webhook-Secret: [0-9a-f]{64}$/),
		]);
		expect(sub.criteria).toBe('Patient?');
		// the handshake was answered without an execution
		expect((await deliveries(sb)).map((d) => [d.kind, d.ok])).toEqual([['handshake', true]]);
		expect(await n8n.executions(WORKFLOW.id)).toEqual([]);
	});

	test('three Patients → exactly three executions with their ids; a forged POST → 401, no execution', async () => {
		const ids = await createPatients(sb, ['Ames', 'Baker', 'Cole']);
		const got = await executedIds(n8n, 3);
		expect(got.flat().sort()).toEqual([...ids].sort());
		expect(got.every((items) => items.length === 1)).toBe(true);
		const events = (await deliveries(sb)).filter((d) => d.kind === 'event');
		expect(events.map((d) => d.ok)).toEqual([true, true, true]);
		process.stderr.write(
			`subscription e2e (regular): ${events.length} notifications sent, ${got.length} executions; delivery latency p50 ${p50(events.map((d) => d.ms))} ms, max ${Math.max(...events.map((d) => d.ms))} ms\n`,
		);
		const forged = await fetch(`${n8n.baseUrl}/webhook/${WEBHOOK_ID}/webhook`, {
			method: 'POST',
			headers: { 'content-type': 'application/fhir+json' },
			body: JSON.stringify({ resourceType: 'Patient', id: 'forged-1' }),
		});
		expect(forged.status).toBe(401);
		const wrong = await fetch(`${n8n.baseUrl}/webhook/${WEBHOOK_ID}/webhook`, {
			method: 'POST',
			headers: { 'content-type': 'application/fhir+json', 'x-ehr-webhook-secret': 'f'.repeat(64) },
			body: JSON.stringify({ resourceType: 'Patient', id: 'forged-2' }),
		});
		expect(wrong.status).toBe(401);
		await new Promise((r) => setTimeout(r, 1500));
		expect(await n8n.finishedExecutions(WORKFLOW.id, 3)).toHaveLength(3);
	});

	test('restart: still the one Subscription (no duplicate), events after the restart arrive once', async () => {
		await n8n.restart();
		// n8n re-activates the workflow at start; its webhook is still registered, nothing is created
		await new Promise((r) => setTimeout(r, 2000));
		const list = await subscriptions(sb);
		expect(list.map((s) => [s.id, s.status])).toEqual([[subscriptionId, 'active']]);
		expect((await deliveries(sb)).filter((d) => d.kind === 'handshake')).toHaveLength(1);
		const ids = await createPatients(sb, ['Dunn', 'Ezra']);
		const got = await executedIds(n8n, 5);
		expect(got).toHaveLength(5);
		expect(
			got
				.flat()
				.filter((id) => ids.includes(id))
				.sort(),
		).toEqual([...ids].sort());
	});

	test('deactivation deletes the Subscription in the sandbox', async () => {
		await deactivationDeletes(n8n, sb, WORKFLOW.id, subscriptionId, 5);
	});

	describe('topic Subscription (R4 backport)', () => {
		let topicSub = '';
		let seenDeliveries = 0;
		const topicRuns = (atLeast: number) => topicExecutions(n8n, atLeast);

		test('activation creates one backport Subscription; its handshake Bundle starts nothing', async () => {
			seenDeliveries = (await deliveries(sb)).length;
			await n8n.activate(TOPIC_WORKFLOW.id);
			const [sub] = await until(async () => {
				const list = await subscriptions(sb);
				return list.length === 1 && list[0].status === 'active' ? list : undefined;
			}, 'an active topic Subscription');
			topicSub = sub.id as string;
			expect(sub.criteria).toBe(TOPIC);
			expect(sub.channel.endpoint).toBe(`${n8n.baseUrl}/webhook/${TOPIC_WEBHOOK_ID}/webhook`);
			expect(sub.channel._payload.extension[0].valueCode).toBe('id-only');
			const mine = (await deliveries(sb)).slice(seenDeliveries);
			expect(mine.map((d) => [d.kind, d.ok])).toEqual([['handshake', true]]);
			expect(await n8n.executions(TOPIC_WORKFLOW.id)).toEqual([]);
		});

		test('three Patients → exactly three executions, events 1-3, each resource fetched; a heartbeat → none', async () => {
			const ids = await createPatients(sb, ['Topic1', 'Topic2', 'Topic3']);
			const got = await topicRuns(3);
			expect(got).toEqual(ids.map((id, i) => [[i + 1, id, undefined]]));
			const r = await subscriptionAdmin(sb, topicSub, 'heartbeat');
			expect(r).toBe(200);
			const hb = (await deliveries(sb)).filter((d) => d.kind === 'heartbeat');
			expect(hb.map((d) => d.ok)).toEqual([true]);
			await new Promise((res) => setTimeout(res, 1500));
			expect(await n8n.finishedExecutions(TOPIC_WORKFLOW.id, 3)).toHaveLength(3);
		});

		test('a lost notification is read back through $events with the next one (one execution, two items)', async () => {
			const drop = await subscriptionAdmin(sb, topicSub, { drop: 1 });
			expect(drop).toBe(200);
			const ids = await createPatients(sb, ['Lost4', 'Next5']);
			const got = await topicRuns(4);
			expect(got).toHaveLength(4);
			expect(got[3]).toEqual([
				[4, ids[0], true],
				[5, ids[1], undefined],
			]);
		});

		test('deactivation deletes the topic Subscription', async () => {
			await deactivationDeletes(n8n, sb, TOPIC_WORKFLOW.id, topicSub, 4);
		});
	});
});

describe('queue mode (main + 2 workers)', () => {
	let services: Services | undefined;
	let env: Env | undefined;
	beforeAll(async () => {
		services = await startQueueServices();
		env = await startEnv({
			workflows: [WORKFLOW, TOPIC_WORKFLOW],
			credentials: (s) => writingSmartCredential(s, CREDENTIAL, SCOPES),
			n8n: { env: services.env },
		});
		await env.n8n.startWorker();
		await env.n8n.startWorker();
	});
	afterAll(async () => {
		await stopEnv(env);
		await services?.stop();
	});

	test('each event is exactly one execution', async () => {
		const { n8n, sandbox: sb } = env!;
		await n8n.activate(WORKFLOW.id);
		await until(async () => (await subscriptions(sb))[0]?.status === 'active', 'active');
		const ids = await createPatients(sb, ['Q1', 'Q2', 'Q3', 'Q4']);
		const got = await executedIds(n8n, 4);
		await new Promise((r) => setTimeout(r, 1500));
		const again = await n8n.finishedExecutions(WORKFLOW.id, 4);
		expect(again).toHaveLength(4);
		expect(got.flat().sort()).toEqual([...ids].sort());
		const events = (await deliveries(sb)).filter((d) => d.kind === 'event');
		process.stderr.write(
			`subscription e2e (queue): ${events.length} notifications sent, ${again.length} executions; delivery latency p50 ${p50(events.map((d) => d.ms))} ms\n`,
		);
		await n8n.deactivate(WORKFLOW.id);
		await until(async () => (await subscriptions(sb)).length === 0, 'the Subscription deleted');
	});

	test('topic Subscription: each event is exactly one execution, numbered 1-3 (the last event number survives across main and workers)', async () => {
		const { n8n, sandbox: sb } = env!;
		await n8n.activate(TOPIC_WORKFLOW.id);
		await until(async () => (await subscriptions(sb))[0]?.status === 'active', 'active');
		const ids = await createPatients(sb, ['QT1', 'QT2', 'QT3']);
		const got = await topicExecutions(n8n, 3);
		await new Promise((r) => setTimeout(r, 1500));
		expect(await n8n.finishedExecutions(TOPIC_WORKFLOW.id, 3)).toHaveLength(3);
		expect(got).toEqual(ids.map((id, i) => [[i + 1, id, undefined]]));
		await n8n.deactivate(TOPIC_WORKFLOW.id);
		await until(
			async () => (await subscriptions(sb)).length === 0,
			'the topic Subscription deleted',
		);
	});
});
