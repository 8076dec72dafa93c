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
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { simplifyResource } from '../../shared/fhir-simplify';
import { apiRequest, encodePathSegment, joinUrl } from '../../shared/http';
import { isRecord, str } from '../../shared/values';
import { getVendorProfile } from '../../shared/vendors';
import { SECRET_HEADER, staticData } from './subscription';

/** the largest notification read (bytes) */
export const MAX_NOTIFICATION_BYTES = 5 * 1024 * 1024;
/** the most resources taken from one notification */
export const MAX_RESOURCES = 1000;

export type Notification =
	| { kind: 'ping'; type: string }
	| {
			kind: 'event';
			resources: IDataObject[];
			ids: Array<{ resourceType: string; id: string; reference: string }>;
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
 * Refuses what is too large, and anything with a body that lacks the secret; undefined when the
 * request may be read. An empty body (a ping: no data, nothing starts) is let through without
 * the secret: a server sends its handshake right after the Subscription is created, and n8n may
 * run this webhook before it has saved the static data holding the new secret.
 */
export function refusal(ctx: IWebhookFunctions) {
	const size = bodySize(ctx);
	if (size > MAX_NOTIFICATION_BYTES)
		return answer(ctx, 413, `Notification larger than ${MAX_NOTIFICATION_BYTES} bytes`);
	const body = ctx.getBodyData();
	const empty = size === 0 && (!isRecord(body) || Object.keys(body).length === 0);
	// (a chunked body has no Content-Length: its raw body is read before this check, see webhook())
	if (!empty && !secretMatches(staticData(ctx).secret, header(ctx, SECRET_HEADER)))
		return answer(ctx, 401, 'Unauthorized');
	return undefined;
}

function statusOf(entry: unknown): { type?: string } | undefined {
	const r = isRecord(entry) ? entry.resource : undefined;
	if (!isRecord(r)) return undefined;
	if (r.resourceType === 'SubscriptionStatus')
		return { type: str(r.type) ?? str(r.notificationType) };
	if (r.resourceType === 'Parameters' && Array.isArray(r.parameter)) {
		const p = (r.parameter as unknown[]).filter(isRecord).find((x) => x.name === 'type');
		return { type: p ? (str(p.valueCode) ?? str(p.valueString)) : undefined };
	}
	return undefined;
}

function idOf(
	entry: IDataObject,
): { resourceType: string; id: string; reference: string } | undefined {
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
	if (status.type !== 'event-notification') return { kind: 'ping', type: status.type ?? 'unknown' };
	const resources: IDataObject[] = [];
	const ids: Array<{ resourceType: string; id: string; reference: string }> = [];
	for (const e of (body.entry as unknown[]).slice(1, 1 + MAX_RESOURCES)) {
		if (!isRecord(e)) continue;
		if (isRecord(e.resource)) resources.push(e.resource);
		else {
			const id = idOf(e);
			if (id) ids.push(id);
		}
	}
	return { kind: 'event', resources, ids };
}

/** Reads an id-only entry's resource, on the credential's FHIR server only. */
async function fetchResource(
	ctx: IWebhookFunctions,
	ref: { resourceType: string; id: string; reference: string },
): Promise<IDataObject> {
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
		url: joinUrl(profile.fhirBaseUrl, ref.resourceType, encodePathSegment(ref.id)),
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
