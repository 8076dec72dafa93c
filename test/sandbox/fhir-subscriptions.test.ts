// R4 rest-hook Subscriptions on the SMART store (sandbox/fhir-store/subscriptions.ts), delivered
// to a real HTTP listener on loopback: create → handshake → active; notifications for writes
// through the REST API, batch, transaction (none for one that was undone) and the admin seed;
// channel headers on each POST; payload absent = empty body; criteria filters; no notification
// for a delete; failures → status error; non-loopback endpoints refused; the eMedicalPractice and
// 1upHealth stores have no Subscription (and do not declare one).
import type { Sandbox } from '../../sandbox/server';
import { withSandbox } from '../helpers/sandbox';
import { client, type FhirClient } from './fhir-store-util';
import { startListener, until, type Listener, type Received } from './subscription-util';

let sb: Sandbox;
let listener: Listener;
let endpoint: string;
let received: Received[];
let answer = 200;
let smart: FhirClient;

beforeAll(async () => {
	sb = await withSandbox({ patients: 20 });
	listener = await startListener(() => answer);
	({ endpoint, received } = listener);
});
afterAll(async () => {
	await listener.close();
	await sb.close();
});
beforeEach(() => {
	sb.app.reset();
	received.length = 0;
	answer = 200;
	smart = client(sb, 'smart', ['user/*.read', 'user/*.write']);
});

async function deliveries(): Promise<Array<Record<string, unknown>>> {
	const r = await fetch(`${sb.url}/_admin/fhir/subscriptions/deliveries`);
	return ((await r.json()) as { deliveries: Array<Record<string, unknown>> }).deliveries;
}

function subscription(extra: Record<string, unknown> = {}, channel: Record<string, unknown> = {}) {
	return {
		resourceType: 'Subscription',
		status: 'requested',
		reason: 'test',
		criteria: 'Patient?',
		channel: {
			type: 'rest-hook',
			endpoint,
			payload: 'application/fhir+json',
			header: ['X-Test-Secret: s3cr3t'],
			...channel,
		},
		...extra,
	};
}

/** Creates a Subscription and waits until it is active. */
async function subscribe(extra?: Record<string, unknown>, channel?: Record<string, unknown>) {
	const r = await smart.call('POST', 'Subscription', subscription(extra, channel));
	expect(r.status).toBe(201);
	expect(r.body.status).toBe('requested');
	const id = r.body.id as string;
	await until(
		async () => (await smart.get(`Subscription/${id}`)).body.status === 'active',
		'active',
	);
	return id;
}

const patient = (family: string) => ({ resourceType: 'Patient', name: [{ family }] });

it('handshake (empty POST with the channel headers) → active; each new Patient is POSTed with the headers', async () => {
	const id = await subscribe();
	expect(received).toHaveLength(1);
	expect(received[0].body).toBe('');
	expect(received[0].headers['x-test-secret']).toBe('s3cr3t');
	for (const f of ['A', 'B', 'C'])
		expect((await smart.call('POST', 'Patient', patient(f))).status).toBe(201);
	await until(() => received.length === 4, 'three notifications');
	const events = received.slice(1).map((x) => JSON.parse(x.body) as Record<string, unknown>);
	expect(events.map((e) => (e.name as Array<{ family: string }>)[0].family)).toEqual([
		'A',
		'B',
		'C',
	]);
	expect(received.slice(1).every((x) => x.headers['x-test-secret'] === 's3cr3t')).toBe(true);
	expect(received[1].headers['content-type']).toBe('application/fhir+json');
	const log = await deliveries();
	expect(log.map((d) => [d.kind, d.ok, d.subscription])).toEqual([
		['handshake', true, id],
		['event', true, id],
		['event', true, id],
		['event', true, id],
	]);
	const read = await smart.get(`Subscription/${id}`);
	expect(read.body.channel.endpoint).toBe(endpoint);
});

it('payload absent → empty notifications; criteria filter; no notification for a delete or an unrelated type', async () => {
	await subscribe({ criteria: 'Observation?status=final' }, { payload: undefined });
	const obs = (status: string) => ({
		resourceType: 'Observation',
		status,
		code: { text: 'x' },
		subject: { reference: 'Patient/pt-00001' },
	});
	const a = await smart.call('POST', 'Observation', obs('final'));
	await smart.call('POST', 'Observation', obs('preliminary'));
	await smart.call('POST', 'Patient', patient('Z'));
	await smart.call('DELETE', `Observation/${a.body.id as string}`);
	await smart.call('POST', 'Observation', obs('final'));
	await until(() => received.length === 3, 'two notifications');
	await new Promise((r) => setTimeout(r, 100));
	expect(received).toHaveLength(3);
	expect(received.map((x) => x.body)).toEqual(['', '', '']);
	expect(received[1].headers['content-type']).toBeUndefined();
});

it('batch and transaction entries notify; an undone transaction and Subscription writes do not', async () => {
	await subscribe();
	const post = (family: string) => ({
		resource: patient(family),
		request: { method: 'POST', url: 'Patient' },
	});
	const batch = await smart.call('POST', '', {
		resourceType: 'Bundle',
		type: 'batch',
		entry: [post('B1'), post('B2')],
	});
	expect(batch.status).toBe(200);
	const failing = await smart.call('POST', '', {
		resourceType: 'Bundle',
		type: 'transaction',
		entry: [post('T-undone'), { request: { method: 'DELETE', url: 'Patient/nope-0' } }],
	});
	expect(failing.status).toBeGreaterThanOrEqual(400);
	const tx = await smart.call('POST', '', {
		resourceType: 'Bundle',
		type: 'transaction',
		entry: [post('T1')],
	});
	expect(tx.status).toBe(200);
	await until(() => received.length === 4, 'three notifications');
	await new Promise((r) => setTimeout(r, 100));
	const families = received
		.slice(1)
		.map((x) => (JSON.parse(x.body) as { name: Array<{ family: string }> }).name[0].family);
	expect(families).toEqual(['B1', 'B2', 'T1']);
});

it('the admin seed notifies too', async () => {
	await subscribe({ criteria: 'Observation?' });
	const r = await fetch(`${sb.url}/_admin/fhir/seed`, {
		method: 'POST',
		body: JSON.stringify({ surface: 'smart', resourceType: 'Observation', count: 5 }),
	});
	expect(r.status).toBe(201);
	await until(() => received.length === 6, 'five notifications');
});

it('an endpoint that fails the handshake → status error with the reason; a failing event → error, nothing more sent', async () => {
	answer = 500;
	const r = await smart.call('POST', 'Subscription', subscription());
	const id = r.body.id as string;
	const failed = await until(async () => {
		const s = (await smart.get(`Subscription/${id}`)).body;
		return s.status === 'error' ? s : undefined;
	}, 'error');
	expect(failed.error).toMatch(/answered 500 to the handshake/);
	answer = 200;
	const ok = await subscribe();
	answer = 503;
	await smart.call('POST', 'Patient', patient('X'));
	await until(async () => (await smart.get(`Subscription/${ok}`)).body.status === 'error', 'error');
	answer = 200;
	await smart.call('POST', 'Patient', patient('Y'));
	await new Promise((res) => setTimeout(res, 100));
	// the failed handshake, the good handshake, the failed event: nothing for Y
	expect(received).toHaveLength(3);
	expect((await deliveries()).map((d) => d.ok)).toEqual([false, true, false]);
});

it('refuses non-loopback endpoints, other channel types and payloads, bad criteria (OperationOutcome, nothing stored)', async () => {
	const cases: Array<[Record<string, unknown>, Record<string, unknown>, number, RegExp]> = [
		[{}, { endpoint: 'https://example.org/hook' }, 422, /loopback/],
		[{}, { endpoint: 'http://10.0.0.1/hook' }, 422, /loopback/],
		[{}, { type: 'websocket' }, 422, /rest-hook only/],
		[{}, { payload: 'application/fhir+xml' }, 422, /payload/],
		[{}, { header: 'X: y' }, 400, /array/],
		[{ criteria: 'Nothing?' }, {}, 400, /resource type/],
	];
	for (const [extra, channel, status, re] of cases) {
		const r = await smart.call('POST', 'Subscription', subscription(extra, channel));
		expect([r.status, r.body.resourceType]).toEqual([status, 'OperationOutcome']);
		expect(r.body.issue[0].diagnostics).toMatch(re);
	}
	expect((await smart.get('Subscription')).body.total).toBe(0);
	await new Promise((res) => setTimeout(res, 50));
	expect(received).toHaveLength(0);
});

it('delete → 410 on read, a second delete is harmless, nothing more is sent; unknown → 404', async () => {
	const id = await subscribe();
	expect((await smart.call('DELETE', `Subscription/${id}`)).status).toBe(200);
	expect((await smart.call('DELETE', `Subscription/${id}`)).status).toBe(200);
	expect((await smart.get(`Subscription/${id}`)).status).toBe(410);
	expect((await smart.get('Subscription/none-1')).status).toBe(404);
	await smart.call('POST', 'Patient', patient('after'));
	await new Promise((res) => setTimeout(res, 100));
	expect(received).toHaveLength(1);
});

it('declared on SMART only; eMedicalPractice and 1upHealth have no Subscription', async () => {
	const types = async (path: string) =>
		(
			(await (await fetch(`${sb.url}${path}/metadata`)).json()) as {
				rest: Array<{ resource: Array<{ type: string }> }>;
			}
		).rest[0].resource.map((r) => r.type);
	expect(await types('/smart/fhir')).toContain('Subscription');
	expect(await types('/emp/fhir/r4')).not.toContain('Subscription');
	expect(await types('/1up/api/r4')).not.toContain('Subscription');
	const emp = client(sb, 'emp', ['user/*.read', 'user/*.write']);
	const r = await emp.call('POST', 'Subscription', subscription());
	expect(r.status).toBe(404);
	expect(received).toHaveLength(0);
});

it('a token without write scope cannot create one', async () => {
	const ro = client(sb, 'smart', ['user/*.read']);
	expect((await ro.call('POST', 'Subscription', subscription())).status).toBe(403);
});
