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

export const SUBSCRIPTION = 'Subscription';
/** how long one delivery may take before it counts as failed */
export const DELIVERY_TIMEOUT_MS = 5_000;
const PAYLOADS = new Set(['application/fhir+json', 'application/json']);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface Delivery {
	seq: number;
	surface: string;
	subscription: string;
	kind: 'handshake' | 'event';
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
	return {
		type: SUBSCRIPTION,
		profile: 'http://hl7.org/fhir/StructureDefinition/Subscription',
		interaction: ['create', 'read', 'search-type', 'delete'].map((code) => ({ code })),
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
			'an empty-body handshake is POSTed before the Subscription becomes active; deletions are not notified.',
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
	const c = parseCriteria(r.criteria);
	if (typeof c === 'string') return fail(400, 'invalid', c);
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

function dispatch(app: SandboxApp, surface: string, store: FhirStore, items: HistoryItem[]): void {
	const subs = [...store.list(SUBSCRIPTION)].filter((s) => s.status === 'active');
	if (!subs.length) return;
	const matchers = subs.map((s) => {
		const c = parseCriteria(s.criteria);
		if (typeof c === 'string') return undefined;
		try {
			const test = predicate(
				{ store, ds: datasetFor(app), includes: false, strict: false },
				c.type,
				c.query,
			);
			return { type: c.type, test };
		} catch {
			return undefined;
		}
	});
	for (const item of items) {
		if (item.type === SUBSCRIPTION || !item.version.resource) continue;
		const r = item.version.resource;
		subs.forEach((s, i) => {
			const m = matchers[i];
			if (!m || m.type !== item.type || !m.test(r)) return;
			enqueue(app, surface, store, s.id, 'event', r, item.version.lastUpdated);
		});
	}
}

function enqueue(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	subId: string,
	kind: Delivery['kind'],
	resource: Res | undefined,
	queuedAt: string,
): Promise<void> {
	const w = watchOf(store);
	const prior = w.chains.get(subId) ?? Promise.resolve();
	const started = Date.now();
	const next = prior.then(() =>
		deliver(app, surface, store, subId, kind, resource, queuedAt, started),
	);
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
	return enqueue(
		app,
		surface,
		store,
		subId,
		'handshake',
		undefined,
		String(cur?.meta?.lastUpdated ?? ''),
	);
}

async function deliver(
	app: SandboxApp,
	surface: string,
	store: FhirStore,
	subId: string,
	kind: Delivery['kind'],
	resource: Res | undefined,
	queuedAt: string,
	started: number,
): Promise<void> {
	const sub = store.current(SUBSCRIPTION, subId)?.resource;
	// deleted, switched off or failed meanwhile: nothing more goes out
	if (!sub || sub.status !== (kind === 'handshake' ? 'requested' : 'active')) return;
	const ch = (sub.channel ?? {}) as Record<string, unknown>;
	const endpoint = String(ch.endpoint);
	if (loopbackEndpoint(endpoint)) return;
	const headers = header(ch.header) as Record<string, string>;
	const withBody = kind === 'event' && ch.payload !== undefined && resource;
	if (withBody) headers['Content-Type'] = String(ch.payload);
	const s = state(app);
	const d: Delivery = {
		seq: ++s.seq,
		surface,
		subscription: subId,
		kind,
		focus: resource
			? `${resource.resourceType}/${resource.id}/_history/${String(resource.meta?.versionId ?? '')}`
			: undefined,
		endpoint,
		status: 0,
		ok: false,
		queuedAt,
		ms: 0,
	};
	try {
		const res = await fetch(endpoint, {
			method: 'POST',
			headers,
			body: withBody ? JSON.stringify(resource) : undefined,
			signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
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
				? `The endpoint did not answer the ${kind} within ${DELIVERY_TIMEOUT_MS} ms.`
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
}

function setStatus(store: FhirStore, r: Res, status: string, error?: string): void {
	const next: Res = { ...r, status };
	if (error) next.error = error;
	else delete next.error;
	store.write(SUBSCRIPTION, r.id, next, 'PUT');
}

/** Admin: `GET /_admin/fhir/subscriptions/deliveries?since=<seq>&surface=` → `{deliveries}`. */
export function registerSubscriptionAdmin(app: SandboxApp): void {
	app.onReset(() => {
		app.state.subscriptions = { deliveries: [], seq: 0 };
	});
	app.route('GET', '/_admin/fhir/subscriptions/deliveries', 'admin', (req, res) => {
		const since = Number(req.query.get('since') ?? 0) || 0;
		const surface = req.query.get('surface');
		sendJson(res, 200, {
			deliveries: state(app).deliveries.filter(
				(d) => d.seq > since && (!surface || d.surface === surface),
			),
		});
	});
}
