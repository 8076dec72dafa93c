// FHIR R4 Subscriptions (channel `rest-hook`) on the store surfaces whose profile says so (SMART).
//
// A Subscription is stored in the surface's FhirStore like any resource (versions, history,
// transaction undo) but served here, not by ops.ts: `POST Subscription`, `GET Subscription/{id}`,
// `GET Subscription`, `DELETE Subscription/{id}`. `criteria` is a search (`Patient?`,
// `Observation?code=…`) evaluated with the store's own search predicate on the new content of every
// resource written afterwards — through the REST API, batch/transaction entries or the admin seed,
// since all of them end in `FhirStore.write`. As R4 says, a deletion (or an update that no longer
// matches) sends nothing.
//
// Lifecycle: created `requested`; the server then POSTs an empty-body handshake to the endpoint
// (with the channel headers); a 2xx answer makes it `active`, anything else `error` with `error`
// set. Only `active` Subscriptions get notifications: `channel.payload` absent → an empty POST,
// `application/fhir+json` → the resource. A failed notification (non-2xx, network error,
// timeout) puts the Subscription in `error`. Deliveries go out one at a time per Subscription, in
// write order; every attempt is logged at `GET /_admin/fhir/subscriptions/deliveries`.
//
// Topic-based Subscriptions (the Subscriptions R5 Backport IG for R4: `criteria` a topic
// canonical) are read and notified through backport.ts: a handshake Bundle instead of the empty
// POST, numbered event-notification Bundles (content empty / id-only / full-resource), heartbeats,
// `Subscription/{id}/$status` and `/$events`. Admin routes for tests: `POST
// /_admin/fhir/subscriptions/{id}/heartbeat` (one heartbeat now), `POST
// /_admin/fhir/subscriptions/{id}/drop?count=N` (the next N event notifications are numbered and
// logged but not sent: lost notifications a client recovers through `$events`).
//
// Endpoints are refused at create unless they are loopback (127.0.0.1, ::1, localhost): the
// sandbox is a local emulator holding synthetic patient data, and a Subscription is a way to
// make it send that data to any URL a client names — it must never reach beyond this machine.
import type { SandboxApp } from '../app';
import { sendJson } from '../http';
import { datasetFor } from '../data';
import { fail, grant, isResult, type Result } from './access';
import type { Op, OpCtx } from './context';
import { STORE_TYPES } from './params';
import { predicate } from './search';
import type { FhirStore, HistoryItem, Res } from './store';
import {
	armHeartbeat,
	backportCapability,
	backportSettings,
	contentOf,
	disarmAll,
	disarmHeartbeat,
	eventFor,
	eventsQuery,
	invalidBackport,
	isBackport,
	logOf,
	notificationBundle,
	statusParameters,
	type BackportEvent,
	type BackportSettings,
	type NotificationType,
} from './backport';

export const SUBSCRIPTION = 'Subscription';
/** how long one delivery may take before it counts as failed */
export const DELIVERY_TIMEOUT_MS = 5_000;
const PAYLOADS = new Set(['application/fhir+json', 'application/json']);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface Delivery {
	seq: number;
	surface: string;
	subscription: string;
	kind: 'handshake' | 'event' | 'heartbeat';
	/** backport: the event number of an event notification */
	eventNumber?: number;
	/** backport: recorded but not sent (admin `drop`) */
	dropped?: boolean;
	/** `Type/id/_history/v` of the resource the event is about */
	focus?: string;
	endpoint: string;
	/** HTTP status of the answer (0: none) */
	status: number;
	ok: boolean;
	error?: string;
	/** when the write happened (event) or the Subscription was created (handshake), ISO */
	queuedAt: string;
	/** ms from the write (or the create) to the end of the answer */
	ms: number;
}

interface SubState {
	deliveries: Delivery[];
	seq: number;
}

function state(app: SandboxApp): SubState {
	return (app.state.subscriptions ??= { deliveries: [], seq: 0 }) as SubState;
}

/** The CapabilityStatement entry for Subscription (on surfaces whose profile has `subscriptions`). */
export function subscriptionCapability(): Record<string, unknown> {
	const bp = backportCapability();
	return {
		...bp,
		type: SUBSCRIPTION,
		profile: 'http://hl7.org/fhir/StructureDefinition/Subscription',
		interaction: ['create', 'read', 'search-type', 'delete'].map((code) => ({ code })),
		operation: bp.operation,
		versioning: 'versioned',
		readHistory: false,
		updateCreate: false,
		conditionalCreate: false,
		conditionalUpdate: false,
		conditionalDelete: 'not-supported',
		searchParam: [],
		documentation:
			'R4 Subscriptions, channel type rest-hook only; payload empty or application/fhir+json; ' +
			'criteria: a search on a resource type of this server; endpoints on loopback only; ' +
			'an empty-body handshake is POSTed before the Subscription becomes active; deletions are not notified. ' +
			String(bp.documentation),
	};
}

function header(lines: unknown): Record<string, string> | string {
	const out: Record<string, string> = {};
	if (lines === undefined) return out;
	if (!Array.isArray(lines)) return 'channel.header must be an array of "Name: value" strings.';
	for (const line of lines) {
		const m =
			typeof line === 'string' ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(line) : null;
		if (!m) return `channel.header entry ${JSON.stringify(line)} is not "Name: value".`;
		out[m[1]] = m[2];
	}
	return out;
}

function parseCriteria(criteria: unknown): { type: string; query: URLSearchParams } | string {
	if (typeof criteria !== 'string' || !criteria.trim())
		return 'criteria is required: a search such as "Patient?" or "Observation?code=…".';
	const [type, q = ''] = criteria.trim().split(/\?(.*)/s);
	if (!STORE_TYPES.includes(type))
		return `criteria names the resource type "${type}", which this server does not have.`;
	return { type, query: new URLSearchParams(q) };
}

function loopbackEndpoint(endpoint: unknown): string | undefined {
	if (typeof endpoint !== 'string') return 'channel.endpoint is required.';
	let u: URL;
	try {
		u = new URL(endpoint);
	} catch {
		return `channel.endpoint "${endpoint}" is not an absolute URL.`;
	}
	if (u.protocol !== 'http:' && u.protocol !== 'https:')
		return 'channel.endpoint must be an http(s) URL.';
	if (!LOOPBACK.has(u.hostname))
		return `channel.endpoint must be on loopback (127.0.0.1, ::1 or localhost): this sandbox sends notifications to this machine only, never to ${u.host}.`;
	return undefined;
}

/** What is wrong with a Subscription body, or undefined. */
function invalid(body: unknown): Result | undefined {
	if (!body || typeof body !== 'object' || Array.isArray(body))
		return fail(400, 'structure', 'The body is not a FHIR resource (expected a Subscription).');
	const r = body as Record<string, unknown>;
	if (r.resourceType !== SUBSCRIPTION)
		return fail(
			400,
			'invalid',
			`The body's resourceType (${String(r.resourceType)}) does not match the URL type Subscription.`,
		);
	if (r.status !== undefined && r.status !== 'requested' && r.status !== 'active')
		return fail(400, 'invalid', 'A new Subscription has status "requested".');
	if (isBackport(r)) {
		const bad = invalidBackport(r);
		if (bad) return bad;
	} else {
		const c = parseCriteria(r.criteria);
		if (typeof c === 'string') return fail(400, 'invalid', c);
	}
	const ch = (r.channel ?? {}) as Record<string, unknown>;
	if (ch.type !== 'rest-hook')
		return fail(
			422,
			'not-supported',
			`channel.type "${String(ch.type)}" is not supported here; this server supports rest-hook only.`,
		);
	const bad = loopbackEndpoint(ch.endpoint);
	if (bad) return fail(422, 'business-rule', bad);
	if (ch.payload !== undefined && !PAYLOADS.has(String(ch.payload)))
		return fail(
			422,
			'not-supported',
			`channel.payload "${String(ch.payload)}" is not supported; leave it out (empty notifications) or use application/fhir+json.`,
		);
	const h = header(ch.header);
	if (typeof h === 'string') return fail(400, 'invalid', h);
	return undefined;
}

/** `Subscription` requests on a surface with subscriptions. */
export function subscriptionOp(ctx: OpCtx, op: Op): Result {
	const [, id, ...rest] = op.parts;
	const store = ctx.store;
	if (rest.length === 1 && id !== undefined && (op.method === 'GET' || op.method === 'POST'))
		return backportOperation(ctx, id, rest[0], op.query);
	if (rest.length)
		return fail(
			405,
			'not-supported',
			`This server does not support ${op.method} ${op.parts.join('/')}.`,
		);
	if (op.method === 'POST' && id === undefined) {
		const g = grant(ctx.surface, ctx.token, SUBSCRIPTION, 'c');
		if (isResult(g)) return g;
		if (g.only !== undefined)
			return fail(403, 'forbidden', 'A token limited to one patient cannot create Subscriptions.');
		const bad = invalid(op.body);
		if (bad) return bad;
		const newId = store.newId(SUBSCRIPTION);
		const v = store.write(
			SUBSCRIPTION,
			newId,
			{ ...(op.body as Res), id: newId, status: 'requested' },
			'POST',
		);
		const created = v.resource as Res;
		// the handshake goes out after the 201 is on its way
		setImmediate(() => void handshake(ctx.app, ctx.surface, store, newId));
		return {
			status: 201,
			body: created,
			headers: {
				Location: abs(ctx.app, ctx.base, `${SUBSCRIPTION}/${newId}/_history/${v.versionId}`),
				ETag: `W/"${v.versionId}"`,
			},
		};
	}
	if (op.method === 'GET' && id === undefined) {
		const g = grant(ctx.surface, ctx.token, SUBSCRIPTION, 'read');
		if (isResult(g)) return g;
		const all = [...store.list(SUBSCRIPTION)];
		return {
			status: 200,
			body: {
				resourceType: 'Bundle',
				type: 'searchset',
				total: all.length,
				link: [{ relation: 'self', url: op.self }],
				entry: all.map((r) => ({
					fullUrl: abs(ctx.app, ctx.base, `${SUBSCRIPTION}/${r.id}`),
					resource: r,
					search: { mode: 'match' },
				})),
			},
		};
	}
	if (id === undefined)
		return fail(405, 'not-supported', `This server does not support ${op.method} Subscription.`);
	const cur = store.current(SUBSCRIPTION, id);
	if (op.method === 'GET') {
		const g = grant(ctx.surface, ctx.token, SUBSCRIPTION, 'read');
		if (isResult(g)) return g;
		if (!cur) return fail(404, 'not-found', `Resource Subscription/${id} is not known.`);
		if (!cur.resource) return fail(410, 'deleted', `Resource Subscription/${id} was deleted.`);
		return { status: 200, body: cur.resource, headers: { ETag: `W/"${cur.versionId}"` } };
	}
	if (op.method === 'DELETE') {
		const g = grant(ctx.surface, ctx.token, SUBSCRIPTION, 'd');
		if (isResult(g)) return g;
		if (!cur) return fail(404, 'not-found', `Resource Subscription/${id} is not known.`);
		disarmHeartbeat(ctx.app, store, id);
		const versionId = cur.resource
			? store.write(SUBSCRIPTION, id, null, 'DELETE').versionId
			: cur.versionId;
		return {
			status: 200,
			headers: { ETag: `W/"${versionId}"` },
			body: {
				resourceType: 'OperationOutcome',
				issue: [
					{
						severity: 'information',
						code: 'informational',
						diagnostics: `Deleted Subscription/${id}.`,
					},
				],
			},
		};
	}
	return fail(405, 'not-supported', `This server does not support ${op.method} on Subscription.`);
}

function abs(app: SandboxApp, base: string, path: string): string {
	return app.url(`${base}/${path}`);
}

/** `Subscription/{id}/$status` and `/$events` (backport Subscriptions only). */
function backportOperation(ctx: OpCtx, id: string, name: string, q: URLSearchParams): Result {
	if (name !== '$status' && name !== '$events')
		return fail(405, 'not-supported', `This server does not support Subscription/${id}/${name}.`);
	const g = grant(ctx.surface, ctx.token, SUBSCRIPTION, 'read');
	if (isResult(g)) return g;
	const cur = ctx.store.current(SUBSCRIPTION, id);
	if (!cur) return fail(404, 'not-found', `Resource Subscription/${id} is not known.`);
	if (!cur.resource) return fail(410, 'deleted', `Resource Subscription/${id} was deleted.`);
	const sub = cur.resource;
	const settings = isBackport(sub) ? backportSettings(sub) : undefined;
	if (!settings || typeof settings === 'string')
		return fail(
			400,
			'not-supported',
			`Subscription/${id} is an R4 criteria Subscription; ${name} is for topic-based (backport) Subscriptions.`,
		);
	const url = (path: string) => abs(ctx.app, ctx.base, path);
	const subUrl = url(`${SUBSCRIPTION}/${id}`);
	const count = logOf(ctx.store, id).count;
	if (name === '$status') {
		const status = statusParameters({
			subUrl,
			sub,
			count,
			type: 'query-status',
			events: [],
			content: 'empty',
			abs: url,
		});
		return {
			status: 200,
			body: {
				resourceType: 'Bundle',
				type: 'searchset',
				total: 1,
				entry: [
					{ fullUrl: `urn:uuid:${String(status.id)}`, resource: status, search: { mode: 'match' } },
				],
			},
		};
	}
	const events = eventsQuery(ctx.store, id, q);
	if (!Array.isArray(events)) return events;
	return {
		status: 200,
		body: notificationBundle({
			subUrl,
			sub,
			count,
			type: 'query-event',
			events,
			content: contentOf(q, settings.content),
			abs: url,
		}),
	};
}

// ---- delivery ----

interface Watch {
	/** history items before this index were looked at */
	seen: number;
	scheduled: boolean;
	/** per Subscription id: the tail of its delivery chain */
	chains: Map<string, Promise<void>>;
}

const watches = new WeakMap<FhirStore, Watch>();

function watchOf(store: FhirStore): Watch {
	let w = watches.get(store);
	if (!w)
		watches.set(store, (w = { seen: store.history.length, scheduled: false, chains: new Map() }));
	return w;
}

/**
 * Hooks the store of a surface with subscriptions: after each synchronous run of writes (a
 * request, a whole transaction, a seed) the new history items are matched against the active
 * Subscriptions. Deferred to a microtask so that a transaction that was undone sends nothing.
 */
export function watchStore(app: SandboxApp, surface: string, store: FhirStore): void {
	const w = watchOf(store);
	store.onWrite = () => {
		if (w.scheduled) return;
		w.scheduled = true;
		queueMicrotask(() => {
			w.scheduled = false;
			const items = store.history.slice(w.seen);
			w.seen = store.history.length;
			if (items.length) dispatch(app, surface, store, items);
		});
	};
}

type Matcher =
	| { kind: 'criteria'; type: string; test: (r: Res) => boolean }
	| { kind: 'topic'; settings: BackportSettings; tests: Array<(r: Res) => boolean> };

function matcherOf(app: SandboxApp, store: FhirStore, s: Res): Matcher | undefined {
	const ctx = { store, ds: datasetFor(app), includes: false, strict: false };
	try {
		if (isBackport(s)) {
			const settings = backportSettings(s);
			if (typeof settings === 'string') return undefined;
			const tests = settings.filters.map((f) => predicate(ctx, f.type, f.query));
			return { kind: 'topic', settings, tests };
		}
		const c = parseCriteria(s.criteria);
		if (typeof c === 'string') return undefined;
		return { kind: 'criteria', type: c.type, test: predicate(ctx, c.type, c.query) };
	} catch {
		return undefined;
	}
}

function dispatch(app: SandboxApp, surface: string, store: FhirStore, items: HistoryItem[]): void {
	const subs = [...store.list(SUBSCRIPTION)].filter((s) => s.status === 'active');
	if (!subs.length) return;
	const matchers = subs.map((s) => matcherOf(app, store, s));
	for (const item of items) {
		if (item.type === SUBSCRIPTION || !item.version.resource) continue;
		const r = item.version.resource;
		subs.forEach((s, i) => {
			const m = matchers[i];
			if (!m) return;
			if (m.kind === 'criteria') {
				if (m.type !== item.type || !m.test(r)) return;
				enqueue(app, surface, store, s.id, 'event', { resource: r }, item.version.lastUpdated);
				return;
			}
			const e = eventFor(
				store,
				s.id,
				m.settings,
				item.type,
				r,
				item.version.versionId,
				item.version.lastUpdated,
				(f) => m.tests[m.settings.filters.indexOf(f)](r),
			);
			if (e) enqueue(app, surface, store, s.id, 'event', { resource: r, event: e }, e.timestamp);
		});
	}
}

interface What {
	resource?: Res;
	/** backport event notifications */
	event?: BackportEvent;
}

function enqueue(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	subId: string,
	kind: Delivery['kind'],
	what: What,
	queuedAt: string,
): Promise<void> {
	const w = watchOf(store);
	const prior = w.chains.get(subId) ?? Promise.resolve();
	const started = Date.now();
	const next = prior.then(() => deliver(app, surface, store, subId, kind, what, queuedAt, started));
	w.chains.set(subId, next);
	return next;
}

function handshake(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	subId: string,
): Promise<void> {
	const cur = store.current(SUBSCRIPTION, subId)?.resource;
	return enqueue(app, surface, store, subId, 'handshake', {}, String(cur?.meta?.lastUpdated ?? ''));
}

/** A heartbeat for a backport Subscription (timer or admin); nothing for others. */
export function heartbeat(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	subId: string,
): Promise<void> {
	return enqueue(app, surface, store, subId, 'heartbeat', {}, new Date().toISOString());
}

/** The request body and content type of a delivery, undefined: an empty POST. */
function payloadOf(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	sub: Res,
	kind: Delivery['kind'],
	what: What,
): { body: string; type: string } | undefined {
	const ch = (sub.channel ?? {}) as Record<string, unknown>;
	const settings = isBackport(sub) ? backportSettings(sub) : undefined;
	if (!settings || typeof settings === 'string') {
		if (kind !== 'event' || ch.payload === undefined || !what.resource) return undefined;
		return { body: JSON.stringify(what.resource), type: String(ch.payload) };
	}
	const base = PROFILE_BASES[surface] ?? '';
	const url = (path: string) => app.url(`${base}/${path}`);
	const type: NotificationType = kind === 'event' ? 'event-notification' : kind;
	const events = what.event ? [what.event] : [];
	const bundle = notificationBundle({
		subUrl: url(`${SUBSCRIPTION}/${sub.id}`),
		sub,
		// an event: the events counted when it was numbered (not later ones already queued)
		count: what.event?.number ?? logOf(store, sub.id).count,
		type,
		events,
		content: settings.content,
		abs: url,
	});
	return { body: JSON.stringify(bundle), type: String(ch.payload ?? 'application/fhir+json') };
}

/** the FHIR base path of each surface with subscriptions */
const PROFILE_BASES: Record<string, string> = { smart: '/smart/fhir' };

async function deliver(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	subId: string,
	kind: Delivery['kind'],
	what: What,
	queuedAt: string,
	started: number,
): Promise<void> {
	const sub = store.current(SUBSCRIPTION, subId)?.resource;
	// deleted, switched off or failed meanwhile: nothing more goes out
	if (!sub || sub.status !== (kind === 'handshake' ? 'requested' : 'active')) return;
	const backport = isBackport(sub) ? backportSettings(sub) : undefined;
	// heartbeats are a backport thing
	if (kind === 'heartbeat' && (!backport || typeof backport === 'string')) return;
	const settings = typeof backport === 'object' ? backport : undefined;
	const ch = (sub.channel ?? {}) as Record<string, unknown>;
	const endpoint = String(ch.endpoint);
	if (loopbackEndpoint(endpoint)) return;
	const headers = header(ch.header) as Record<string, string>;
	const payload = payloadOf(app, surface, store, sub, kind, what);
	if (payload) headers['Content-Type'] = payload.type;
	const s = state(app);
	const resource = what.resource;
	const d: Delivery = {
		seq: ++s.seq,
		surface,
		subscription: subId,
		kind,
		eventNumber: what.event?.number,
		focus: resource
			? `${resource.resourceType}/${resource.id}/_history/${String(resource.meta?.versionId ?? '')}`
			: undefined,
		endpoint,
		status: 0,
		ok: false,
		queuedAt,
		ms: 0,
	};
	const log = settings ? logOf(store, subId) : undefined;
	if (log && kind === 'event' && log.drop > 0) {
		log.drop--;
		d.dropped = true;
		d.error = 'Not sent: dropped by POST /_admin/fhir/subscriptions/{id}/drop.';
		s.deliveries.push(d);
		return;
	}
	const timeoutMs = Math.min(DELIVERY_TIMEOUT_MS, (settings?.timeout ?? Infinity) * 1000);
	try {
		const res = await fetch(endpoint, {
			method: 'POST',
			headers,
			body: payload?.body,
			signal: AbortSignal.timeout(timeoutMs),
			redirect: 'manual',
		});
		await res.arrayBuffer().catch(() => undefined);
		d.status = res.status;
		d.ok = res.status >= 200 && res.status < 300;
		if (!d.ok) d.error = `The endpoint answered ${res.status} to the ${kind}.`;
	} catch (e) {
		const err = e as Error & { cause?: { code?: string } };
		d.error =
			err.name === 'TimeoutError'
				? `The endpoint did not answer the ${kind} within ${timeoutMs} ms.`
				: `The ${kind} could not be delivered: ${err.cause?.code ?? err.message}.`;
	}
	d.ms = Date.now() - started;
	s.deliveries.push(d);
	if (s.deliveries.length > 10_000) s.deliveries.splice(0, s.deliveries.length - 10_000);
	// the outcome becomes a new version of the Subscription (if it is still there, unchanged)
	const now = store.current(SUBSCRIPTION, subId);
	if (!now?.resource || now.resource.status !== sub.status) return;
	if (d.ok && kind === 'handshake') setStatus(store, now.resource, 'active');
	else if (!d.ok) setStatus(store, now.resource, 'error', d.error);
	// heartbeats: the period counts from the last notification sent
	if (settings && d.ok)
		armHeartbeat(app, store, subId, settings.heartbeat, () => {
			void heartbeat(app, surface, store, subId);
		});
	else if (settings) disarmHeartbeat(app, store, subId);
}

function setStatus(store: FhirStore, r: Res, status: string, error?: string): void {
	const next: Res = { ...r, status };
	if (error) next.error = error;
	else delete next.error;
	store.write(SUBSCRIPTION, r.id, next, 'PUT');
}

/**
 * Admin: `GET /_admin/fhir/subscriptions/deliveries?since=<seq>&surface=` → `{deliveries}`;
 * `POST /_admin/fhir/subscriptions/{id}/heartbeat?surface=smart` → a heartbeat now (backport),
 *   answered once attempted with `{delivery}` (its log entry; null: not sent, e.g. switched off);
 * `POST /_admin/fhir/subscriptions/{id}/drop?count=N&surface=smart` → the next N event
 * notifications are not sent.
 */
export function registerSubscriptionAdmin(
	app: SandboxApp,
	storeOf: (surface: string) => FhirStore | undefined,
): void {
	app.onReset(() => {
		disarmAll(app);
		app.state.subscriptions = { deliveries: [], seq: 0 };
	});
	app.onClose(() => disarmAll(app));
	app.route('GET', '/_admin/fhir/subscriptions/deliveries', 'admin', (req, res) => {
		const since = Number(req.query.get('since') ?? 0) || 0;
		const surface = req.query.get('surface');
		sendJson(res, 200, {
			deliveries: state(app).deliveries.filter(
				(d) => d.seq > since && (!surface || d.surface === surface),
			),
		});
	});
	const backportSub = (surface: string, id: string) => {
		const store = storeOf(surface);
		const sub = store?.current(SUBSCRIPTION, id)?.resource;
		if (!store || !sub) return { error: `No Subscription/${id} on ${surface}.` };
		if (!isBackport(sub)) return { error: `Subscription/${id} is not topic-based.` };
		return { store, sub };
	};
	app.route('POST', '/_admin/fhir/subscriptions/:id/heartbeat', 'admin', (req, res) => {
		const surface = req.query.get('surface') ?? 'smart';
		const r = backportSub(surface, req.params.id);
		if ('error' in r) return sendJson(res, 404, { error: r.error });
		if (r.sub.status !== 'active')
			return sendJson(res, 409, { error: `Subscription/${r.sub.id} is ${String(r.sub.status)}.` });
		const since = state(app).seq;
		void heartbeat(app, surface, r.store, r.sub.id).then(() => {
			const d = state(app).deliveries.find(
				(x) => x.seq > since && x.kind === 'heartbeat' && x.subscription === r.sub.id,
			);
			sendJson(res, 200, { delivery: d ?? null });
		});
	});
	app.route('POST', '/_admin/fhir/subscriptions/:id/drop', 'admin', (req, res) => {
		const surface = req.query.get('surface') ?? 'smart';
		const r = backportSub(surface, req.params.id);
		if ('error' in r) return sendJson(res, 404, { error: r.error });
		const count = Number(req.query.get('count') ?? 1);
		if (!Number.isInteger(count) || count < 0)
			return sendJson(res, 400, { error: 'count must be a whole number.' });
		logOf(r.store, r.sub.id).drop = count;
		sendJson(res, 200, { drop: count });
	});
}
