// Topic-based Subscriptions on R4: the Subscriptions R5 Backport IG
// (http://hl7.org/fhir/uv/subscriptions-backport/), on the store surfaces with `subscriptions`
// (SMART). subscriptions.ts keeps the R4 criteria Subscriptions and the delivery chain; this file
// holds what the backport adds:
//
// - the topics this server offers (TOPICS: canonical, resource type, the writes that trigger it,
//   the filter parameters allowed) and how the CapabilityStatement declares them;
// - reading a backport Subscription (`criteria` = a topic canonical, `_criteria.extension`
//   backport-filter-criteria `Type?param=value`, `channel.type` rest-hook, `_payload.extension`
//   backport-payload-content `empty | id-only | full-resource` (absent: id-only),
//   `channel.extension` backport-heartbeat-period / backport-timeout / backport-max-count);
// - the per-Subscription event log: every matching write gets the next event number
//   (`events-since-subscription-start`), kept (the last MAX_EVENTS) for `$events`;
// - the notification Bundles: `history` Bundles whose first entry is a backport-subscription-
//   status-r4 Parameters (type handshake | heartbeat | event-notification | query-status |
//   query-event), then per event: full-resource → fullUrl + resource + request/response;
//   id-only → fullUrl + request/response; empty → nothing but the status;
// - heartbeat timers: one per active Subscription with a heartbeat period, re-armed after every
//   notification sent, `unref()`ed, cleared when the Subscription is deleted or fails, at reset
//   and when the sandbox closes.
import { randomUUID } from 'node:crypto';
import type { SandboxApp } from '../app';
import { fail, type Result } from './access';
import { paramDef } from './params';
import type { FhirStore, Res } from './store';

export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport';
export const BACKPORT_SERVER_R4 = `${BACKPORT}/CapabilityStatement/backport-subscription-server-r4`;
export const BACKPORT_SUBSCRIPTION = `${BACKPORT}/StructureDefinition/backport-subscription`;
export const BACKPORT_STATUS = `${BACKPORT}/StructureDefinition/backport-subscription-status-r4`;
export const EXT = {
	topicCanonical: `${BACKPORT}/StructureDefinition/capabilitystatement-subscriptiontopic-canonical`,
	filter: `${BACKPORT}/StructureDefinition/backport-filter-criteria`,
	content: `${BACKPORT}/StructureDefinition/backport-payload-content`,
	heartbeat: `${BACKPORT}/StructureDefinition/backport-heartbeat-period`,
	timeout: `${BACKPORT}/StructureDefinition/backport-timeout`,
	maxCount: `${BACKPORT}/StructureDefinition/backport-max-count`,
} as const;
export const OPERATIONS = {
	status: `${BACKPORT}/OperationDefinition/backport-subscription-status`,
	events: `${BACKPORT}/OperationDefinition/backport-subscription-events`,
} as const;

/** where the sandbox's topic canonicals live (a reserved example domain: nothing is served there) */
export const TOPIC_BASE = 'http://n8n-nodes-ehr.example/fhir/SubscriptionTopic';
/** the events a Subscription's log keeps for `$events` */
export const MAX_EVENTS = 1000;
/** the most events one `$events` answer carries */
export const MAX_EVENTS_PER_QUERY = 100;

export interface Topic {
	url: string;
	title: string;
	resourceType: string;
	/** create: the first version of a resource; update: any later one */
	on: Array<'create' | 'update'>;
	/** the search parameters a backport-filter-criteria may use */
	filters: string[];
}

const topic = (
	id: string,
	title: string,
	resourceType: string,
	on: Topic['on'],
	filters: string[],
): Topic => ({ url: `${TOPIC_BASE}/${id}`, title, resourceType, on, filters });

export const TOPICS: Topic[] = [
	topic(
		'patient-created',
		'Patient created',
		'Patient',
		['create'],
		['family', 'given', 'name', 'gender', 'birthdate', 'identifier'],
	),
	topic(
		'patient-updated',
		'Patient updated',
		'Patient',
		['update'],
		['family', 'given', 'name', 'gender', 'birthdate', 'identifier'],
	),
	topic(
		'appointment-booked',
		'Appointment booked',
		'Appointment',
		['create'],
		['patient', 'actor', 'status', 'date'],
	),
	topic(
		'appointment-changed',
		'Appointment changed',
		'Appointment',
		['update'],
		['patient', 'actor', 'status', 'date'],
	),
	topic(
		'observation-recorded',
		'Observation recorded or amended',
		'Observation',
		['create', 'update'],
		['patient', 'subject', 'code', 'category', 'status'],
	),
	topic(
		'encounter-changed',
		'Encounter started or changed',
		'Encounter',
		['create', 'update'],
		['patient', 'subject', 'status', 'class'],
	),
];

for (const t of TOPICS)
	for (const f of t.filters)
		if (!paramDef(t.resourceType, f))
			throw new Error(`topic ${t.url}: ${t.resourceType} has no search parameter ${f}`);

export type Content = 'empty' | 'id-only' | 'full-resource';
const CONTENTS = new Set<Content>(['empty', 'id-only', 'full-resource']);

/** A backport Subscription as read from its body. */
export interface BackportSettings {
	topic: Topic;
	/** each a `Type?…` search on the topic's type; all must match */
	filters: Array<{ type: string; query: URLSearchParams; text: string }>;
	content: Content;
	/** seconds; 0: no heartbeats */
	heartbeat: number;
	/** seconds a delivery may take */
	timeout?: number;
	maxCount?: number;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => !!x && typeof x === 'object' && !Array.isArray(x);

function extensions(holder: unknown, url: string): Json[] {
	const list = isObj(holder) && Array.isArray(holder.extension) ? holder.extension : [];
	return (list as unknown[]).filter((e): e is Json => isObj(e) && e.url === url);
}

/** True when the body claims to be a backport Subscription (topic canonical or profile). */
export function isBackport(r: Json): boolean {
	const profiles = isObj(r.meta) && Array.isArray(r.meta.profile) ? r.meta.profile : [];
	return (
		profiles.includes(BACKPORT_SUBSCRIPTION) ||
		(typeof r.criteria === 'string' && /^https?:\/\//.test(r.criteria))
	);
}

function wholeSeconds(
	ext: Json | undefined,
	key: string,
	name: string,
	min: number,
): number | string | undefined {
	if (!ext) return undefined;
	const v = ext[key];
	if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
		return `${name} must be ${key} (an integer of at least ${min}).`;
	return v;
}

/** The settings of a backport Subscription body, or what is wrong with it. */
export function backportSettings(r: Json): BackportSettings | string {
	const t = TOPICS.find((x) => x.url === r.criteria);
	if (!t)
		return `criteria "${String(r.criteria)}" is not a topic of this server; its topics: ${TOPICS.map((x) => x.url).join(', ')}.`;
	const filters: BackportSettings['filters'] = [];
	for (const e of extensions(r._criteria, EXT.filter)) {
		const text = e.valueString;
		if (typeof text !== 'string' || !text.trim())
			return 'A backport-filter-criteria extension needs a valueString such as "Patient?family=Smith".';
		const [type, q = ''] = text.trim().split(/\?(.*)/s);
		if (type !== t.resourceType)
			return `The filter "${text}" is on ${type}; topic ${t.url} is about ${t.resourceType}.`;
		const query = new URLSearchParams(q);
		for (const key of query.keys()) {
			const name = key.split(':')[0];
			if (!t.filters.includes(name))
				return `The filter parameter "${key}" is not allowed for topic ${t.url}; allowed: ${t.filters.join(', ')}.`;
		}
		filters.push({ type, query, text });
	}
	const ch = isObj(r.channel) ? r.channel : {};
	const contentExt = extensions(ch._payload, EXT.content)[0];
	const content = (contentExt ? contentExt.valueCode : 'id-only') as Content;
	if (!CONTENTS.has(content))
		return `backport-payload-content "${String(content)}" is not one of empty, id-only, full-resource.`;
	const hb = wholeSeconds(
		extensions(ch, EXT.heartbeat)[0],
		'valueUnsignedInt',
		'backport-heartbeat-period',
		0,
	);
	const to = wholeSeconds(
		extensions(ch, EXT.timeout)[0],
		'valueUnsignedInt',
		'backport-timeout',
		1,
	);
	const mc = wholeSeconds(
		extensions(ch, EXT.maxCount)[0],
		'valuePositiveInt',
		'backport-max-count',
		1,
	);
	for (const v of [hb, to, mc]) if (typeof v === 'string') return v;
	return {
		topic: t,
		filters,
		content,
		heartbeat: (hb as number | undefined) ?? 0,
		timeout: to as number | undefined,
		maxCount: mc as number | undefined,
	};
}

/** The 400 for a backport Subscription body that cannot be served, or undefined. */
export function invalidBackport(r: Json): Result | undefined {
	const s = backportSettings(r);
	return typeof s === 'string' ? fail(400, 'invalid', s) : undefined;
}

/** What the CapabilityStatement's Subscription entry adds for the backport. */
export function backportCapability(): Json {
	return {
		supportedProfile: [BACKPORT_SUBSCRIPTION],
		extension: TOPICS.map((t) => ({ url: EXT.topicCanonical, valueCanonical: t.url })),
		operation: [
			{ name: 'status', definition: OPERATIONS.status },
			{ name: 'events', definition: OPERATIONS.events },
		],
		documentation:
			'Topic-based Subscriptions (Subscriptions R5 Backport IG, R4): criteria = a topic canonical; topics: ' +
			TOPICS.map(
				(t) => `${t.url} (${t.resourceType} ${t.on.join('/')}; filters ${t.filters.join(', ')})`,
			).join('; ') +
			'. backport-payload-content empty | id-only (default) | full-resource; backport-heartbeat-period, backport-timeout, backport-max-count on channel.',
	};
}

// ---- event log and heartbeats ----

export interface BackportEvent {
	number: number;
	timestamp: string;
	/** `Type/id` */
	focus: string;
	/** the version as written */
	resource: Res;
	trigger: 'create' | 'update';
}

interface Log {
	count: number;
	events: BackportEvent[];
	timer?: ReturnType<typeof setTimeout>;
	/** event notifications to record but not send (admin `drop`): lost notifications */
	drop: number;
}

const logs = new WeakMap<FhirStore, Map<string, Log>>();
const timers = new WeakMap<SandboxApp, Set<ReturnType<typeof setTimeout>>>();

export function logOf(store: FhirStore, subId: string): Log {
	let m = logs.get(store);
	if (!m) logs.set(store, (m = new Map()));
	let l = m.get(subId);
	if (!l) m.set(subId, (l = { count: 0, events: [], drop: 0 }));
	return l;
}

/** The event (numbered, logged) a write is for this Subscription, or undefined. */
export function eventFor(
	store: FhirStore,
	subId: string,
	s: BackportSettings,
	type: string,
	r: Res,
	versionId: number,
	lastUpdated: string,
	test: (filter: BackportSettings['filters'][number], r: Res) => boolean,
): BackportEvent | undefined {
	if (type !== s.topic.resourceType) return undefined;
	const trigger = versionId === 1 ? 'create' : 'update';
	if (!s.topic.on.includes(trigger)) return undefined;
	if (!s.filters.every((f) => test(f, r))) return undefined;
	const log = logOf(store, subId);
	const e: BackportEvent = {
		number: ++log.count,
		timestamp: lastUpdated,
		focus: `${type}/${r.id}`,
		resource: r,
		trigger,
	};
	log.events.push(e);
	if (log.events.length > MAX_EVENTS) log.events.splice(0, log.events.length - MAX_EVENTS);
	return e;
}

/** Arms (or re-arms) the heartbeat of a Subscription; `beat` sends it. */
export function armHeartbeat(
	app: SandboxApp,
	store: FhirStore,
	subId: string,
	seconds: number,
	beat: () => void,
): void {
	disarmHeartbeat(app, store, subId);
	if (!seconds) return;
	const log = logOf(store, subId);
	let set = timers.get(app);
	if (!set) timers.set(app, (set = new Set()));
	const t = setTimeout(() => {
		set.delete(t);
		if (log.timer === t) log.timer = undefined;
		beat();
	}, seconds * 1000);
	t.unref();
	log.timer = t;
	set.add(t);
}

export function disarmHeartbeat(app: SandboxApp, store: FhirStore, subId: string): void {
	const log = logs.get(store)?.get(subId);
	if (!log?.timer) return;
	clearTimeout(log.timer);
	timers.get(app)?.delete(log.timer);
	log.timer = undefined;
}

/** How many heartbeat timers the app has armed (tests: cleared at delete, reset, close). */
export function armedHeartbeats(app: SandboxApp): number {
	return timers.get(app)?.size ?? 0;
}

/** Clears every heartbeat timer of the app (reset, close). */
export function disarmAll(app: SandboxApp): void {
	for (const t of timers.get(app) ?? []) clearTimeout(t);
	timers.get(app)?.clear();
}

// ---- bundles ----

export type NotificationType =
	'handshake' | 'heartbeat' | 'event-notification' | 'query-status' | 'query-event';

/** What a notification (or an `$status` / `$events` answer) is made of. */
export interface NotificationArgs {
	/** the Subscription's absolute URL */
	subUrl: string;
	sub: Res;
	/** events-since-subscription-start */
	count: number;
	type: NotificationType;
	events: BackportEvent[];
	content: Content;
	/** `Type/id` → absolute URL */
	abs: (path: string) => string;
}

/** The backport-subscription-status-r4 Parameters. */
export function statusParameters(a: NotificationArgs): Json {
	return {
		resourceType: 'Parameters',
		id: randomUUID(),
		meta: { profile: [BACKPORT_STATUS] },
		parameter: [
			{ name: 'subscription', valueReference: { reference: a.subUrl } },
			{ name: 'topic', valueCanonical: a.sub.criteria },
			{ name: 'status', valueCode: a.sub.status },
			{ name: 'type', valueCode: a.type },
			{ name: 'events-since-subscription-start', valueString: String(a.count) },
			...a.events.map((e) => ({
				name: 'notification-event',
				part: [
					{ name: 'event-number', valueString: String(e.number) },
					{ name: 'timestamp', valueInstant: e.timestamp },
					...(a.content === 'empty'
						? []
						: [{ name: 'focus', valueReference: { reference: a.abs(e.focus) } }]),
				],
			})),
		],
	};
}

/** A notification Bundle (type history): the status, then the events as the content says. */
export function notificationBundle(a: NotificationArgs): Json {
	const status = statusParameters(a);
	return {
		resourceType: 'Bundle',
		id: randomUUID(),
		type: 'history',
		timestamp: new Date().toISOString(),
		entry: [
			{
				fullUrl: `urn:uuid:${String(status.id)}`,
				resource: status,
				request: { method: 'GET', url: `${a.subUrl}/$status` },
				response: { status: '200' },
			},
			...(a.content === 'empty'
				? []
				: a.events.map((e) => ({
						fullUrl: a.abs(e.focus),
						...(a.content === 'full-resource' ? { resource: e.resource } : {}),
						request: {
							method: e.trigger === 'create' ? 'POST' : 'PUT',
							url: e.trigger === 'create' ? e.resource.resourceType : e.focus,
						},
						response: { status: e.trigger === 'create' ? '201' : '200' },
					}))),
		],
	};
}

/** `Subscription/{id}/$events`: the logged events in the range asked (bounded). */
export function eventsQuery(
	store: FhirStore,
	subId: string,
	q: URLSearchParams,
): BackportEvent[] | Result {
	const num = (name: string): number | undefined | string => {
		const v = q.get(name);
		if (v === null || v === '') return undefined;
		return /^\d+$/.test(v) ? Number(v) : `${name} must be a whole number (got "${v}").`;
	};
	const since = num('eventsSinceNumber');
	const until = num('eventsUntilNumber');
	for (const v of [since, until]) if (typeof v === 'string') return fail(400, 'invalid', v);
	const log = logOf(store, subId);
	const lo = (since as number | undefined) ?? 1;
	const hi = (until as number | undefined) ?? log.count;
	return log.events.filter((e) => e.number >= lo && e.number <= hi).slice(0, MAX_EVENTS_PER_QUERY);
}

export function contentOf(q: URLSearchParams, fallback: Content): Content {
	const c = q.get('content') as Content | null;
	return c && CONTENTS.has(c) ? c : fallback;
}
