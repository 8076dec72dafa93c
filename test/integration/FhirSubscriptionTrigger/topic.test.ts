// FHIR Subscription Trigger, Subscription Type "Topic" (Subscriptions R5 Backport IG for R4)
// through the harness against the sandbox's SMART store, whose notifications reach the node's
// real webhook() through a loopback listener (helpers.ts): the Topic dropdown from the
// CapabilityStatement (and its error where none is declared); create → the backport Subscription
// on the server, the handshake Bundle answered without an execution, checkExists, delete; events
// → one execution per notification with resource + subscription/topic/eventNumber/timestamp;
// filter criteria; ID Only with and without Fetch Resource, Empty; lost notifications (the
// sandbox's admin drop) read back through $events, or named as missedEvents when the server has
// no $events; a replayed notification starts nothing; heartbeat → 200, nothing starts; a forged
// event without the secret → 401; refusals before anything is sent (no backport declared, an
// R5 server, an undeclared topic, a bad filter); switching Subscription Type or topic replaces the
// old Subscription.
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson } from '../../../sandbox/http';
import { loadOptions, webhookHarness } from '../../harness';
import { FhirSubscriptionTrigger } from '../../../nodes/FhirSubscriptionTrigger/FhirSubscriptionTrigger.node';
import { storeCredentials } from '../EhrFhir/store';
import { subscriptionAdmin } from '../../helpers/sandbox';
import {
	readSubscription,
	smartWrite,
	trigger,
	until,
	useTriggerSandbox,
	type Endpoint,
} from './helpers';

const BP = 'http://hl7.org/fhir/uv/subscriptions-backport';
const TOPIC = 'http://n8n-nodes-ehr.example/fhir/SubscriptionTopic';
const CREATED = `${TOPIC}/patient-created`;

let sb: Sandbox;
let ep: Endpoint;
useTriggerSandbox((s, e) => {
	sb = s;
	ep = e;
	// servers with Subscriptions but no backport: one R4, one R5
	for (const [path, fhirVersion] of [
		['/adhoc-r4sub/fhir', '4.0.1'],
		['/adhoc-r5sub/fhir', '5.0.0'],
	])
		s.app.route('GET', `${path}/metadata`, 'smart', (_req, res) =>
			sendJson(res, 200, {
				resourceType: 'CapabilityStatement',
				status: 'active',
				kind: 'instance',
				fhirVersion,
				format: ['json'],
				rest: [
					{
						mode: 'server',
						resource: [
							{
								type: 'Subscription',
								interaction: [{ code: 'create' }, { code: 'read' }, { code: 'delete' }],
							},
						],
					},
				],
			}),
		);
	// an R4B (4.3.0) backport server: its topics are SubscriptionTopic resources, one also named
	// by the Subscription extension; one SubscriptionTopic is retired (not listed)
	const r4b = '/adhoc-r4b/fhir';
	s.app.route('GET', `${r4b}/metadata`, 'smart', (_req, res) =>
		sendJson(res, 200, {
			resourceType: 'CapabilityStatement',
			status: 'active',
			kind: 'instance',
			fhirVersion: '4.3.0',
			format: ['json'],
			instantiates: [`${BP}/CapabilityStatement/backport-subscription-server`],
			rest: [
				{
					mode: 'server',
					resource: [
						{
							type: 'Subscription',
							supportedProfile: [`${BP}/StructureDefinition/backport-subscription`],
							interaction: [{ code: 'create' }, { code: 'read' }, { code: 'delete' }],
							extension: [
								{
									url: `${BP}/StructureDefinition/capabilitystatement-subscriptiontopic-canonical`,
									valueCanonical: R4B_TOPIC,
								},
							],
						},
						{ type: 'SubscriptionTopic', interaction: [{ code: 'read' }, { code: 'search-type' }] },
					],
				},
			],
		}),
	);
	s.app.route('GET', `${r4b}/SubscriptionTopic`, 'smart', (req, res) =>
		sendJson(res, 200, {
			resourceType: 'Bundle',
			type: 'searchset',
			entry: [
				{ url: R4B_TOPIC, title: 'Encounter start' },
				{ url: 'http://r4b.example/fhir/SubscriptionTopic/lab-result', title: 'Lab result' },
				{
					url: 'http://r4b.example/fhir/SubscriptionTopic/old',
					title: 'Retired',
					status: 'retired',
				},
			]
				.filter((t) => req.query.get('status') !== 'active' || t.status !== 'retired')
				.map((t) => ({ resource: { resourceType: 'SubscriptionTopic', status: 'active', ...t } })),
		}),
	);
	s.app.route('POST', `${r4b}/Subscription`, 'smart', (req, res) => {
		const body = req.json<IDataObject>();
		r4bPosts.push(body);
		sendJson(res, 201, { ...body, id: `r4b-${r4bPosts.length}`, status: 'requested' });
	});
});

/** what the R4B server below was sent */
const r4bPosts: IDataObject[] = [];
const R4B_TOPIC = 'http://r4b.example/fhir/SubscriptionTopic/encounter-start';

const patient = (family: string, gender = 'female') => ({
	resourceType: 'Patient',
	name: [{ family }],
	gender,
});

/** A topic trigger, created and active (its handshake answered). */
async function active(parameters: Record<string, unknown> = {}) {
	const t = trigger(sb, 'smart', ep.url, {
		subscriptionType: 'topic',
		topic: CREATED,
		...parameters,
	});
	ep.use(t);
	expect(await t.hook('create')).toBe(true);
	const id = t.staticData.subscriptionId as string;
	await until(
		async () => (await readSubscription(sb, id)).body.status === 'active',
		'the Subscription active',
	);
	return { t, id };
}

const json = (n: number) => ep.executions[n].map((i) => i.json);

/** [eventNumber, the resource's family name, recovered] of each item */
const eventRows = (items: IDataObject[]) =>
	items.map((i) => [
		i.eventNumber,
		((i.resource as IDataObject).name as IDataObject[])[0].family,
		i.recovered,
	]);

it('Topic dropdown: the topics of the SMART CapabilityStatement; eMedicalPractice: a clear error', async () => {
	const { type, store } = storeCredentials(sb, 'smart');
	const topics = await loadOptions(FhirSubscriptionTrigger, 'getSubscriptionTopics', {
		parameters: { authentication: type, subscriptionType: 'topic' },
		credentials: store,
	});
	expect(topics.map((x) => x.value)).toEqual([
		`${TOPIC}/patient-created`,
		`${TOPIC}/patient-updated`,
		`${TOPIC}/appointment-booked`,
		`${TOPIC}/appointment-changed`,
		`${TOPIC}/observation-recorded`,
		`${TOPIC}/encounter-changed`,
	]);
	expect(topics[0].name).toBe('Patient created');
	const emp = storeCredentials(sb, 'emp');
	await expect(
		loadOptions(FhirSubscriptionTrigger, 'getSubscriptionTopics', {
			parameters: { authentication: emp.type, subscriptionType: 'topic' },
			credentials: emp.store,
		}),
	).rejects.toThrow(/declares no subscription topics/);
});

it('create: a backport Subscription (topic, filter, content, heartbeat, secret header); the handshake Bundle starts nothing; checkExists; delete', async () => {
	const { t, id } = await active({
		filterCriteria: 'Patient?gender=male',
		payload: 'idOnly',
		options: { heartbeatPeriod: 30 },
	});
	const { secret } = t.staticData as Record<string, string>;
	expect(t.staticData).toMatchObject({
		subscriptionType: 'topic',
		topic: CREATED,
		content: 'id-only',
		lastEventNumber: 0,
		eventsSupported: true,
	});
	const { body } = await readSubscription(sb, id);
	expect(body).toMatchObject({
		meta: { profile: [`${BP}/StructureDefinition/backport-subscription`] },
		criteria: CREATED,
		_criteria: {
			extension: [
				{
					url: `${BP}/StructureDefinition/backport-filter-criteria`,
					valueString: 'Patient?gender=male',
				},
			],
		},
		channel: {
			type: 'rest-hook',
			endpoint: ep.url,
			header: [`X-Ehr-Webhook-Secret: ${secret}`],
			extension: [
				{ url: `${BP}/StructureDefinition/backport-heartbeat-period`, valueUnsignedInt: 30 },
			],
			_payload: {
				extension: [
					{ url: `${BP}/StructureDefinition/backport-payload-content`, valueCode: 'id-only' },
				],
			},
		},
	});
	// the handshake: a Bundle, answered 200, no execution
	expect(ep.calls).toHaveLength(1);
	expect(JSON.parse(ep.calls[0].body)).toMatchObject({ resourceType: 'Bundle', type: 'history' });
	expect(ep.calls[0].status).toBe(200);
	expect(ep.executions).toEqual([]);
	expect(await t.hook('checkExists')).toBe(true);
	expect(await t.hook('delete')).toBe(true);
	expect((await readSubscription(sb, id)).status).toBe(410);
	expect(t.staticData).toEqual({});
	expect(await t.hook('checkExists')).toBe(false);
});

it('events: one execution per notification, the resource with subscription, topic, eventNumber, timestamp; the filter holds back others', async () => {
	const { id } = await active({ filterCriteria: 'Patient?gender=male' });
	const a = await smartWrite(sb, 'POST', 'Patient', patient('Female', 'female'));
	const b = await smartWrite(sb, 'POST', 'Patient', patient('Male1', 'male'));
	const c = await smartWrite(sb, 'POST', 'Patient', patient('Male2', 'male'));
	await until(() => ep.executions.length === 2, 'two executions');
	expect(a.status).toBe(201);
	expect(json(0)).toEqual([
		{
			resource: expect.objectContaining({ id: b.body.id, name: [{ family: 'Male1' }] }),
			focus: {
				resourceType: 'Patient',
				id: b.body.id,
				reference: `${sb.url}/smart/fhir/Patient/${b.body.id as string}`,
			},
			subscription: `${sb.url}/smart/fhir/Subscription/${id}`,
			topic: CREATED,
			eventNumber: 1,
			timestamp: (b.body.meta as IDataObject).lastUpdated,
		},
	]);
	expect(json(1).map((i) => [i.eventNumber, (i.resource as IDataObject).id])).toEqual([
		[2, c.body.id],
	]);
	await new Promise((r) => setTimeout(r, 100));
	expect(ep.executions).toHaveLength(2);
});

it('ID Only: the resource read from the server with Fetch Resource, the reference alone without; Empty: the event alone, nothing read', async () => {
	await active({ payload: 'idOnly' });
	const p = await smartWrite(sb, 'POST', 'Patient', patient('Idonly'));
	await until(() => ep.executions.length === 1, 'the event');
	const item = json(0)[0];
	expect((item.resource as IDataObject).id).toBe(p.body.id);
	expect(item.eventNumber).toBe(1);
	const read = sb.app.requests.filter(
		(r) => r.method === 'GET' && r.path === `/smart/fhir/Patient/${p.body.id as string}`,
	);
	expect(read).toHaveLength(1);

	sb.app.reset();
	ep.executions.length = 0;
	await active({ payload: 'idOnly', options: { fetchResource: false } });
	const q = await smartWrite(sb, 'POST', 'Patient', patient('NoFetch'));
	await until(() => ep.executions.length === 1, 'the event');
	expect(json(0)[0].resource).toBeUndefined();
	expect(json(0)[0].focus).toMatchObject({ resourceType: 'Patient', id: q.body.id });

	sb.app.reset();
	ep.executions.length = 0;
	await active({ payload: 'empty' });
	const before = sb.app.requests.length;
	await smartWrite(sb, 'POST', 'Patient', patient('Empty'));
	await until(() => ep.executions.length === 1, 'the event');
	expect(json(0)).toEqual([
		{
			subscription: expect.stringMatching(/\/Subscription\//),
			topic: CREATED,
			eventNumber: 1,
			timestamp: expect.any(String),
		},
	]);
	const reads = sb.app.requests
		.slice(before)
		.filter((r) => r.method === 'GET' && r.path.startsWith('/smart/fhir/Patient/'));
	expect(reads).toEqual([]);
});

it('lost notifications: read back through $events and delivered first with the next one; a replay starts nothing', async () => {
	const { t, id } = await active();
	await smartWrite(sb, 'POST', 'Patient', patient('One'));
	await until(() => ep.executions.length === 1, 'event 1');
	const drop = await subscriptionAdmin(sb, id, { drop: 2 });
	expect(drop).toBe(200);
	await smartWrite(sb, 'POST', 'Patient', patient('Two'));
	await smartWrite(sb, 'POST', 'Patient', patient('Three'));
	await smartWrite(sb, 'POST', 'Patient', patient('Four'));
	await until(() => ep.executions.length === 2, 'the notification after the gap');
	const items = json(1);
	expect(eventRows(items)).toEqual([
		[2, 'Two', true],
		[3, 'Three', true],
		[4, 'Four', undefined],
	]);
	expect(items.some((i) => i.missedEvents)).toBe(false);
	expect(t.staticData.lastEventNumber).toBe(4);
	const events = sb.app.requests.filter((r) => r.path.endsWith('/$events'));
	expect(events).toHaveLength(1);
	// the last notification again (a server retry): already delivered, nothing starts
	const last = ep.calls[ep.calls.length - 1];
	const replay = await t.receive({
		headers: { 'x-ehr-webhook-secret': t.staticData.secret as string },
		body: JSON.parse(last.body) as IDataObject,
	});
	expect([replay.response?.status, replay.items]).toEqual([200, undefined]);
});

it("a notification handled before the previous one's static data was saved (n8n saves after webhook() returns; each call has its own copy): no event delivered twice, no $events read", async () => {
	const { t } = await active({ payload: 'idOnly' });
	const stale = structuredClone(t.staticData); // lastEventNumber 0, as loaded by every call
	// hold the notifications instead of handing them to the trigger
	const held: Array<{ headers: Record<string, string>; rawBody: Buffer }> = [];
	ep.use({
		receive: async (r: { headers: Record<string, string>; rawBody: Buffer }) => {
			held.push(r);
			return {
				result: { noWebhookResponse: true },
				items: undefined,
				response: { status: 200, body: {} },
			};
		},
	} as never);
	for (const f of ['First', 'Second', 'Third']) await smartWrite(sb, 'POST', 'Patient', patient(f));
	await until(() => held.length === 3, 'three notifications held');
	const before = sb.app.requests.length;
	// event 1 through the trigger that saved its static data; 2 and 3 through copies loaded
	// before that save (the race of a server sending the next notification as soon as it has
	// the 200), 2 and 3 at the same time
	const first = await t.receive({ headers: held[0].headers, body: {}, rawBody: held[0].rawBody });
	const copies = [1, 2].map(() =>
		trigger(
			sb,
			'smart',
			ep.url,
			{ subscriptionType: 'topic', topic: CREATED, payload: 'idOnly' },
			structuredClone(stale),
		),
	);
	const [second, third] = await Promise.all(
		[1, 2].map((k, i) =>
			copies[i].receive({ headers: held[k].headers, body: {}, rawBody: held[k].rawBody }),
		),
	);
	const numbers = [first, second, third].map((a) => (a.items ?? []).map((i) => i.json.eventNumber));
	expect(numbers).toEqual([[1], [2], [3]]);
	expect([first, second, third].flatMap((a) => a.items ?? []).some((i) => i.json.recovered)).toBe(
		false,
	);
	expect(sb.app.requests.slice(before).filter((r) => r.path.endsWith('/$events'))).toEqual([]);
});

it('lost notifications on a server without $events: missedEvents names the range, nothing invented', async () => {
	const { t, id } = await active();
	// as if the CapabilityStatement had not declared $events
	t.staticData.eventsSupported = false;
	await subscriptionAdmin(sb, id, { drop: 2 });
	for (const f of ['A', 'B', 'C']) await smartWrite(sb, 'POST', 'Patient', patient(f));
	await until(() => ep.executions.length === 1, 'the notification after the gap');
	const items = json(0);
	expect(items).toHaveLength(1);
	expect(items[0].eventNumber).toBe(3);
	expect(items[0].missedEvents).toEqual([
		{ from: 1, to: 2, reason: expect.stringMatching(/does not declare Subscription \$events/) },
	]);
	expect(sb.app.requests.filter((r) => r.path.endsWith('/$events'))).toEqual([]);
});

it('heartbeat (admin route) → 200, nothing starts; an event Bundle without the secret → 401, nothing starts', async () => {
	const { id } = await active();
	const r = await subscriptionAdmin(sb, id, 'heartbeat');
	expect(r).toBe(200);
	expect(ep.calls).toHaveLength(2);
	expect(ep.calls[1].status).toBe(200);
	expect(ep.calls[1].body).toMatch(/"heartbeat"/);
	// a forged event notification, over HTTP, without the secret
	await smartWrite(sb, 'POST', 'Patient', patient('Real'));
	await until(() => ep.executions.length === 1, 'the real event');
	const forged = await fetch(ep.url, {
		method: 'POST',
		headers: { 'content-type': 'application/fhir+json' },
		body: ep.calls[ep.calls.length - 1].body.replace(
			'"event-number","valueString":"1"',
			'"event-number","valueString":"2"',
		),
	});
	expect(forged.status).toBe(401);
	expect(ep.executions).toHaveLength(1);
});

it('a heartbeat counting more events than were delivered: the missed ones read back through $events start one execution; without $events one item names them, once', async () => {
	const { t, id } = await active();
	await smartWrite(sb, 'POST', 'Patient', patient('Seen'));
	await until(() => ep.executions.length === 1, 'event 1');
	await subscriptionAdmin(sb, id, { drop: 2 });
	await smartWrite(sb, 'POST', 'Patient', patient('LostA'));
	await smartWrite(sb, 'POST', 'Patient', patient('LostB'));
	expect(ep.executions).toHaveLength(1);
	const hb = await subscriptionAdmin(sb, id, 'heartbeat');
	expect(hb).toBe(200);
	await until(() => ep.executions.length === 2, 'the execution the heartbeat started');
	expect(eventRows(json(1))).toEqual([
		[2, 'LostA', true],
		[3, 'LostB', true],
	]);
	expect(t.staticData.lastEventNumber).toBe(3);
	// nothing missed any more: the next heartbeat starts nothing
	await subscriptionAdmin(sb, id, 'heartbeat');
	await until(
		() => ep.calls.filter((c) => c.body.includes('"heartbeat"')).length === 2,
		'heartbeat 2',
	);
	expect(ep.executions).toHaveLength(2);
	// a server without $events: one item with the range, and only once
	t.staticData.eventsSupported = false;
	await subscriptionAdmin(sb, id, { drop: 1 });
	await smartWrite(sb, 'POST', 'Patient', patient('LostC'));
	await subscriptionAdmin(sb, id, 'heartbeat');
	await until(() => ep.executions.length === 3, 'the heartbeat naming the gap');
	expect(json(2)).toEqual([
		{
			subscription: `${sb.url}/smart/fhir/Subscription/${id}`,
			topic: CREATED,
			notification: 'heartbeat',
			missedEvents: [
				{ from: 4, to: 4, reason: expect.stringMatching(/does not declare Subscription \$events/) },
			],
		},
	]);
	await subscriptionAdmin(sb, id, 'heartbeat');
	await until(
		() => ep.calls.filter((c) => c.body.includes('"heartbeat"')).length === 4,
		'heartbeat 4',
	);
	expect(ep.executions).toHaveLength(3);
	// a heartbeat without the secret starts nothing, whatever it counts
	const forged = await t.receive({
		headers: { 'content-type': 'application/fhir+json' },
		body: {},
		rawBody: Buffer.from(
			ep.calls[ep.calls.length - 1].body.replace(/"valueString":"4"/, '"valueString":"9"'),
		),
	});
	expect([forged.response?.status, forged.items]).toEqual([200, undefined]);
});

it('R4B backport server: the Topic list is its active SubscriptionTopic resources (by title) and the declared canonicals; a listed topic is subscribed', async () => {
	const { type, store } = storeCredentials(sb, 'smart');
	(store[type] as IDataObject).fhirBaseUrl = `${sb.url}/adhoc-r4b/fhir`;
	const topics = await loadOptions(FhirSubscriptionTrigger, 'getSubscriptionTopics', {
		parameters: { authentication: type, subscriptionType: 'topic' },
		credentials: store,
	});
	expect(topics.map((x) => [x.name, x.value])).toEqual([
		['Encounter start', R4B_TOPIC],
		['Lab result', 'http://r4b.example/fhir/SubscriptionTopic/lab-result'],
	]);
	const t = webhookHarness(FhirSubscriptionTrigger, {
		parameters: {
			authentication: type,
			subscriptionType: 'topic',
			topic: 'http://r4b.example/fhir/SubscriptionTopic/lab-result',
		},
		credentials: store,
		webhookUrl: ep.url,
	});
	const before = r4bPosts.length;
	expect(await t.hook('create')).toBe(true);
	expect(r4bPosts.slice(before)).toHaveLength(1);
	expect(r4bPosts[before]).toMatchObject({
		resourceType: 'Subscription',
		criteria: 'http://r4b.example/fhir/SubscriptionTopic/lab-result',
		meta: { profile: [`${BP}/StructureDefinition/backport-subscription`] },
		channel: { type: 'rest-hook', endpoint: ep.url },
	});
	expect(t.staticData.subscriptionId).toBe(`r4b-${before + 1}`);
	// a retired topic is not offered, and not subscribed either
	const retired = webhookHarness(FhirSubscriptionTrigger, {
		parameters: {
			authentication: type,
			subscriptionType: 'topic',
			topic: 'http://r4b.example/fhir/SubscriptionTopic/old',
		},
		credentials: store,
		webhookUrl: ep.url,
	});
	await expect(retired.hook('create')).rejects.toThrow(/does not declare the topic/);
	expect(r4bPosts).toHaveLength(before + 1);
});

it('refused before anything but /metadata is sent: no backport declared (R4 and R5 servers), an undeclared topic, a bad filter', async () => {
	const cases: Array<[string | undefined, Record<string, unknown>, RegExp, RegExp]> = [
		[
			'/adhoc-r4sub/fhir',
			{},
			/does not declare topic-based Subscriptions/,
			/Subscription Type "Criteria"/,
		],
		['/adhoc-r5sub/fhir', {}, /does not declare topic-based Subscriptions/, /FHIR 5\.0\.0/],
		[undefined, { topic: `${TOPIC}/nope` }, /does not declare the topic/, /patient-created/],
		[undefined, { filterCriteria: 'family=Smith' }, /is not Type\?param=value/, /Patient\?/],
	];
	for (const [base, params, message, description] of cases) {
		const { type, store } = storeCredentials(sb, 'smart');
		if (base) (store[type] as IDataObject).fhirBaseUrl = `${sb.url}${base}`;
		const t = webhookHarness(FhirSubscriptionTrigger, {
			parameters: { authentication: type, subscriptionType: 'topic', topic: CREATED, ...params },
			credentials: store,
			webhookUrl: ep.url,
		});
		const before = sb.app.requests.length;
		const err = (await t.hook('create').catch((e: unknown) => e)) as {
			message: string;
			description: string;
		};
		expect(err.message).toMatch(message);
		expect(err.description).toMatch(description);
		const sent = sb.app.requests.slice(before);
		expect(sent.filter((r) => !r.path.endsWith('/metadata'))).toEqual([]);
		expect(t.staticData).toEqual({});
	}
	expect((await smartWrite(sb, 'GET', 'Subscription')).body.total).toBe(0);
});

it('switched between Criteria and Topic (or to another topic): checkExists false, create replaces the old Subscription', async () => {
	const { t, id } = await active();
	const kept = t.staticData;
	const criteria = trigger(sb, 'smart', ep.url, {}, kept);
	expect(await criteria.hook('checkExists')).toBe(false);
	const other = trigger(
		sb,
		'smart',
		ep.url,
		{ subscriptionType: 'topic', topic: `${TOPIC}/patient-updated` },
		kept,
	);
	expect(await other.hook('checkExists')).toBe(false);
	expect(await other.hook('create')).toBe(true);
	expect((await readSubscription(sb, id)).status).toBe(410);
	const now = other.staticData.subscriptionId as string;
	expect(now).not.toBe(id);
	expect((await readSubscription(sb, now)).body.criteria).toBe(`${TOPIC}/patient-updated`);
	expect(other.staticData).toMatchObject({ topic: `${TOPIC}/patient-updated`, lastEventNumber: 0 });
});
