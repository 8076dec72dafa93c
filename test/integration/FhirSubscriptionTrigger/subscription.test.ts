// FHIR Subscription Trigger, the webhook methods n8n calls on activation and deactivation
// (create / checkExists / delete) through the harness against the sandbox: the Subscription the
// SMART store then holds (our endpoint, criteria, secret header), the handshake answered without
// an execution, checkExists true / false (gone, error), delete twice, and the refusals before
// anything is sent: eMedicalPractice and 1upHealth (no Subscription declared), onpatient (no
// CapabilityStatement), ID Only (needs topic-based Subscriptions).
import type { Sandbox } from '../../../sandbox/server';
import {
	readSubscription,
	smartWrite,
	useTriggerSandbox,
	trigger,
	until,
	type Endpoint,
} from './helpers';

let sb: Sandbox;
let ep: Endpoint;
useTriggerSandbox((s, e) => {
	sb = s;
	ep = e;
});

it('create: the Subscription holds our endpoint, the criteria and a random secret header; the handshake starts nothing; checkExists true', async () => {
	const t = trigger(sb, 'smart', ep.url, {
		resourceType: 'Observation',
		filters: {
			filter: [
				{ name: 'code', value: 'http://loinc.org|8867-4' },
				{ name: 'status', value: 'final' },
			],
		},
	});
	ep.use(t);
	expect(await t.hook('checkExists')).toBe(false);
	expect(await t.hook('create')).toBe(true);
	const { subscriptionId, secret, fhirBaseUrl } = t.staticData as Record<string, string>;
	expect(secret).toMatch(/^[0-9a-f]{64}$/);
	expect(fhirBaseUrl).toBe(`${sb.url}/smart/fhir`);
	const { body } = await until(async () => {
		const s = await readSubscription(sb, subscriptionId);
		return s.body.status === 'active' ? s : undefined;
	}, 'active');
	expect(body).toMatchObject({
		criteria: 'Observation?code=http%3A%2F%2Floinc.org%7C8867-4&status=final',
		channel: {
			type: 'rest-hook',
			endpoint: ep.url,
			payload: 'application/fhir+json',
			header: [`X-Ehr-Webhook-Secret: ${secret}`],
		},
	});
	// the handshake: one empty POST with the secret, answered 200, no execution
	expect(
		ep.calls.map((c) => [c.body, c.status, c.headers['x-ehr-webhook-secret'] === secret]),
	).toEqual([['', 200, true]]);
	expect(ep.executions).toEqual([]);
	expect(await t.hook('checkExists')).toBe(true);
	// a second trigger gets another secret
	const t2 = trigger(sb, 'smart', ep.url);
	await t2.hook('create');
	expect(t2.staticData.secret).not.toBe(secret);
});

it('delete: gone on the server (410), static data cleared, a second delete harmless; checkExists false', async () => {
	const t = trigger(sb, 'smart', ep.url);
	ep.use(t);
	await t.hook('create');
	const id = t.staticData.subscriptionId as string;
	const kept = { ...t.staticData };
	expect(await t.hook('delete')).toBe(true);
	expect((await readSubscription(sb, id)).status).toBe(410);
	expect(t.staticData).toEqual({});
	expect(await t.hook('delete')).toBe(true);
	expect(await t.hook('checkExists')).toBe(false);
	// static data that still names the deleted one (e.g. restored): checkExists false, delete harmless
	const stale = trigger(sb, 'smart', ep.url, {}, kept);
	expect(await stale.hook('checkExists')).toBe(false);
	expect(await stale.hook('delete')).toBe(true);
});

it('checkExists false when the Subscription is in error or unknown to the server', async () => {
	const t = trigger(sb, 'smart', ep.url);
	// no listener behind the URL's trigger: the handshake gets 404 → status error
	ep.use(undefined as never);
	await t.hook('create');
	const id = t.staticData.subscriptionId as string;
	await until(async () => (await readSubscription(sb, id)).body.status === 'error', 'error');
	expect(await t.hook('checkExists')).toBe(false);
	const unknown = trigger(sb, 'smart', ep.url, {}, { ...t.staticData, subscriptionId: 'nope-1' });
	expect(await unknown.hook('checkExists')).toBe(false);
	// after a reset the store is new: what static data names is gone
	sb.app.reset();
	expect(await t.hook('checkExists')).toBe(false);
});

it.each([
	['emp', /eMedicalPractice does not offer FHIR Subscriptions: nothing was sent/],
	['oneup-r4', /1upHealth \(R4\) does not offer FHIR Subscriptions: nothing was sent/],
	['onpatient', /onpatient \(drchrono\) does not offer FHIR Subscriptions: nothing was sent/],
] as const)(
	'%s: refused before anything is sent, naming the polling trigger',
	async (vendor, message) => {
		const t = trigger(sb, vendor, ep.url);
		const before = sb.app.requests.length;
		const err = (await t.hook('create').catch((e: unknown) => e)) as Error & {
			description?: string;
		};
		expect(err.message).toMatch(message);
		expect(err.description).toMatch(/EHR FHIR Trigger/);
		const sent = sb.app.requests.slice(before);
		expect(sent.filter((r) => r.method !== 'GET')).toEqual([]);
		expect(sent.every((r) => /\/metadata$/.test(r.path))).toBe(true);
		expect(t.staticData).toEqual({});
	},
);

it('Criteria with ID Only or Empty is refused before anything is sent, naming Subscription Type Topic', async () => {
	for (const payload of ['idOnly', 'empty']) {
		const t = trigger(sb, 'smart', ep.url, { payload });
		const before = sb.app.requests.length;
		const err = (await t.hook('create').catch((e: unknown) => e)) as {
			message: string;
			description: string;
		};
		expect(err.message).toMatch(/notifications need a topic-based Subscription/);
		expect(err.description).toMatch(/Subscription Type "Topic"/);
		expect(sb.app.requests.length).toBe(before);
	}
});

it('the credential now points at another server: checkExists false, delete leaves the old server alone', async () => {
	const t = trigger(sb, 'smart', ep.url);
	await t.hook('create');
	const moved = trigger(
		sb,
		'smart',
		ep.url,
		{},
		{ ...t.staticData, fhirBaseUrl: 'http://127.0.0.1:1/fhir' },
	);
	const before = sb.app.requests.length;
	expect(await moved.hook('checkExists')).toBe(false);
	expect(await moved.hook('delete')).toBe(true);
	expect(sb.app.requests.slice(before).filter((r) => r.method === 'DELETE')).toEqual([]);
	// the sandbox still has it
	expect(
		(await smartWrite(sb, 'GET', `Subscription/${t.staticData.subscriptionId as string}`)).status,
	).toBe(200);
});
