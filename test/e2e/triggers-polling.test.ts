// The polling triggers in a real n8n 2.41: active workflows poll the sandbox every 5 seconds
// (twelve "Custom" Poll Times, one per 5th second: n8n refuses a cron whose seconds field is not
// one number), changes made in the sandbox start exactly the expected executions; after a restart
// of n8n on the same user folder and database nothing is replayed and the changes made while it
// was down are delivered once; in queue mode (PostgreSQL, Redis, main + 2 workers) the same
// changes give one execution each, run by the workers. Also the README example 05 (new patient →
// Get Patient → List Immunizations → reminder text), with 5-second Poll Times.
import type { WorkflowJson } from '../../scripts/n8n/runtime';
import { loadExamples } from '../../scripts/n8n/workflows';
import { client } from '../sandbox/fhir-store-util';
import { DEMO_PATIENT } from '../../scripts/n8n/sandbox-credentials';
import { freeSlot } from '../helpers/mpp';
import {
	E2E_TIMEOUT,
	startEnv,
	startQueueEnv,
	stopEnv,
	stopQueueEnv,
	workerExecutions,
	type Env,
	type QueueEnv,
} from './helpers';

jest.setTimeout(E2E_TIMEOUT);

const EVERY_5_SECONDS = {
	item: Array.from({ length: 12 }, (_, i) => ({
		mode: 'custom',
		cronExpression: `${i * 5} * * * * *`,
	})),
};
const BS_CREDENTIAL = {
	smartBackendServicesApi: { id: 'ehrDemoSmartBs01', name: 'SMART Backend Services (sandbox)' },
};
const TRIGGER = 'New or Updated Patient';

const fhirWorkflow: WorkflowJson = {
	id: 'e2ePollFhirTrig1',
	name: 'e2e: EHR FHIR Trigger (Patient)',
	active: false,
	settings: { executionOrder: 'v1' },
	connections: { [TRIGGER]: { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	nodes: [
		{
			id: 'p1',
			name: TRIGGER,
			type: 'n8n-nodes-ehr.ehrFhirTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				pollTimes: EVERY_5_SECONDS,
				authentication: 'smartBackendServicesApi',
				event: 'resourceChanged',
				resourceType: 'Patient',
				options: {},
			},
			credentials: BS_CREDENTIAL,
		},
		{
			id: 'p2',
			name: 'Received',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [240, 0],
			parameters: {},
		},
	],
};

const MPP_TRIGGER = 'Appointment Changes';
const mppWorkflow: WorkflowJson = {
	id: 'e2ePollMppTrig01',
	name: 'e2e: MyPatientPortal Trigger',
	active: false,
	settings: { executionOrder: 'v1' },
	connections: { [MPP_TRIGGER]: { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	nodes: [
		{
			id: 'q1',
			name: MPP_TRIGGER,
			type: 'n8n-nodes-ehr.myPatientPortalTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				pollTimes: EVERY_5_SECONDS,
				events: [
					'appointmentBooked',
					'appointmentCancelled',
					'appointmentRescheduled',
					'appointmentStatusChanged',
					'earlierAvailabilityFound',
				],
			},
			credentials: {
				myPatientPortalOAuth2Api: { id: 'ehrDemoMpp000001', name: 'MyPatientPortal (sandbox)' },
			},
		},
		{
			id: 'q2',
			name: 'Received',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [240, 0],
			parameters: {},
		},
	],
};

/** examples/05 with 5-second Poll Times instead of its every-minute default */
function fastExample(): WorkflowJson {
	const ex = loadExamples().find((e) => e.file.startsWith('05-'));
	if (!ex) throw new Error('examples/05-… is missing');
	const wf = JSON.parse(JSON.stringify(ex.workflow)) as WorkflowJson;
	const trigger = wf.nodes.find((n) => n.type === 'n8n-nodes-ehr.ehrFhirTrigger')!;
	(trigger.parameters as Record<string, unknown>).pollTimes = EVERY_5_SECONDS;
	return { ...wf, id: `${wf.id.slice(0, 14)}Fa`, name: `${wf.name} (5 s)` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Delivery {
	executionId: string;
	keys: string[];
}

/** Every execution of the workflow with the `Patient/id@version` keys its trigger delivered. */
async function deliveries(env: Env, workflowId: string, trigger: string): Promise<Delivery[]> {
	const execs = await env.n8n.finishedExecutions(workflowId, 0, 30_000);
	const out: Delivery[] = [];
	for (const e of execs) {
		expect({ id: e.id, status: e.status }).toEqual({ id: e.id, status: 'success' });
		const run = await env.n8n.execution(e.id);
		out.push({
			executionId: e.id,
			keys: (run.nodes[trigger]?.items ?? []).map((i) =>
				i.appointmentId !== undefined
					? `${String(i.event)}:${String(i.appointmentId)}${i.earlierAvailability ? `:${String((i.earlierAvailability as { id?: string }).id)}` : ''}`
					: `${String(i.resourceType)}/${String(i.id)}@${String((i.meta as { versionId?: string })?.versionId)}:${String(i.event)}`,
			),
		});
	}
	return out.sort((a, b) => Number(a.executionId) - Number(b.executionId));
}

/**
 * Waits until the workflow's executions delivered at least `n` items, then two more poll rounds
 * (an extra delivery would show by then); the deliveries.
 */
async function waitForDeliveries(
	env: Env,
	workflowId: string,
	n: number,
	trigger = TRIGGER,
): Promise<Delivery[]> {
	const deadline = Date.now() + 90_000;
	for (;;) {
		const d = await deliveries(env, workflowId, trigger);
		if (d.flatMap((x) => x.keys).length >= n || Date.now() > deadline) break;
		await sleep(1000);
	}
	await sleep(11_000);
	return await deliveries(env, workflowId, trigger);
}

const newPatient = (family: string) => ({
	resourceType: 'Patient',
	name: [{ family, given: ['Poll'] }],
	birthDate: '1985-04-05',
});

function writer(env: Env) {
	const c = client(env.sandbox, 'smart', ['user/*.read', 'user/*.write']);
	return {
		async create(family: string): Promise<string> {
			const r = await c.call('POST', 'Patient', newPatient(family));
			expect(r.status).toBe(201);
			return `Patient/${String(r.body.id)}@1:created`;
		},
		async update(id: string): Promise<string> {
			const cur = (await c.get(`Patient/${id}`)).body;
			const r = await c.call('PUT', `Patient/${id}`, { ...cur, gender: 'other' });
			expect(r.status).toBe(200);
			return `Patient/${id}@${String(r.body.meta.versionId)}:updated`;
		},
	};
}

const flat = (d: Delivery[]) => d.flatMap((x) => x.keys);

/** Changes to the demo patient's appointments, as the patient (portal API) or the practice (admin). */
function portal(env: Env) {
	const token = env.sandbox.app.tokens.issue({
		surface: 'mpp',
		clientId: 'e2e',
		scopes: ['appointment_read', 'appointment_write'],
		lifetimeSeconds: 3600,
		patient: DEMO_PATIENT,
	}).access_token;
	const call = async (method: string, path: string, body?: unknown, asAdmin = false) => {
		const r = await fetch(
			`${env.sandbox.url}${asAdmin ? '/_admin/mpp' : '/mpp/api/portal/v1'}${path}`,
			{
				method,
				headers: {
					'content-type': 'application/json',
					...(asAdmin ? {} : { authorization: `Bearer ${token}` }),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			},
		);
		const json = (await r.json()) as { data: Record<string, unknown> };
		if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(json)}`);
		return json.data;
	};
	return {
		/** books the first free slot (of a type with the ASAP list, subscribed, with `asap`) */
		async book(asap = false): Promise<string> {
			const { slot, insuranceId } = freeSlot(env.sandbox.app, { asap });
			const a = await call('POST', '/booking', {
				availability_id: slot.id,
				insurance_id: insuranceId,
				...(asap ? { asap_list_opt_in: true, email: 'patient@example.org' } : {}),
			});
			return String(a.id);
		},
		cancel: async (id: string) => void (await call('DELETE', `/appointments/${id}`)),
		move: async (id: string) =>
			void (await call('POST', `/appointments/${id}`, { move: 'next' }, true)),
		status: async (id: string, status: string) =>
			void (await call('POST', `/appointments/${id}`, { status }, true)),
		openEarlier: async (id: string, minutesFromNow: number) =>
			String((await call('POST', '/slots', { appointment_id: id, minutesFromNow }, true)).id),
	};
}

describe('regular mode (SQLite, one main process)', () => {
	let env: Env | undefined;
	beforeAll(async () => {
		env = await startEnv({
			workflows: [fhirWorkflow, mppWorkflow, fastExample()],
		});
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await stopEnv(env);
	}, 120_000);

	test('activated: nothing at first; then each created or updated patient exactly once', async () => {
		const { n8n } = env!;
		await n8n.activate(fhirWorkflow.id);
		await sleep(6000);
		expect(await deliveries(env!, fhirWorkflow.id, TRIGGER)).toEqual([]);
		const w = writer(env!);
		const expected = [
			await w.create('First'),
			await w.create('Second'),
			await w.update('pt-00004'),
		];
		const got = await waitForDeliveries(env!, fhirWorkflow.id, expected.length);
		process.stderr.write(
			`regular: ${flat(got).length} delivered / ${expected.length} expected in ${got.length} executions\n`,
		);
		expect(flat(got).sort()).toEqual([...expected].sort());
	});

	test('MyPatientPortal Trigger: booked, cancelled, moved, status changed, earlier slot: one event each', async () => {
		const { n8n } = env!;
		const p = portal(env!);
		// before activation: remembered, not delivered; on the first free slot of its type, so no
		// earlier slot exists until one is opened (other bookings cannot offer it another)
		const asap = await p.book(true);
		await n8n.activate(mppWorkflow.id);
		await sleep(6000);
		expect(await deliveries(env!, mppWorkflow.id, MPP_TRIGGER)).toEqual([]);
		// a poll runs every 5 s: 6 s apart, each step is seen by its own poll
		const a = await p.book();
		const b = await p.book();
		await sleep(6000);
		await p.cancel(a);
		await p.move(b);
		await sleep(6000);
		await p.status(b, 'confirmed');
		const slot = await p.openEarlier(asap, 10);
		const expected = [
			`appointmentBooked:${a}`,
			`appointmentBooked:${b}`,
			`appointmentCancelled:${a}`,
			`appointmentRescheduled:${b}`,
			`appointmentStatusChanged:${b}`,
			`earlierAvailabilityFound:${asap}:${slot}`,
		];
		const got = flat(await waitForDeliveries(env!, mppWorkflow.id, expected.length, MPP_TRIGGER));
		process.stderr.write(
			`mpp regular: ${got.length} delivered / ${expected.length} expected: ${got.join(', ')}\n`,
		);
		expect(got.sort()).toEqual([...expected].sort());
	});

	test('restart on the same user folder: nothing replayed, the changes made while down delivered once', async () => {
		const { n8n } = env!;
		const before = flat(await deliveries(env!, fhirWorkflow.id, TRIGGER));
		expect(before.length).toBe(3);
		const mppBefore = flat(await deliveries(env!, mppWorkflow.id, MPP_TRIGGER));
		const w = writer(env!);
		const p = portal(env!);
		const whileDown: string[] = [];
		const mppWhileDown: string[] = [];
		await n8n.restart(async () => {
			whileDown.push(await w.create('WhileDown1'), await w.create('WhileDown2'));
			whileDown.push(await w.update('pt-00005'));
			mppWhileDown.push(`appointmentBooked:${await p.book()}`);
		});
		const after = await waitForDeliveries(env!, fhirWorkflow.id, before.length + whileDown.length);
		const all = flat(after);
		const mppAll = flat(await deliveries(env!, mppWorkflow.id, MPP_TRIGGER));
		process.stderr.write(
			`restart: EHR FHIR ${all.length - before.length} delivered / ${whileDown.length} expected after the restart (${all.length} in total); MyPatientPortal ${mppAll.length - mppBefore.length} / ${mppWhileDown.length}\n`,
		);
		expect(all.sort()).toEqual([...before, ...whileDown].sort());
		expect(mppAll.sort()).toEqual([...mppBefore, ...mppWhileDown].sort());
		await n8n.deactivate(fhirWorkflow.id);
		await n8n.deactivate(mppWorkflow.id);
	});

	test('example 05: a new patient → Get Patient → List Immunizations → the reminder text', async () => {
		const { n8n } = env!;
		const wf = fastExample();
		await n8n.activate(wf.id);
		await sleep(6000);
		const w = writer(env!);
		const key = await w.create('Reminder');
		const id = key.slice('Patient/'.length, key.indexOf('@'));
		const trigger = wf.nodes.find((n) => n.type === 'n8n-nodes-ehr.ehrFhirTrigger')!.name;
		const got = await waitForDeliveries(env!, wf.id, 1, trigger);
		expect(flat(got)).toEqual([key]);
		const run = await n8n.execution(got[0].executionId);
		const message = Object.values(run.nodes).find((r) =>
			r.items.some((i) => typeof i.message === 'string'),
		);
		expect(message?.items).toHaveLength(1);
		expect(message?.items[0]).toMatchObject({ patientId: id });
		expect(String(message?.items[0].message)).toContain('Poll Reminder');
		await n8n.deactivate(wf.id);
	});
});

describe('queue mode (PostgreSQL, Redis, main + 2 workers)', () => {
	let env: QueueEnv | undefined;
	beforeAll(async () => {
		env = await startQueueEnv([fhirWorkflow, mppWorkflow]);
	}, E2E_TIMEOUT);
	afterAll(async () => {
		await stopQueueEnv(env);
	}, 120_000);

	test('each change starts exactly one execution, run by a worker', async () => {
		const { n8n } = env!;
		await n8n.activate(fhirWorkflow.id);
		await n8n.activate(mppWorkflow.id);
		await sleep(6000);
		const w = writer(env!);
		const p = portal(env!);
		const expected = [await w.create('Queue1'), await w.create('Queue2')];
		const booked = await p.book();
		await sleep(6000);
		expected.push(await w.update('pt-00006'));
		await p.cancel(booked);
		const got = await waitForDeliveries(env!, fhirWorkflow.id, expected.length);
		const mpp = await waitForDeliveries(env!, mppWorkflow.id, 2, MPP_TRIGGER);
		process.stderr.write(`queue mpp: ${flat(mpp).join(', ')}\n`);
		expect(flat(mpp).sort()).toEqual(
			[`appointmentBooked:${booked}`, `appointmentCancelled:${booked}`].sort(),
		);
		process.stderr.write(
			`queue: ${flat(got).length} delivered / ${expected.length} expected in ${got.length} executions\n`,
		);
		expect(flat(got).sort()).toEqual([...expected].sort());
		got.push(...mpp);
		const ran = workerExecutions(env!);
		for (const d of got)
			expect({ id: d.executionId, worker: ran.has(d.executionId) }).toEqual({
				id: d.executionId,
				worker: true,
			});
		await n8n.deactivate(fhirWorkflow.id);
		await n8n.deactivate(mppWorkflow.id);
	});
});
