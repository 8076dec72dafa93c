// FHIR Subscription Trigger, webhook(): what the node does with what arrives. Against the
// sandbox end to end (the SMART store POSTs to a loopback listener that hands each request to the
// node through the harness): three new Patients → three executions with their ids, a filter
// that does not match → none. Requests a test sends itself: no secret or a wrong one → 401 and
// nothing starts; handshake / heartbeat (backport Bundles) and empty pings → 200, nothing; an
// id-only event notification → the ids, or the resources read from the credential's server with
// Fetch Resource (never from another origin); Simplify; a body too large → 413; not FHIR → 400.
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { MAX_NOTIFICATION_BYTES } from '../../../nodes/FhirSubscriptionTrigger/helpers/notification';
import { smartWrite, useTriggerSandbox, trigger, until, type Endpoint } from './helpers';

let sb: Sandbox;
let ep: Endpoint;
useTriggerSandbox((s, e) => {
	sb = s;
	ep = e;
});

const patient = (family: string, gender = 'female') => ({
	resourceType: 'Patient',
	gender,
	name: [{ family }],
});

async function active(parameters: Record<string, unknown> = {}) {
	const t = trigger(sb, 'smart', ep.url, parameters);
	ep.use(t);
	await t.hook('create');
	await until(() => ep.calls.length === 1, 'handshake');
	return t;
}

function bundle(type: string, entries: IDataObject[] = []): IDataObject {
	return {
		resourceType: 'Bundle',
		type: 'history',
		entry: [
			{
				fullUrl: 'urn:uuid:7b1c',
				resource: {
					resourceType: 'SubscriptionStatus',
					status: 'active',
					type,
					subscription: { reference: 'Subscription/x' },
				},
			},
			...entries,
		],
	};
}

it('three Patients created through the FHIR API → three executions, one item each, with their ids', async () => {
	await active();
	const ids: string[] = [];
	for (const f of ['Ames', 'Baker', 'Cole']) {
		const r = await smartWrite(sb, 'POST', 'Patient', patient(f));
		ids.push(r.body.id as string);
	}
	await until(() => ep.executions.length === 3, 'three executions');
	expect(ep.executions.map((items) => items.map((i) => [i.json.resourceType, i.json.id]))).toEqual(
		ids.map((id) => [['Patient', id]]),
	);
	expect(ep.calls.map((c) => c.status)).toEqual([200, 200, 200, 200]);
});

it('the filters are the criteria: only matching Patients start the workflow; Simplify flattens', async () => {
	await active({ filters: { filter: [{ name: 'gender', value: 'male' }] }, simplify: true });
	await smartWrite(sb, 'POST', 'Patient', patient('Female'));
	const m = await smartWrite(sb, 'POST', 'Patient', patient('Male', 'male'));
	await until(() => ep.executions.length === 1, 'one execution');
	await new Promise((r) => setTimeout(r, 100));
	expect(ep.executions).toHaveLength(1);
	const item = ep.executions[0][0].json;
	expect(item.id).toBe(m.body.id);
	expect(item.familyName).toBe('Male');
	expect(item.name).toBeUndefined();
});

it('no secret header, or a wrong one → 401, nothing starts', async () => {
	const t = await active();
	const body = patient('Forged') as IDataObject;
	const none = await t.receive({ headers: {}, body });
	const wrong = await t.receive({
		headers: { 'X-Ehr-Webhook-Secret': `${t.staticData.secret as string}0` },
		body,
	});
	const empty = await t.receive({ headers: { 'X-Ehr-Webhook-Secret': '' }, body });
	for (const a of [none, wrong, empty]) {
		expect(a.response?.status).toBe(401);
		expect(a.items).toBeUndefined();
		expect(a.result).toEqual({ noWebhookResponse: true });
	}
	// over HTTP too, as n8n's webhook server would answer the sender
	const r = await fetch(ep.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	expect(r.status).toBe(401);
	expect(ep.executions).toEqual([]);
	// a trigger without a stored secret (never activated) refuses everything
	const fresh = trigger(sb, 'smart', ep.url);
	expect(
		(await fresh.receive({ headers: { 'x-ehr-webhook-secret': 'x' }, body })).response?.status,
	).toBe(401);
	// an empty ping, a backport handshake or heartbeat without the secret: 200 and nothing starts
	// (they carry no data; the handshake may come before n8n saved the secret); an event
	// notification Bundle without it is refused like any body
	const ping = await fresh.receive({ headers: {}, body: {} });
	expect([ping.response?.status, ping.items]).toEqual([200, undefined]);
	for (const type of ['handshake', 'heartbeat']) {
		const bundled = await t.receive({ headers: {}, body: bundle(type) });
		expect([bundled.response?.status, bundled.items]).toEqual([200, undefined]);
	}
	const event = bundle('event-notification', [{ fullUrl: 'Patient/p1', resource: body }]);
	expect((await t.receive({ headers: {}, body: event })).response?.status).toBe(401);
});

it('handshake, heartbeat and empty pings (with the secret) → 200, nothing starts', async () => {
	const t = await active();
	const headers = { 'x-ehr-webhook-secret': t.staticData.secret as string };
	for (const body of [{}, bundle('handshake'), bundle('heartbeat'), bundle('query-status')]) {
		const a = await t.receive({ headers, body });
		expect([a.response?.status, a.items]).toEqual([200, undefined]);
	}
	// the R4 backport's Parameters status
	const params = bundle('x');
	(params.entry as IDataObject[])[0] = {
		resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'heartbeat' }] },
	};
	expect((await t.receive({ headers, body: params })).items).toBeUndefined();
});

it('an id-only event notification: the ids, or with Fetch Resource the resources from the credential server only', async () => {
	const t = await active();
	const headers = { 'x-ehr-webhook-secret': t.staticData.secret as string };
	const a = await smartWrite(sb, 'POST', 'Patient', patient('Idonly'));
	await until(() => ep.executions.length === 1, 'the event');
	const entries = [
		{ fullUrl: `${sb.url}/smart/fhir/Patient/${a.body.id as string}` },
		{ fullUrl: 'Patient/pt-00002' },
		{ fullUrl: 'https://elsewhere.example/fhir/Patient/pt-00003' },
		{ fullUrl: 'Patient/unknown-9' },
	];
	const ids = await trigger(
		sb,
		'smart',
		ep.url,
		{ options: { fetchResource: false } },
		t.staticData,
	).receive({
		headers,
		body: bundle('event-notification', entries),
	});
	expect(ids.items?.map((i) => [i.json.resourceType, i.json.id, i.json.name])).toEqual([
		['Patient', a.body.id, undefined],
		['Patient', 'pt-00002', undefined],
		['Patient', 'pt-00003', undefined],
		['Patient', 'unknown-9', undefined],
	]);
	const before = sb.app.requests.length;
	const fetched = await t.receive({ headers, body: bundle('event-notification', entries) });
	const out = fetched.items!.map((i) => i.json);
	expect((out[0].name as Array<{ family: string }>)[0].family).toBe('Idonly');
	expect(out[1]).toMatchObject({
		resourceType: 'Patient',
		id: 'pt-00002',
		meta: { versionId: '1' },
	});
	expect(out[2]).toMatchObject({
		id: 'pt-00003',
		fetchError: expect.stringMatching(/not the credential's server/),
	});
	expect(out[3]).toMatchObject({ id: 'unknown-9', fetchError: expect.stringMatching(/404/) });
	const reads = sb.app.requests.slice(before).map((r) => `${r.method} ${r.path}`);
	expect(reads).toEqual([
		`GET /smart/fhir/Patient/${a.body.id as string}`,
		'GET /smart/fhir/Patient/pt-00002',
		'GET /smart/fhir/Patient/unknown-9',
	]);
	// full-resource backport notifications: the resources as they came
	const full = await t.receive({
		headers,
		body: bundle('event-notification', [
			{ fullUrl: 'Patient/p1', resource: patient('Full') as IDataObject },
		]),
	});
	expect(full.items?.map((i) => i.json.resourceType)).toEqual(['Patient']);
});

it('a body larger than the bound → 413; a body that is not FHIR → 400; nothing starts', async () => {
	const t = await active();
	const headers = { 'x-ehr-webhook-secret': t.staticData.secret as string };
	const big = await t.receive({
		headers: { ...headers, 'content-length': String(MAX_NOTIFICATION_BYTES + 1) },
		body: patient('Big') as IDataObject,
	});
	expect([big.response?.status, big.items]).toEqual([413, undefined]);
	const raw = await t.receive({
		headers,
		body: {},
		rawBody: Buffer.alloc(MAX_NOTIFICATION_BYTES + 1),
	});
	expect(raw.response?.status).toBe(413);
	const notFhir = await t.receive({ headers, body: { hello: 'world' } });
	expect([notFhir.response?.status, notFhir.items]).toEqual([400, undefined]);
});
