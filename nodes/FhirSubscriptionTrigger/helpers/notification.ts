// What arrives at the trigger's webhook: the checks (size, secret) and the reading of a FHIR
// Subscription notification into items.
//
// Shapes read:
// - an empty body: an R4 ping (the handshake of a new Subscription, or a notification without
//   payload) → answered 200, nothing starts (with or without the secret: it carries nothing);
// - a FHIR resource: an R4 rest-hook notification with payload → one item;
// - a topic-based (R4B/R5 backport) notification Bundle (`type` history or
//   subscription-notification) whose first entry is a SubscriptionStatus (or Parameters in the
//   R4 backport): handshake / heartbeat / query-status → 200, nothing starts; event-notification
//   → one item per entry after the status (the resource, or its id for id-only payloads, read
//   from the server when "Fetch Resource" is on).
// - for a Topic Subscription (Subscription Type "Topic") an event notification gives one item per
//   notification event: `{ resource, focus, subscription, topic, eventNumber, timestamp }`; the
//   event numbers are checked against the last one delivered (static data): repeats are dropped,
//   a gap is read back through `Subscription/{id}/$events` (bounded) and delivered first
//   (`recovered: true`), or named as `missedEvents` on the first item when it cannot be read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { simplifyResource } from '../../shared/fhir-simplify';
import { apiRequest, joinUrl } from '../../shared/http';
import { isRecord, str } from '../../shared/values';
import { getVendorProfile } from '../../shared/vendors';
import { SECRET_HEADER, staticData, subscriptionType } from './subscription';
import { MAX_RECOVERED_EVENTS, readMissedEvents } from './topic';
import { claimEvents, claimKey } from './event-claims';

/** the largest notification read (bytes) */
export const MAX_NOTIFICATION_BYTES = 5 * 1024 * 1024;
/** the most resources taken from one notification */
export const MAX_RESOURCES = 1000;

type Ref = { resourceType: string; id: string; reference: string };

/** What the status entry of a topic-based notification says. */
export interface NotificationStatus {
	type?: string;
	subscription?: string;
	topic?: string;
	/** events-since-subscription-start */
	since?: number;
	events: Array<{ number?: number; timestamp?: string; focus?: string }>;
}

export type Notification =
	| { kind: 'ping'; type: string; status?: NotificationStatus }
	| {
			kind: 'event';
			resources: IDataObject[];
			ids: Ref[];
			/** topic-based notifications: the status, and the entries after it in order */
			status?: NotificationStatus;
			entries?: Array<{ fullUrl?: string; resource?: IDataObject; ref?: Ref }>;
	  }
	| { kind: 'invalid'; reason: string };

/** Timing-safe: both sides hashed to the same length first. */
export function secretMatches(expected: string | undefined, got: unknown): boolean {
	if (!expected || typeof got !== 'string' || !got) return false;
	const a = createHash('sha256').update(expected).digest();
	const b = createHash('sha256').update(got).digest();
	return timingSafeEqual(a, b);
}

function header(ctx: IWebhookFunctions, name: string): string | undefined {
	const v = ctx.getHeaderData()[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}

interface RawRequest {
	rawBody?: { length: number; toString(encoding: 'utf8'): string };
	readRawBody?: () => Promise<void>;
}

function rawRequest(ctx: IWebhookFunctions): RawRequest {
	return ctx.getRequestObject() as unknown as RawRequest;
}

/** The size of the request body as far as it is known (Content-Length, or the raw body). */
function bodySize(ctx: IWebhookFunctions): number {
	const declared = Number(header(ctx, 'content-length'));
	return Math.max(Number.isFinite(declared) ? declared : 0, rawRequest(ctx).rawBody?.length ?? 0);
}

/**
 * The notification's JSON. n8n parses `application/json` bodies only: a FHIR server's
 * `application/fhir+json` arrives as the raw body, read here (after the size check). Undefined:
 * a body that is not JSON.
 */
export async function bodyOf(ctx: IWebhookFunctions): Promise<unknown> {
	const parsed = ctx.getBodyData();
	if (isRecord(parsed) && Object.keys(parsed).length) return parsed;
	const req = rawRequest(ctx);
	if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
	const text = req.rawBody?.length ? req.rawBody.toString('utf8').replace(/^\uFEFF/, '') : '';
	if (!text.trim()) return {};
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** Answers the request directly; n8n starts no execution. */
export function answer(ctx: IWebhookFunctions, status: number, message: string) {
	ctx.getResponseObject().status(status).json({ message });
	return { noWebhookResponse: true } as const;
}

/**
 * Starts the workflow with `items`, the node answering the request itself: n8n 2.41 saves the
 * static data changed in webhook() (the last event number) only on that path. When n8n answers,
 * it starts the execution first, and the new execution's copy of the workflow resets the
 * "changed" mark on the same static data object, so the save after the answer skips it (found
 * by the e2e test: every notification saw event number 0 and re-read the earlier events).
 */
export function startedByTheNode(
	ctx: IWebhookFunctions,
	items: IDataObject[],
): IWebhookResponseData {
	ctx.getResponseObject().status(200).json({ message: 'Workflow was started' });
	return { noWebhookResponse: true, workflowData: [ctx.helpers.returnJsonArray(items)] };
}

/** Refuses what is too large; undefined when the request may be read. */
export function tooLarge(ctx: IWebhookFunctions) {
	if (bodySize(ctx) > MAX_NOTIFICATION_BYTES)
		return answer(ctx, 413, `Notification larger than ${MAX_NOTIFICATION_BYTES} bytes`);
	return undefined;
}

/**
 * Refuses a request without the secret (401). Called for everything but pings: an empty body, a
 * handshake or a heartbeat carries no data and starts nothing, so it is answered without the
 * secret — a server sends its handshake right after the Subscription is created, and n8n may run
 * this webhook before it has saved the static data holding the new secret.
 */
export function unauthorized(ctx: IWebhookFunctions) {
	if (!hasSecret(ctx)) return answer(ctx, 401, 'Unauthorized');
	return undefined;
}

/** The request carries the secret of the node's Subscription (nothing is answered). */
export function hasSecret(ctx: IWebhookFunctions): boolean {
	return secretMatches(staticData(ctx).secret, header(ctx, SECRET_HEADER));
}

/** A topic heartbeat whose events-since-subscription-start is above the last number delivered. */
export function heartbeatShowsMissed(
	ctx: IWebhookFunctions,
	n: Extract<Notification, { kind: 'ping' }>,
): boolean {
	const last = staticData(ctx).lastEventNumber;
	const since = n.status?.since;
	return typeof last === 'number' && since !== undefined && since > last;
}

const num = (x: unknown): number | undefined => {
	const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : NaN;
	return Number.isSafeInteger(n) ? n : undefined;
};
const refOf = (x: unknown): string | undefined => (isRecord(x) ? str(x.reference) : undefined);

function statusOf(entry: unknown): NotificationStatus | undefined {
	const r = isRecord(entry) ? entry.resource : undefined;
	if (!isRecord(r)) return undefined;
	if (r.resourceType === 'SubscriptionStatus') {
		const events = (Array.isArray(r.notificationEvent) ? r.notificationEvent : [])
			.filter(isRecord)
			.map((e) => ({
				number: num(e.eventNumber),
				timestamp: str(e.timestamp),
				focus: refOf(e.focus),
			}));
		return {
			type: str(r.type) ?? str(r.notificationType),
			subscription: refOf(r.subscription),
			topic: str(r.topic),
			since: num(r.eventsSinceSubscriptionStart),
			events,
		};
	}
	if (r.resourceType === 'Parameters' && Array.isArray(r.parameter)) {
		const params = (r.parameter as unknown[]).filter(isRecord);
		const value = (name: string) => params.find((x) => x.name === name);
		const type = value('type');
		const events = params
			.filter((x) => x.name === 'notification-event' && Array.isArray(x.part))
			.map((x) => {
				const part = (x.part as unknown[]).filter(isRecord);
				const p = (name: string) => part.find((y) => y.name === name);
				return {
					number: num(p('event-number')?.valueString ?? p('event-number')?.valueInteger),
					timestamp: str(p('timestamp')?.valueInstant),
					focus: refOf(p('focus')?.valueReference),
				};
			});
		const since = value('events-since-subscription-start');
		return {
			type: type ? (str(type.valueCode) ?? str(type.valueString)) : undefined,
			subscription: refOf(value('subscription')?.valueReference),
			topic: str(value('topic')?.valueCanonical) ?? str(value('topic')?.valueUri),
			since: num(since?.valueString ?? since?.valueInteger ?? since?.valueUnsignedInt),
			events,
		};
	}
	return undefined;
}

function idOf(entry: IDataObject): Ref | undefined {
	const ref = str(entry.fullUrl) ?? (isRecord(entry.request) ? str(entry.request.url) : undefined);
	const m = ref
		? /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref)
		: null;
	return m && ref ? { resourceType: m[1], id: m[2], reference: ref } : undefined;
}

/** Reads a notification body. */
export function readNotification(body: unknown): Notification {
	if (!isRecord(body) || Object.keys(body).length === 0) return { kind: 'ping', type: 'empty' };
	const rt = str(body.resourceType);
	if (!rt) return { kind: 'invalid', reason: 'The body is not a FHIR resource or notification.' };
	const status = rt === 'Bundle' && Array.isArray(body.entry) ? statusOf(body.entry[0]) : undefined;
	if (!status) return { kind: 'event', resources: [body], ids: [] };
	// $events answers (query-event) carry events like an event notification
	if (status.type !== 'event-notification' && status.type !== 'query-event')
		return { kind: 'ping', type: status.type ?? 'unknown', status };
	const resources: IDataObject[] = [];
	const ids: Ref[] = [];
	const entries: NonNullable<Extract<Notification, { kind: 'event' }>['entries']> = [];
	for (const e of (body.entry as unknown[]).slice(1, 1 + MAX_RESOURCES)) {
		if (!isRecord(e)) continue;
		const ref = idOf(e);
		if (isRecord(e.resource)) {
			resources.push(e.resource);
			entries.push({ fullUrl: str(e.fullUrl), resource: e.resource, ref });
		} else if (ref) {
			ids.push(ref);
			entries.push({ fullUrl: str(e.fullUrl), ref });
		}
	}
	return { kind: 'event', resources, ids, status, entries };
}

/** Reads an id-only entry's resource, on the credential's FHIR server only. */
async function fetchResource(ctx: IWebhookFunctions, ref: Ref): Promise<IDataObject> {
	const type = ctx.getNodeParameter('authentication') as string;
	const profile = getVendorProfile(type, await ctx.getCredentials(type), ctx.getNode());
	const base = new URL(profile.fhirBaseUrl);
	let absolute: URL | undefined;
	try {
		absolute = new URL(ref.reference);
	} catch {
		absolute = undefined; // relative: on our server
	}
	if (absolute && absolute.origin !== base.origin)
		return { ...ref, fetchError: `Not read: ${absolute.origin} is not the credential's server.` };
	const res = await apiRequest.call(ctx, type, {
		method: 'GET',
		url: joinUrl(profile.fhirBaseUrl, ref.resourceType, ref.id),
		headers: { Accept: profile.accept },
		okStatuses: [404, 410],
		what: `Read ${ref.resourceType}/${ref.id}`,
	});
	if (res.status === 404 || res.status === 410)
		return { ...ref, fetchError: `${ref.resourceType}/${ref.id} answered ${res.status}.` };
	return isRecord(res.body) ? res.body : { ...ref, fetchError: 'The answer was not a resource.' };
}

/** The items of an event notification. */
export async function itemsOf(
	ctx: IWebhookFunctions,
	n: Extract<Notification, { kind: 'event' }>,
): Promise<IDataObject[]> {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const simplify = ctx.getNodeParameter('simplify', false) as boolean;
	const out: IDataObject[] = [...n.resources];
	for (const ref of n.ids) {
		if (options.fetchResource !== false) {
			try {
				out.push(await fetchResource(ctx, ref));
			} catch (e) {
				out.push({ ...ref, fetchError: (e as Error).message });
			}
		} else out.push({ ...ref });
	}
	return simplify ? out.map((r) => (r.fetchError ? r : simplifyResource(r))) : out;
}

const refFrom = (reference: string): Ref | undefined => idOf({ fullUrl: reference });

/** The items of one topic-based notification's events (no numbering checks). */
async function topicEventItems(
	ctx: IWebhookFunctions,
	n: Extract<Notification, { kind: 'event' }>,
	extra: IDataObject = {},
	keep: (n: number | undefined) => boolean = () => true,
): Promise<Array<{ number?: number; item: IDataObject }>> {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const simplify = ctx.getNodeParameter('simplify', false) as boolean;
	const status = n.status ?? { events: [] };
	const entries = n.entries ?? [];
	// no notification-event listed: one event per entry, unnumbered
	const events = status.events.length
		? status.events
		: entries.map((e) => ({ number: undefined, timestamp: undefined, focus: e.fullUrl }));
	const out: Array<{ number?: number; item: IDataObject }> = [];
	for (const [i, ev] of events.entries()) {
		if (!keep(ev.number)) continue;
		const focusRef = ev.focus ? refFrom(ev.focus) : undefined;
		const entry =
			entries.find((e) => ev.focus !== undefined && e.fullUrl === ev.focus) ??
			entries.find(
				(e) =>
					focusRef &&
					e.ref &&
					e.ref.resourceType === focusRef.resourceType &&
					e.ref.id === focusRef.id,
			) ??
			(events.length === entries.length ? entries[i] : undefined);
		const focus = entry?.ref ?? focusRef;
		const item: IDataObject = {};
		if (entry?.resource) item.resource = entry.resource;
		else if (focus && options.fetchResource !== false) {
			try {
				const r = await fetchResource(ctx, focus);
				if (r.fetchError) item.fetchError = r.fetchError;
				else item.resource = r;
			} catch (e) {
				item.fetchError = (e as Error).message;
			}
		}
		if (simplify && isRecord(item.resource)) item.resource = simplifyResource(item.resource);
		if (focus) item.focus = { ...focus };
		item.subscription = status.subscription;
		item.topic = status.topic;
		item.eventNumber = ev.number;
		item.timestamp = ev.timestamp;
		Object.assign(item, extra);
		out.push({ number: ev.number, item });
	}
	return out;
}

/**
 * The items of a topic-based event notification, in event order: events already delivered are
 * left out; missed ones before them are read through `$events` (when the server declares it) and
 * come first; what could not be read is named on the first new item as `missedEvents`.
 */
export async function topicItemsOf(
	ctx: IWebhookFunctions,
	n: Extract<Notification, { kind: 'event' }>,
): Promise<IDataObject[]> {
	const data = staticData(ctx);
	const last = typeof data.lastEventNumber === 'number' ? data.lastEventNumber : undefined;
	const listed = (n.status?.events ?? [])
		.map((e) => e.number)
		.filter((x): x is number => x !== undefined);
	// claimed before the first await: a notification handled at the same time in this process
	// (its static data not saved yet) neither delivers these nor takes them for a gap
	const key =
		data.subscriptionId && data.fhirBaseUrl && data.secret
			? claimKey(data.fhirBaseUrl, data.subscriptionId, data.secret)
			: undefined;
	const deliverable = new Set(
		(key ? claimEvents(key, listed, last) : listed).filter((k) => last === undefined || k > last),
	);
	// a notification without events of its own (a heartbeat) whose events-since-subscription-start
	// is above the last delivered number: the events up to it were missed
	const since = n.status?.since;
	const first = deliverable.size
		? Math.min(...deliverable)
		: !listed.length && since !== undefined && last !== undefined && since > last
			? since + 1
			: undefined;
	// the numbers between the last delivered and this notification's first, bounded; only those
	// nobody else in this process has claimed are this call's to read back
	const gapFrom = last !== undefined && first !== undefined ? last + 1 : undefined;
	const gapTo =
		gapFrom !== undefined ? Math.min(first! - 1, gapFrom - 1 + MAX_RECOVERED_EVENTS) : undefined;
	const range =
		gapFrom !== undefined && gapTo !== undefined && gapTo >= gapFrom
			? Array.from({ length: gapTo - gapFrom + 1 }, (_, i) => gapFrom + i)
			: [];
	const gap = key ? claimEvents(key, range, last) : range;
	const fresh = await topicEventItems(ctx, n, {}, (k) => k === undefined || deliverable.has(k));
	const numbers = fresh.map((e) => e.number).filter((x): x is number => x !== undefined);
	const recovered: IDataObject[] = [];
	const missed: IDataObject[] = [];
	if (gap.length) {
		const from = Math.min(...gap);
		const to = Math.max(...gap);
		const wanted = new Set(gap);
		let got: Array<{ number?: number; item: IDataObject }> = [];
		let reason: string | undefined;
		if (!data.eventsSupported || !data.subscriptionId || !data.fhirBaseUrl)
			reason = "The server's CapabilityStatement does not declare Subscription $events.";
		else {
			const r = await readMissedEvents(
				ctx,
				data.subscriptionId,
				data.fhirBaseUrl,
				from,
				to,
				String(data.content ?? 'full-resource'),
			);
			if ('error' in r) reason = r.error;
			else {
				const q = readNotification(r.bundle);
				if (q.kind === 'event')
					got = await topicEventItems(
						ctx,
						q,
						{ recovered: true },
						(k) => k !== undefined && wanted.has(k),
					);
				else reason = '$events answered without events.';
			}
		}
		const seen = new Set<number>();
		for (const e of got.sort((a, b) => (a.number ?? 0) - (b.number ?? 0)))
			if (!seen.has(e.number!)) {
				seen.add(e.number!);
				recovered.push(e.item);
			}
		// the numbers still missing, as ranges (what was asked for, then what lies beyond the bound)
		let start: number | undefined;
		for (let k = from; k <= to + 1; k++) {
			const open = k <= to && wanted.has(k) && !seen.has(k);
			if (open && start === undefined) start = k;
			if (!open && start !== undefined) {
				missed.push({ from: start, to: k - 1, reason: reason ?? '$events did not return them.' });
				start = undefined;
			}
		}
	}
	if (gapTo !== undefined && first !== undefined && gapTo < first - 1) {
		missed.push({
			from: gapTo + 1,
			to: first - 1,
			reason: `Not read: more than ${MAX_RECOVERED_EVENTS} events were missed; read them with Subscription $events.`,
		});
	}
	const items = [...recovered, ...fresh.map((e) => e.item)];
	if (missed.length && fresh.length) fresh[0].item.missedEvents = missed;
	else if (missed.length)
		// nothing of its own to carry them (a heartbeat): one item saying what is known
		items.push({
			subscription: n.status?.subscription,
			topic: n.status?.topic,
			notification: n.status?.type,
			missedEvents: missed,
		});
	const delivered = [
		...numbers,
		...recovered.map((i) => i.eventNumber as number),
		// reported once as missed: not reported again by the next notification
		...missed.map((m) => m.to as number),
	];
	if (delivered.length) data.lastEventNumber = Math.max(last ?? 0, ...delivered);
	return items;
}

/** True when the node's Subscription is topic-based (what items look like). */
export function isTopicNode(ctx: IWebhookFunctions): boolean {
	return subscriptionType(ctx) === 'topic';
}
