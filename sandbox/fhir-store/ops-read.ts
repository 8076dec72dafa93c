// Reads of the store: read, vread, search (with includes, _summary=count, _elements), history
// of a resource or a type, and Patient $everything. Lists are Bundles paged by `_offset`, which
// the server writes into `next` links (the route faults on those links apply on HTTP requests).
import { faultedNext, intParam, searchsetBundle } from '../surfaces/fhir-common';
import { compartment, fail, isResult, patientsOf, type Grant, type Result } from './access';
import { abs, allow, resourceResult, searchCtx, type Op, type OpCtx } from './context';
import { elements, everything, included, searchPage } from './search';
import { served, type Current, type Res } from './store';

function readForbidden(pid: string): Result {
	return fail(
		403,
		'forbidden',
		`The access token is limited to another patient; it cannot read Patient/${pid}.`,
	);
}

/** 403 when a patient-limited grant reads another patient's resource. */
function readable(g: Grant, r: Res): Result | undefined {
	if (g.only === undefined || patientsOf(r).includes(g.only)) return undefined;
	return readForbidden(patientsOf(r)[0] ?? r.id);
}

function withOffset(self: string, offset: number | undefined): string {
	const u = new URL(self);
	if (offset === undefined || offset === 0) u.searchParams.delete('_offset');
	else u.searchParams.set('_offset', String(offset));
	return u.toString();
}

/** next / previous links for a page (with the route faults on next). */
function links(
	ctx: OpCtx,
	op: Op,
	total: number,
	offset: number,
	size: number,
): { next: string | null; previous: string | null } {
	const hasNext = size > 0 && offset + size < total;
	const raw = hasNext ? withOffset(op.self, offset + size) : null;
	const next = ctx.faultReq ? faultedNext(ctx.app, ctx.faultReq, raw) : raw;
	const previous = offset > 0 && size > 0 ? withOffset(op.self, Math.max(0, offset - size)) : null;
	return { next, previous };
}

function paging(ctx: OpCtx, op: Op): { offset: number; size: number } {
	return { offset: intParam(op.query, '_offset', 0), size: ctx.pageSize(op.query) };
}

function fullUrl(ctx: OpCtx, r: Res): string {
	return abs(ctx, `${r.resourceType}/${r.id}`);
}

export function searchOp(ctx: OpCtx, op: Op, type: string): Result {
	const g = allow(ctx, type, 'search-type', 'read');
	if (isResult(g)) return g;
	if (g.only !== undefined) {
		const asked =
			type === 'Patient'
				? op.query.get('_id')
				: (op.query.get('patient') ?? op.query.get('subject'));
		const pid = asked ? asked.replace(/^.*Patient\//, '') : undefined;
		if (pid && type !== 'Patient' && pid !== g.only) return readForbidden(pid);
	}
	const sctx = searchCtx(ctx, op, g);
	const { offset, size } = paging(ctx, op);
	const countOnly = op.query.get('_summary') === 'count';
	const { total, items } = searchPage(sctx, type, op.query, offset, countOnly ? 0 : size);
	if (countOnly)
		return {
			status: 200,
			body: {
				resourceType: 'Bundle',
				type: 'searchset',
				total,
				link: [{ relation: 'self', url: op.self }],
			},
		};
	const extra = included(sctx, type, op.query, items);
	const bundle = searchsetBundle({
		total,
		self: op.self,
		...links(ctx, op, total, offset, size),
		entries: items.map((r) => ({ fullUrl: fullUrl(ctx, r), resource: elements(r, op.query) })),
	});
	(bundle.entry as unknown[]).push(
		...extra.map((r) => ({
			fullUrl: fullUrl(ctx, r),
			resource: served(r),
			search: { mode: 'include' },
		})),
	);
	return { status: 200, body: bundle };
}

/** The current version, or the 404 / 410 / 403 answer. */
function found(
	ctx: OpCtx,
	g: Grant,
	type: string,
	id: string,
): (Current & { resource: Res }) | Result {
	if (type === 'Patient' && g.only !== undefined && id !== g.only) return readForbidden(id);
	const cur = ctx.store.current(type, id);
	if (!cur) return fail(404, 'not-found', `Resource ${type}/${id} is not known.`);
	if (!cur.resource)
		return {
			status: 410,
			body: {
				resourceType: 'OperationOutcome',
				issue: [
					{
						severity: 'error',
						code: 'deleted',
						diagnostics: `Resource ${type}/${id} was deleted.`,
					},
				],
			},
			headers: { ETag: `W/"${cur.versionId}"` },
		};
	return readable(g, cur.resource) ?? (cur as Current & { resource: Res });
}

export function readOp(ctx: OpCtx, _op: Op, type: string, id: string): Result {
	const g = allow(ctx, type, 'read', 'read');
	if (isResult(g)) return g;
	const cur = found(ctx, g, type, id);
	return 'status' in cur ? cur : resourceResult(ctx, cur);
}

export function vreadOp(ctx: OpCtx, _op: Op, type: string, id: string, vid: string): Result {
	const g = allow(ctx, type, 'vread', 'read');
	if (isResult(g)) return g;
	const v = ctx.store.version(type, id, Number(vid));
	if (!v) return fail(404, 'not-found', `Resource ${type}/${id} has no version ${vid}.`);
	if (!v.resource) return fail(410, 'deleted', `Version ${vid} of ${type}/${id} is a deletion.`);
	return readable(g, v.resource) ?? resourceResult(ctx, v as Current & { resource: Res });
}

interface HistoryRow {
	type: string;
	id: string;
	v: Current;
	method: string;
}

const STATUS: Record<string, string> = {
	POST: '201 Created',
	PUT: '200 OK',
	PATCH: '200 OK',
	DELETE: '200 OK',
};

function historyBundle(ctx: OpCtx, op: Op, rows: HistoryRow[]): Result {
	const since = op.query.get('_since');
	const t = since ? Date.parse(since) : NaN;
	if (since && !Number.isFinite(t))
		return fail(400, 'invalid', `_since must be an instant, not "${since}".`);
	const list = since ? rows.filter((r) => Date.parse(r.v.lastUpdated) >= t) : rows;
	const { offset, size } = paging(ctx, op);
	const page = list.slice(offset, offset + size);
	const { next, previous } = links(ctx, op, list.length, offset, size);
	const link = [{ relation: 'self', url: op.self }];
	if (previous) link.push({ relation: 'previous', url: previous });
	if (next) link.push({ relation: 'next', url: next });
	const entry = page.map((r) => {
		const e: Record<string, unknown> = { fullUrl: abs(ctx, `${r.type}/${r.id}`) };
		if (r.v.resource) e.resource = served(r.v.resource);
		e.request = { method: r.method, url: r.method === 'POST' ? r.type : `${r.type}/${r.id}` };
		e.response = {
			status: STATUS[r.method] ?? '200 OK',
			etag: `W/"${r.v.versionId}"`,
			lastModified: r.v.lastUpdated,
		};
		return e;
	});
	return {
		status: 200,
		body: { resourceType: 'Bundle', type: 'history', total: list.length, link, entry },
	};
}

export function historyOp(ctx: OpCtx, op: Op, type: string, id?: string): Result {
	const g = allow(ctx, type, id === undefined ? 'history-type' : 'history-instance', 'read');
	if (isResult(g)) return g;
	if (id !== undefined) {
		const versions = ctx.store.versions(type, id);
		if (!versions.length) return fail(404, 'not-found', `Resource ${type}/${id} is not known.`);
		const latest = versions.find((v) => v.resource)?.resource;
		const denied = latest && readable(g, latest);
		if (denied) return denied;
		return historyBundle(
			ctx,
			op,
			versions.map((v) => ({ type, id, v, method: (v as { method?: string }).method ?? 'POST' })),
		);
	}
	const rows: HistoryRow[] = [];
	const hist = ctx.store.history;
	for (let i = hist.length - 1; i >= 0; i--) {
		const h = hist[i];
		if (h.type !== type) continue;
		if (g.only !== undefined) {
			const r =
				h.version.resource ?? ctx.store.version(type, h.id, h.version.versionId - 1)?.resource;
			if (!r || compartment(g, r)) continue;
		}
		rows.push({ type, id: h.id, v: h.version, method: h.version.method });
	}
	for (const v of ctx.store.generatedVersions(type)) {
		if (v.resource && (g.only === undefined || !compartment(g, v.resource)))
			rows.push({ type, id: v.resource.id, v, method: 'POST' });
	}
	return historyBundle(ctx, op, rows);
}

export function everythingOp(ctx: OpCtx, op: Op, id: string): Result {
	if (!ctx.profile.everything)
		return fail(
			405,
			'not-supported',
			'This server does not support the operation $everything on Patient.',
		);
	const g = allow(ctx, 'Patient', 'read', 'read');
	if (isResult(g)) return g;
	const cur = found(ctx, g, 'Patient', id);
	if ('status' in cur) return cur;
	const since = op.query.get('_since');
	const t = since ? Date.parse(since) : undefined;
	if (since && !Number.isFinite(t))
		return fail(400, 'invalid', `_since must be an instant, not "${since}".`);
	const all = everything(searchCtx(ctx, op, g), id, t);
	const { offset, size } = paging(ctx, op);
	return {
		status: 200,
		body: searchsetBundle({
			total: all.length,
			self: op.self,
			...links(ctx, op, all.length, offset, size),
			entries: all
				.slice(offset, offset + size)
				.map((r) => ({ fullUrl: fullUrl(ctx, r), resource: served(r) })),
		}),
	};
}
