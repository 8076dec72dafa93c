// Writes to the store: create (conditional with If-None-Exist), update (If-Match, update as
// create where allowed), conditional update by search, JSON Patch and delete.
import { compartment, fail, isResult, type Grant, type Result } from './access';
import {
	abs,
	allow,
	ifMatchVersion,
	resourceResult,
	searchCtx,
	versionHeaders,
	type Op,
	type OpCtx,
} from './context';
import { applyPatch, PatchError } from './patch';
import { appointmentSlots } from './scheduling';
import { allMatches } from './search';
import type { Current, Res, Version } from './store';

/** The body as a resource of `type`, or the 400 answer. */
function resourceBody(body: unknown, type: string): Res | Result {
	if (!body || typeof body !== 'object' || Array.isArray(body))
		return fail(400, 'structure', `The body is not a FHIR resource (expected a ${type} object).`);
	const r = body as Res;
	if (r.resourceType !== type)
		return fail(
			400,
			'invalid',
			`The body's resourceType (${String(r.resourceType)}) does not match the URL type ${type}.`,
		);
	if (r.id !== undefined && (typeof r.id !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(r.id)))
		return fail(400, 'invalid', `The id "${String(r.id)}" is not a valid FHIR id.`);
	return r;
}

function isRes(x: Res | Result): x is Res {
	return (x as Res).resourceType !== undefined;
}

/** 412 when If-Match names another version than the current one. */
function ifMatch(op: Op, type: string, id: string, cur: Current | undefined): Result | undefined {
	if (op.ifMatch === undefined) return undefined;
	const want = ifMatchVersion(op.ifMatch);
	if (!cur || cur.versionId !== want) {
		return fail(
			412,
			'conflict',
			`If-Match ${op.ifMatch} does not match the current version of ${type}/${id} (${cur ? `W/"${cur.versionId}"` : 'none'}).`,
		);
	}
	return undefined;
}

/** The answer to a write: 200/201, Location, ETag, body per `Prefer: return=…`. */
function written(ctx: OpCtx, op: Op, type: string, id: string, v: Version, status: number): Result {
	const headers = versionHeaders(ctx, type, id, v);
	const prefer = op.prefer ?? '';
	if (/return\s*=\s*minimal/i.test(prefer)) return { status, headers };
	if (/return\s*=\s*OperationOutcome/i.test(prefer)) {
		return {
			status,
			headers,
			body: {
				resourceType: 'OperationOutcome',
				issue: [
					{
						severity: 'information',
						code: 'informational',
						diagnostics: `${type}/${id} is at version ${v.versionId}.`,
					},
				],
			},
		};
	}
	return { status, headers, body: v.resource };
}

/** Writes `r` as `type/id`, checking the compartment of the new and the old content. */
function put(
	ctx: OpCtx,
	op: Op,
	g: Grant,
	type: string,
	id: string,
	r: Res,
	method: Version['method'],
	status: number,
): Result {
	const denied = compartment(g, { ...r, id });
	if (denied) return denied;
	const old = ctx.store.current(type, id)?.resource;
	const deniedOld = old && compartment(g, old);
	if (deniedOld) return deniedOld;
	const slots = appointmentSlots(ctx, type, { ...r, id }, old);
	if (slots && typeof slots !== 'function') return slots;
	const v = ctx.store.write(type, id, { ...r, id }, method);
	slots?.();
	return written(ctx, op, type, id, v, status);
}

function conditionalQuery(raw: string, type: string): URLSearchParams {
	const s = raw
		.trim()
		.replace(/^.*\?/, '')
		.replace(new RegExp(`^${type}\\?`), '');
	return new URLSearchParams(s);
}

function hasFilter(q: URLSearchParams): boolean {
	return [...q.keys()].some((k) => !k.startsWith('_') || k === '_id' || k === '_lastUpdated');
}

export function createOp(ctx: OpCtx, op: Op, type: string): Result {
	const g = allow(ctx, type, 'create', 'c');
	if (isResult(g)) return g;
	const r = resourceBody(op.body, type);
	if (!isRes(r)) return r;
	if (op.ifNoneExist !== undefined) {
		if (!ctx.profile.conditionalCreate)
			return fail(
				405,
				'not-supported',
				`This server does not support conditional create (If-None-Exist) on ${type}.`,
			);
		const q = conditionalQuery(op.ifNoneExist, type);
		if (!hasFilter(q))
			return fail(400, 'invalid', `If-None-Exist "${op.ifNoneExist}" has no search criteria.`);
		const matches = allMatches(searchCtx(ctx, op, g, true), type, q);
		if (matches.length > 1)
			return fail(
				412,
				'duplicate',
				`If-None-Exist "${op.ifNoneExist}" matched ${matches.length} ${type} resources; nothing was created.`,
			);
		if (matches.length === 1) {
			const cur = ctx.store.current(type, matches[0].id) as Current & { resource: Res };
			const res = resourceResult(ctx, cur);
			res.headers = {
				...res.headers,
				Location: abs(ctx, `${type}/${cur.resource.id}/_history/${cur.versionId}`),
			};
			return res;
		}
	}
	const id = op.forcedId ?? ctx.store.newId(type);
	return put(ctx, op, g, type, id, { ...r, id }, 'POST', 201);
}

export function updateOp(ctx: OpCtx, op: Op, type: string, id: string): Result {
	const g = allow(ctx, type, 'update', 'u');
	if (isResult(g)) return g;
	const r = resourceBody(op.body, type);
	if (!isRes(r)) return r;
	if (r.id === undefined)
		return fail(
			400,
			'invalid',
			`The body has no id; an update of ${type}/${id} must carry "id": "${id}".`,
		);
	if (r.id !== id)
		return fail(400, 'invalid', `The body's id (${r.id}) does not match the URL id (${id}).`);
	return upsert(ctx, op, g, type, id, r);
}

function upsert(ctx: OpCtx, op: Op, g: Grant, type: string, id: string, r: Res): Result {
	const cur = ctx.store.current(type, id);
	const stale = ifMatch(op, type, id, cur);
	if (stale) return stale;
	const exists = !!cur?.resource;
	if (!exists && !ctx.profile.updateCreate) {
		return cur
			? fail(410, 'deleted', `Resource ${type}/${id} was deleted.`)
			: fail(
					404,
					'not-found',
					`Resource ${type}/${id} is not known; this server does not create resources by update.`,
				);
	}
	return put(ctx, op, g, type, id, r, 'PUT', exists ? 200 : 201);
}

export function conditionalUpdateOp(ctx: OpCtx, op: Op, type: string): Result {
	const g = allow(ctx, type, 'update', 'u');
	if (isResult(g)) return g;
	if (!ctx.profile.conditionalUpdate)
		return fail(
			405,
			'not-supported',
			`This server does not support conditional update on ${type}.`,
		);
	const r = resourceBody(op.body, type);
	if (!isRes(r)) return r;
	if (!hasFilter(op.query))
		return fail(
			400,
			'invalid',
			`A conditional update of ${type} needs search criteria in the URL.`,
		);
	const matches = allMatches(searchCtx(ctx, op, g, true), type, op.query);
	if (matches.length > 1)
		return fail(
			412,
			'duplicate',
			`The conditional update matched ${matches.length} ${type} resources; nothing was changed.`,
		);
	if (matches.length === 1) {
		const id = matches[0].id;
		if (r.id !== undefined && r.id !== id)
			return fail(
				400,
				'invalid',
				`The body's id (${r.id}) is not the id of the matching resource (${id}).`,
			);
		return upsert(ctx, op, g, type, id, r);
	}
	const id =
		r.id !== undefined && !ctx.store.current(type, r.id)
			? r.id
			: (op.forcedId ?? ctx.store.newId(type));
	return put(ctx, op, g, type, id, r, 'PUT', 201);
}

/** The grant and the stored versions of `type/id`, or the 405/403/404 answer. */
function target(
	ctx: OpCtx,
	type: string,
	id: string,
	i: 'patch' | 'delete',
): { g: Grant; cur: Current } | Result {
	const g = allow(ctx, type, i, i === 'patch' ? 'u' : 'd');
	if (isResult(g)) return g;
	const cur = ctx.store.current(type, id);
	return cur ? { g, cur } : fail(404, 'not-found', `Resource ${type}/${id} is not known.`);
}

export function patchOp(ctx: OpCtx, op: Op, type: string, id: string): Result {
	const t = target(ctx, type, id, 'patch');
	if ('status' in t) return t;
	const { g, cur } = t;
	if (!cur.resource) return fail(410, 'deleted', `Resource ${type}/${id} was deleted.`);
	const stale = ifMatch(op, type, id, cur);
	if (stale) return stale;
	let next: Res;
	try {
		next = applyPatch(cur.resource, op.body);
	} catch (e) {
		if (e instanceof PatchError)
			return fail(e.status, e.status === 422 ? 'processing' : 'invalid', e.message);
		throw e;
	}
	if (next.resourceType !== type || next.id !== id)
		return fail(422, 'processing', 'A patch may not change resourceType or id.');
	return put(ctx, op, g, type, id, next, 'PATCH', 200);
}

export function deleteOp(ctx: OpCtx, op: Op, type: string, id: string): Result {
	const t = target(ctx, type, id, 'delete');
	if ('status' in t) return t;
	const { g, cur } = t;
	const done = (versionId: number): Result => ({
		status: 200,
		headers: { ETag: `W/"${versionId}"` },
		body: {
			resourceType: 'OperationOutcome',
			issue: [
				{ severity: 'information', code: 'informational', diagnostics: `Deleted ${type}/${id}.` },
			],
		},
	});
	if (!cur.resource) return done(cur.versionId);
	const stale = ifMatch(op, type, id, cur);
	if (stale) return stale;
	const denied = compartment(g, cur.resource);
	if (denied) return denied;
	const slots = appointmentSlots(ctx, type, null, cur.resource);
	const v = ctx.store.write(type, id, null, 'DELETE').versionId;
	if (typeof slots === 'function') slots();
	return done(v);
}
