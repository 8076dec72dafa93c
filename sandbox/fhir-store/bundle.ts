// `POST [base]` with a Bundle: `batch` runs every entry on its own (one response entry each, in
// order); `transaction` is atomic: `urn:uuid:` fullUrls are given ids first and every reference to
// them is rewritten, then the entries run in order, and the first failing entry undoes them all
// and answers for the whole Bundle, naming `Bundle.entry[i]`.
import { fail, grant, isResult, outcomeOf, type Result } from './access';
import { abs, typeOf, type Op, type OpCtx } from './context';
import { execute } from './ops';
import { allMatches } from './search';

interface Entry {
	fullUrl?: string;
	resource?: Record<string, unknown>;
	request?: {
		method?: string;
		url?: string;
		ifMatch?: string;
		ifNoneExist?: string;
		ifNoneMatch?: string;
	};
}

const REASON: Record<number, string> = {
	200: 'OK',
	201: 'Created',
	204: 'No Content',
	400: 'Bad Request',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	409: 'Conflict',
	410: 'Gone',
	412: 'Precondition Failed',
	422: 'Unprocessable Entity',
};

/** An entry's request as an Op (its url relative to the base, or absolute on this base). */
function entryOp(ctx: OpCtx, e: Entry, forcedId?: string): Op | Result {
	const method = String(e.request?.method ?? '').toUpperCase();
	let url = String(e.request?.url ?? '');
	const baseUrl = abs(ctx, '');
	if (url.startsWith(baseUrl)) url = url.slice(baseUrl.length);
	url = url.replace(/^\/+/, '');
	if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method) || !url)
		return fail(
			400,
			'invalid',
			'request.method (GET, POST, PUT, PATCH, DELETE) and request.url are required.',
		);
	const [path, query = ''] = url.split('?');
	let body: unknown = e.resource;
	if (method === 'PATCH') {
		const bin = e.resource as { resourceType?: string; data?: string } | undefined;
		if (bin?.resourceType !== 'Binary' || typeof bin.data !== 'string')
			return fail(
				400,
				'invalid',
				'A PATCH entry carries a Binary whose data is a base64 JSON Patch.',
			);
		try {
			body = JSON.parse(Buffer.from(bin.data, 'base64').toString('utf8'));
		} catch {
			return fail(400, 'invalid', 'The Binary data of a PATCH entry is not a JSON Patch.');
		}
	}
	return {
		method,
		parts: path.split('/').filter(Boolean).map(decodeURIComponent),
		query: new URLSearchParams(query),
		ifMatch: e.request?.ifMatch,
		ifNoneExist: e.request?.ifNoneExist,
		body,
		self: abs(ctx, url),
		forcedId,
	};
}

function status(n: number): string {
	return `${n} ${REASON[n] ?? ''}`.trim();
}

/** A response entry for a result. */
function responseEntry(r: Result): Record<string, unknown> {
	const response: Record<string, unknown> = { status: status(r.status) };
	if (r.headers?.Location) response.location = r.headers.Location;
	if (r.headers?.ETag) response.etag = r.headers.ETag;
	if (r.headers?.['Last-Modified'])
		response.lastModified = new Date(r.headers['Last-Modified']).toISOString();
	const out: Record<string, unknown> = {};
	const body = r.body as { resourceType?: string } | undefined;
	if (r.status >= 400) response.outcome = body;
	else if (body?.resourceType) out.resource = body;
	out.response = response;
	return out;
}

function rewrite(v: unknown, map: Map<string, string>): unknown {
	if (Array.isArray(v)) return v.map((x) => rewrite(x, map));
	if (v && typeof v === 'object') {
		const o: Record<string, unknown> = {};
		for (const [k, x] of Object.entries(v))
			o[k] =
				k === 'reference' && typeof x === 'string' && map.has(x) ? map.get(x) : rewrite(x, map);
		return o;
	}
	return v;
}

/** Ids for the `urn:uuid:` creates of a transaction (a conditional create that matches one resource maps to it). */
function assignIds(
	ctx: OpCtx,
	entries: Entry[],
): { map: Map<string, string>; ids: Array<string | undefined> } | Result {
	const map = new Map<string, string>();
	const ids: Array<string | undefined> = [];
	for (const [i, e] of entries.entries()) {
		const type =
			typeof e.resource?.resourceType === 'string'
				? typeOf(ctx, e.resource.resourceType)
				: undefined;
		if (
			String(e.request?.method ?? '').toUpperCase() !== 'POST' ||
			!e.fullUrl?.startsWith('urn:uuid:') ||
			!type
		) {
			ids.push(undefined);
			continue;
		}
		let id: string | undefined;
		if (e.request?.ifNoneExist) {
			const g = grant(ctx.surface, ctx.token, type, 'read');
			const q = new URLSearchParams(e.request.ifNoneExist.replace(/^.*\?/, ''));
			const found = isResult(g)
				? []
				: allMatches(
						{ store: ctx.store, ds: ctx.ds, includes: false, strict: false, only: g.only },
						type,
						q,
					);
			if (found.length === 1) id = found[0].id;
			if (found.length > 1)
				return blame(
					i,
					fail(412, 'duplicate', `If-None-Exist matched ${found.length} ${type} resources.`),
				);
		}
		ids.push(id ? undefined : (id = ctx.store.newId(type)));
		map.set(e.fullUrl, `${type}/${id}`);
	}
	return { map, ids };
}

/** The transaction's answer for a failing entry: its status, an OperationOutcome naming it. */
function blame(i: number, r: Result): Result {
	const issue =
		((r.body as { issue?: Array<{ code?: string; diagnostics?: string }> })?.issue ?? [])[0] ?? {};
	const diag = `Bundle.entry[${i}] failed (${status(r.status)}): ${issue.diagnostics ?? ''} The transaction was rolled back; nothing was written.`;
	return {
		status: r.status,
		body: outcomeOf(issue.code ?? 'processing', diag, { expression: [`Bundle.entry[${i}]`] }),
	};
}

export function bundleOp(ctx: OpCtx, body: unknown): Result {
	const b = body as { resourceType?: string; type?: string; entry?: Entry[] } | null;
	if (!b || b.resourceType !== 'Bundle')
		return fail(400, 'invalid', 'POST to the base takes a Bundle of type batch or transaction.');
	const entries = Array.isArray(b.entry) ? b.entry : [];
	if (b.type === 'batch') {
		if (!ctx.profile.batch)
			return fail(405, 'not-supported', 'This server does not support batch.');
		const entry = entries.map((e) => {
			const op = entryOp(ctx, e);
			return responseEntry('status' in op ? op : execute(ctx, op));
		});
		return { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry } };
	}
	if (b.type !== 'transaction')
		return fail(400, 'invalid', `Bundle.type must be batch or transaction, not ${String(b.type)}.`);
	if (!ctx.profile.transaction)
		return fail(405, 'not-supported', 'This server does not support transaction.');
	let failure: Result | undefined;
	const out = ctx.store.atomic(
		() => {
			const assigned = assignIds(ctx, entries);
			if ('status' in assigned) return ((failure = assigned), []);
			const results: Array<Record<string, unknown>> = [];
			for (const [i, raw] of entries.entries()) {
				const e = {
					...raw,
					resource: rewrite(raw.resource, assigned.map) as Record<string, unknown> | undefined,
				};
				const op = entryOp(ctx, e, assigned.ids[i]);
				const r = 'status' in op ? op : execute(ctx, op);
				if (r.status >= 400) {
					failure = blame(i, r);
					return [];
				}
				results.push(responseEntry(r));
			}
			return results;
		},
		() => failure === undefined,
	);
	return (
		failure ?? {
			status: 200,
			body: { resourceType: 'Bundle', type: 'transaction-response', entry: out },
		}
	);
}
