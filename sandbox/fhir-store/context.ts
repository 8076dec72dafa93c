// What every store interaction works with: the surface context, the request as plain data, and
// helpers for the profile check, scopes, version headers and resource answers.
import type { SandboxApp } from '../app';
import type { SandboxRequest } from '../http';
import type { Dataset } from '../data';
import type { TokenRecord } from '../tokens';
import { fail, grant, type Action, type Grant, type Result } from './access';
import { profileTypes, supports, type Interaction, type StoreProfile } from './profiles';
import type { SearchCtx } from './search';
import { served, type Current, type FhirStore, type Res } from './store';

export interface OpCtx {
	app: SandboxApp;
	surface: 'smart' | 'emp' | 'oneup';
	/** path of the FHIR base on the main origin */
	base: string;
	profile: StoreProfile;
	store: FhirStore;
	ds: Dataset;
	token: TokenRecord;
	/** page size for a search; throws SearchError to refuse the request */
	pageSize(q: URLSearchParams): number;
	/** accept lower-case type segments (`/patient/1`) */
	lowerCaseTypes?: boolean;
	/** the HTTP request, for route faults on `next` links (absent inside a batch) */
	faultReq?: SandboxRequest;
}

export interface Op {
	method: string;
	/** decoded path segments after the base: `['Patient', 'pt-00001', '_history', '2']` */
	parts: string[];
	query: URLSearchParams;
	ifMatch?: string;
	ifNoneExist?: string;
	prefer?: string;
	body?: unknown;
	/** absolute URL of the request (links are built from it) */
	self: string;
	/** transactions: the id a create must use (urn:uuid entries) */
	forcedId?: string;
}

export function abs(ctx: OpCtx, path: string): string {
	return ctx.app.url(`${ctx.base}/${path}`);
}

/** The canonical type of a path segment (`patient` on lower-case servers), or undefined. */
export function typeOf(ctx: OpCtx, seg: string): string | undefined {
	const types = profileTypes(ctx.profile);
	if (types.includes(seg)) return seg;
	if (ctx.lowerCaseTypes) return types.find((t) => t.toLowerCase() === seg);
	return undefined;
}

/** 405 when the profile does not declare the interaction, else the grant for the action. */
export function allow(ctx: OpCtx, type: string, i: Interaction, action: Action): Grant | Result {
	if (!supports(ctx.profile, type, i))
		return fail(405, 'not-supported', `This server does not support ${i} on ${type}.`);
	return grant(ctx.surface, ctx.token, type, action);
}

export function searchCtx(ctx: OpCtx, op: Op, g: Grant, strict?: boolean): SearchCtx {
	return {
		store: ctx.store,
		ds: ctx.ds,
		includes: ctx.profile.includes,
		strict: strict ?? /handling\s*=\s*strict/i.test(op.prefer ?? ''),
		only: g.only,
	};
}

export function versionHeaders(
	ctx: OpCtx,
	type: string,
	id: string,
	v: { versionId: number; lastUpdated: string },
): Record<string, string> {
	const h: Record<string, string> = { ETag: `W/"${v.versionId}"` };
	const t = Date.parse(v.lastUpdated);
	if (Number.isFinite(t)) h['Last-Modified'] = new Date(t).toUTCString();
	h.Location = abs(ctx, `${type}/${id}/_history/${v.versionId}`);
	return h;
}

/** A 200 with the current resource, ETag and Last-Modified. */
export function resourceResult(ctx: OpCtx, cur: Current & { resource: Res }, status = 200): Result {
	const r = cur.resource;
	const headers = versionHeaders(ctx, r.resourceType, r.id, cur);
	if (status === 200) delete headers.Location;
	return { status, body: served(r), headers };
}

/** The version in an `If-Match` header (`W/"3"`, `"3"`, `3`), or NaN. */
export function ifMatchVersion(h: string): number {
	const m = /^(?:W\/)?"?([^"]*)"?$/.exec(h.trim());
	return m ? Number(m[1]) : NaN;
}
