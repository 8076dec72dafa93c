// Topic-based Subscriptions (Subscriptions R5 Backport IG, R4) on the SMART store
// (sandbox/fhir-store/backport.ts), delivered to a real HTTP listener on loopback: the
// CapabilityStatement declares the backport; handshake Bundle → active; event notifications
// numbered from 1 with each payload content (full-resource, id-only, empty); topic trigger
// (created vs updated) and backport-filter-criteria matching; heartbeats (admin route, and the
// heartbeat-period timer); `$status` and `$events`; lost notifications (admin drop) recovered
// through `$events`; unknown topic, bad filters, bad content → 400 and nothing stored; R4
// criteria Subscriptions unchanged (empty handshake, the resource as the body).
import type { Sandbox } from '../../sandbox/server';
import { withSandbox } from '../helpers/sandbox';
import { armedHeartbeats } from '../../sandbox/fhir-store/backport';
import { client, type FhirClient } from './fhir-store-util';
import { startListener, until, type Listener, type Received } from './subscription-util';

const BP = 'http://hl7.org/fhir/uv/subscriptions-backport';
const TOPIC = 'http://n8n-nodes-ehr.example/fhir/SubscriptionTopic';

let sb: Sandbox;
let listener: Listener;
let endpoint: string;
let received: Received[];
let smart: FhirClient;

beforeAll(async () => {
	sb = await withSandbox({ patients: 20 });
	listener = await startListener();
	({ endpoint, received } = listener);
});
afterAll(async () => {
	await listener.close();
	await sb.close();
});
beforeEach(() => {
	sb.app.reset();
	received.length = 0;
	smart = client(sb, 'smart', ['user/*.read', 'user/*.write']);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function topicSubscription(
	topic: string,
	opts: { filters?: string[]; content?: string; heartbeat?: number } = {},
): Json {
	const channelExt: Json[] = [];
	if (opts.heartbeat !== undefined)
		channelExt.push({
			url: `${BP}/StructureDefinition/backport-heartbeat-period`,
			valueUnsignedInt: opts.heartbeat,
		});
	return {
		resourceType: 'Subscription',
		meta: { profile: [`${BP}/StructureDefinition/backport-subscription`] },
		status: 'requested',
		reason: 'test',
		criteria: `${TOPIC}/${topic}`,
		...(opts.filters
			? {
					_criteria: {
						extension: opts.filters.map((valueString) => ({
							url: `${BP}/StructureDefinition/backport-filter-criteria`,
							valueString,
						})),
					},
				}
			: {}),
		channel: {
			...(channelExt.length ? { extension: channelExt } : {}),
			type: 'rest-hook',
			endpoint,
			payload: 'application/fhir+json',
			_payload: {
				extension: [
					{
						url: `${BP}/StructureDefinition/backport-payload-content`,
						valueCode: opts.content ?? 'full-resource',
					},
				],
			},
			header: ['X-Test-Secret: s3cr3t'],
		},
	};
}

/** An R4 criteria Subscription on every Patient. */
const r4Subscription = (channel: Json = {}): Json => ({
	resourceType: 'Subscription',
	status: 'requested',
	criteria: 'Patient?',
	reason: 'r4',
	channel: { type: 'rest-hook', endpoint, ...channel },
});

async function subscribe(body: Json): Promise<string> {
	const r = await smart.call('POST', 'Subscription', body);
	expect(r.status).toBe(201);
	const id = r.body.id as string;
	await until(
		async () => (await smart.get(`Subscription/${id}`)).body.status === 'active',
		'active',
	);
	return id;
}

const bundles = () => received.map((r) => JSON.parse(r.body) as Json);
/** the status Parameters of a notification Bundle, as name → value */
function statusOf(b: Json): Json {
	const p = b.entry[0].resource;
	expect(p.resourceType).toBe('Parameters');
	expect(p.meta.profile).toEqual([`${BP}/StructureDefinition/backport-subscription-status-r4`]);
	const out: Json = { events: [] };
	for (const x of p.parameter as Json[]) {
		if (x.name === 'notification-event')
			out.events.push(
				Object.fromEntries(
					(x.part as Json[]).map((q) => [
						q.name,
						q.valueString ?? q.valueInstant ?? q.valueReference?.reference,
					]),
				),
			);
		else
			out[x.name] = x.valueCode ?? x.valueString ?? x.valueCanonical ?? x.valueReference?.reference;
	}
	return out;
}
const patient = (family: string, gender = 'female') => ({
	resourceType: 'Patient',
	name: [{ family }],
	gender,
});

it('the SMART CapabilityStatement declares the backport; eMedicalPractice and 1upHealth declare no Subscription', async () => {
	const cs = (await smart.get('metadata')).body;
	expect(cs.instantiates).toEqual([`${BP}/CapabilityStatement/backport-subscription-server-r4`]);
	const sub = (cs.rest[0].resource as Json[]).find((r) => r.type === 'Subscription')!;
	expect(sub.supportedProfile).toEqual([`${BP}/StructureDefinition/backport-subscription`]);
	const topics = (sub.extension as Json[])
		.filter(
			(e) => e.url === `${BP}/StructureDefinition/capabilitystatement-subscriptiontopic-canonical`,
		)
		.map((e) => e.valueCanonical);
	expect(topics).toContain(`${TOPIC}/patient-created`);
	expect(topics).toContain(`${TOPIC}/appointment-booked`);
	expect(topics.length).toBeGreaterThanOrEqual(4);
	expect((sub.operation as Json[]).map((o) => o.name)).toEqual(['status', 'events']);
	for (const surface of ['emp', 'oneup'] as const) {
		const other = (await client(sb, surface, ['user/*.read']).get('metadata')).body;
		expect(other.instantiates).toBeUndefined();
		expect((other.rest[0].resource as Json[]).map((r) => r.type)).not.toContain('Subscription');
	}
});

it('handshake Bundle → active; full-resource events numbered 1, 2 with timestamp, focus and the resource', async () => {
	const id = await subscribe(topicSubscription('patient-created'));
	const [hs] = bundles();
	expect(received[0].headers['x-test-secret']).toBe('s3cr3t');
	expect(received[0].headers['content-type']).toBe('application/fhir+json');
	expect(hs).toMatchObject({ resourceType: 'Bundle', type: 'history' });
	expect(statusOf(hs)).toMatchObject({
		type: 'handshake',
		topic: `${TOPIC}/patient-created`,
		subscription: `${sb.url}/smart/fhir/Subscription/${id}`,
		'events-since-subscription-start': '0',
		events: [],
	});
	const a = await smart.call('POST', 'Patient', patient('Alpha'));
	const b = await smart.call('POST', 'Patient', patient('Beta'));
	await until(() => received.length === 3, 'two events');
	const [e1, e2] = bundles().slice(1);
	expect(statusOf(e1)).toMatchObject({
		type: 'event-notification',
		'events-since-subscription-start': '1',
		events: [
			{
				'event-number': '1',
				timestamp: a.body.meta.lastUpdated,
				focus: `${sb.url}/smart/fhir/Patient/${a.body.id as string}`,
			},
		],
	});
	expect(e1.entry[1]).toMatchObject({
		fullUrl: `${sb.url}/smart/fhir/Patient/${a.body.id as string}`,
		resource: { resourceType: 'Patient', id: a.body.id, name: [{ family: 'Alpha' }] },
		request: { method: 'POST', url: 'Patient' },
	});
	expect(statusOf(e2).events[0]['event-number']).toBe('2');
	expect(e2.entry[1].resource.id).toBe(b.body.id);
	// patient-created: an update is not an event of this topic
	await smart.call('PUT', `Patient/${a.body.id as string}`, { ...a.body, gender: 'male' });
	await smart.call('POST', 'Patient', patient('Gamma'));
	await until(() => received.length === 4, 'the third event');
	expect(bundles()[3].entry[1].resource.name[0].family).toBe('Gamma');
	expect(statusOf(bundles()[3]).events[0]['event-number']).toBe('3');
});

it('id-only: entries with fullUrl and request, no resource; empty: the status alone (no focus)', async () => {
	await subscribe(topicSubscription('patient-updated', { content: 'id-only' }));
	await subscribe(topicSubscription('patient-updated', { content: 'empty' }));
	const a = await smart.call('POST', 'Patient', patient('Delta'));
	await smart.call('PUT', `Patient/${a.body.id as string}`, { ...a.body, gender: 'male' });
	await until(() => received.length === 4, 'two events');
	const events = bundles().filter((b) => statusOf(b).type === 'event-notification');
	const idOnly = events.find((b) => b.entry.length === 2)!;
	const empty = events.find((b) => b.entry.length === 1)!;
	expect(idOnly.entry[1]).toEqual({
		fullUrl: `${sb.url}/smart/fhir/Patient/${a.body.id as string}`,
		request: { method: 'PUT', url: `Patient/${a.body.id as string}` },
		response: { status: '200' },
	});
	expect(statusOf(idOnly).events[0].focus).toBe(
		`${sb.url}/smart/fhir/Patient/${a.body.id as string}`,
	);
	expect(statusOf(empty).events).toEqual([{ 'event-number': '1', timestamp: expect.any(String) }]);
});

it('filter criteria: only matching resources are events; numbering counts events, not writes', async () => {
	await subscribe(topicSubscription('patient-created', { filters: ['Patient?gender=male'] }));
	await smart.call('POST', 'Patient', patient('F1', 'female'));
	await smart.call('POST', 'Patient', patient('M1', 'male'));
	await smart.call('POST', 'Patient', patient('F2', 'female'));
	await smart.call('POST', 'Patient', patient('M2', 'male'));
	await until(() => received.length === 3, 'two events');
	const events = bundles().slice(1);
	expect(events.map((b) => b.entry[1].resource.name[0].family)).toEqual(['M1', 'M2']);
	expect(events.map((b) => statusOf(b).events[0]['event-number'])).toEqual(['1', '2']);
});

it('heartbeat: the admin route sends one now; the heartbeat-period timer sends one after quiet seconds', async () => {
	const id = await subscribe(topicSubscription('patient-created', { heartbeat: 1 }));
	const r = await fetch(`${sb.url}/_admin/fhir/subscriptions/${id}/heartbeat`, {
		method: 'POST',
	});
	expect(r.status).toBe(200);
	expect(((await r.json()) as Json).delivery).toMatchObject({ kind: 'heartbeat', ok: true });
	const hb = bundles()[1];
	expect(statusOf(hb)).toMatchObject({ type: 'heartbeat', 'events-since-subscription-start': '0' });
	expect(hb.entry).toHaveLength(1);
	// the period timer: another heartbeat follows without anything else happening
	await until(() => received.length >= 3, 'a timed heartbeat');
	expect(statusOf(bundles()[2]).type).toBe('heartbeat');
	expect(armedHeartbeats(sb.app)).toBe(1);
	// deleted: the timer cleared, no more heartbeats; the admin route answers 404 (no Subscription)
	await smart.call('DELETE', `Subscription/${id}`);
	expect(armedHeartbeats(sb.app)).toBe(0);
	const count = received.length;
	await new Promise((res) => setTimeout(res, 1300));
	expect(received.length).toBe(count);
	expect(
		(await fetch(`${sb.url}/_admin/fhir/subscriptions/${id}/heartbeat`, { method: 'POST' })).status,
	).toBe(404);
	// reset clears the timers of the Subscriptions it drops
	await subscribe(topicSubscription('patient-created', { heartbeat: 60 }));
	expect(armedHeartbeats(sb.app)).toBe(1);
	sb.app.reset();
	expect(armedHeartbeats(sb.app)).toBe(0);
	smart = client(sb, 'smart', ['user/*.read', 'user/*.write']);
	// an R4 criteria Subscription gets no heartbeat: 404 from the route
	const r4 = await smart.call('POST', 'Subscription', r4Subscription());
	expect(
		(
			await fetch(`${sb.url}/_admin/fhir/subscriptions/${r4.body.id as string}/heartbeat`, {
				method: 'POST',
			})
		).status,
	).toBe(404);
});

it('$status and $events; notifications dropped by the admin route are recovered through $events', async () => {
	const id = await subscribe(topicSubscription('patient-created', { content: 'id-only' }));
	const status = await smart.get(`Subscription/${id}/$status`);
	expect(status.status).toBe(200);
	expect(status.body.type).toBe('searchset');
	const st = statusOf(status.body);
	expect(st).toMatchObject({ type: 'query-status', status: 'active' });
	expect(st['events-since-subscription-start']).toBe('0');
	await smart.call('POST', 'Patient', patient('One'));
	await until(() => received.length === 2, 'event 1');
	const drop = await fetch(`${sb.url}/_admin/fhir/subscriptions/${id}/drop?count=2`, {
		method: 'POST',
	});
	expect(drop.status).toBe(200);
	const two = await smart.call('POST', 'Patient', patient('Two'));
	const three = await smart.call('POST', 'Patient', patient('Three'));
	await smart.call('POST', 'Patient', patient('Four'));
	await until(() => received.length === 3, 'event 4');
	expect(statusOf(bundles()[2]).events[0]['event-number']).toBe('4');
	const dropped = (
		(await (await fetch(`${sb.url}/_admin/fhir/subscriptions/deliveries`)).json()) as {
			deliveries: Json[];
		}
	).deliveries.filter((d) => d.dropped);
	expect(dropped.map((d) => d.eventNumber)).toEqual([2, 3]);
	// the missing ones, as a client recovers them (full resources on request)
	const ev = await smart.get(
		`Subscription/${id}/$events?eventsSinceNumber=2&eventsUntilNumber=3&content=full-resource`,
	);
	expect(ev.status).toBe(200);
	expect(ev.body.type).toBe('history');
	const q = statusOf(ev.body);
	expect(q.type).toBe('query-event');
	expect(q['events-since-subscription-start']).toBe('4');
	expect(q.events.map((e: Json) => e['event-number'])).toEqual(['2', '3']);
	expect(ev.body.entry.slice(1).map((e: Json) => e.resource.id)).toEqual([
		two.body.id,
		three.body.id,
	]);
	// bad numbers → 400; an R4 criteria Subscription has no $events
	expect((await smart.get(`Subscription/${id}/$events?eventsSinceNumber=x`)).status).toBe(400);
	const r4 = await smart.call('POST', 'Subscription', r4Subscription());
	expect((await smart.get(`Subscription/${r4.body.id as string}/$events`)).status).toBe(400);
});

it('unknown topic, a filter on another type or parameter, a bad content code → 400 OperationOutcome, nothing stored', async () => {
	const bad = [
		topicSubscription('no-such-topic'),
		topicSubscription('patient-created', { filters: ['Observation?code=x'] }),
		topicSubscription('patient-created', { filters: ['Patient?telecom=x'] }),
		topicSubscription('patient-created', { content: 'everything' }),
		topicSubscription('patient-created', { heartbeat: -1 }),
	];
	for (const body of bad) {
		const r = await smart.call('POST', 'Subscription', body);
		expect([r.status, r.body.resourceType]).toEqual([400, 'OperationOutcome']);
	}
	expect((await smart.get('Subscription')).body.total).toBe(0);
	expect(received).toEqual([]);
});

it('R4 criteria Subscriptions are unchanged: empty handshake, the resource as the body', async () => {
	const r = await smart.call(
		'POST',
		'Subscription',
		r4Subscription({ payload: 'application/fhir+json' }),
	);
	await until(
		async () => (await smart.get(`Subscription/${r.body.id as string}`)).body.status === 'active',
		'active',
	);
	await smart.call('POST', 'Patient', patient('Plain'));
	await until(() => received.length === 2, 'the event');
	expect(received[0].body).toBe('');
	expect(JSON.parse(received[1].body)).toMatchObject({ resourceType: 'Patient' });
});
