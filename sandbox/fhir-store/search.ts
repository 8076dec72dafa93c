// Search over the store: parameter tests, `_sort`, `_elements`, `_include` / `_revinclude`, the
// Patient compartment for `$everything`. A search of an untouched Patient or Immunization set
// with the read surfaces' own parameters takes their fast paths (nothing generated needlessly).
import type { Dataset } from '../data';
import {
	SearchError,
	immunizationFilter,
	patientMatcher,
	searchPatients,
	selectImmunizations,
} from '../surfaces/fhir-common';
import { patientsOf } from './access';
import { STORE_TYPES, matcher, paramDef, refKey, refsOf, sortDate } from './params';
import { served, type FhirStore, type Res } from './store';

/** Query parameters that steer a search rather than filter it. */
export const CONTROL = new Set([
	'_count',
	'_offset',
	'_sort',
	'_elements',
	'_summary',
	'_total',
	'_include',
	'_revinclude',
	'_format',
	'_pretty',
	'_since',
]);

const LEGACY: Record<string, Set<string>> = {
	Patient: new Set([
		'_id',
		'identifier',
		'name',
		'family',
		'given',
		'birthdate',
		'gender',
		'_count',
		'_offset',
		'_total',
	]),
	Immunization: new Set(['patient', 'subject', 'date', 'status', '_count', '_offset', '_total']),
};

export interface SearchCtx {
	store: FhirStore;
	ds: Dataset;
	/** _include / _revinclude honoured */
	includes: boolean;
	/** `Prefer: handling=strict`: unknown parameters are errors */
	strict: boolean;
	/** patient-limited token: only this patient's compartment */
	only?: string;
}

function unknown(ctx: SearchCtx, what: string): void {
	if (ctx.strict) throw new SearchError(`${what} (Prefer: handling=strict).`);
}

/** A predicate for every filtering parameter of `q` on `type` (also Subscription criteria). */
export function predicate(ctx: SearchCtx, type: string, q: URLSearchParams): (r: Res) => boolean {
	if (type === 'Immunization') immunizationFilter(q);
	if (type === 'Patient') patientMatcher(q);
	const tests: Array<(r: Res) => boolean> = [];
	for (const [key, value] of q) {
		if (CONTROL.has(key) || value === '') continue;
		const [name, modifier = ''] = key.split(':');
		const def = paramDef(type, name);
		if (!def) {
			unknown(ctx, `Unknown search parameter "${key}" for ${type}`);
			continue;
		}
		tests.push(matcher(def, modifier, value));
	}
	const only = ctx.only;
	if (only !== undefined) tests.push((r) => patientsOf(r).includes(only));
	return (r) => tests.every((t) => t(r));
}

function sorter(
	ctx: SearchCtx,
	type: string,
	q: URLSearchParams,
): ((a: Res, b: Res) => number) | undefined {
	const keys = q
		.getAll('_sort')
		.flatMap((s) => s.split(','))
		.filter((s) => s !== '');
	if (!keys.length) return undefined;
	const cmps = keys.map((k) => {
		const desc = k.startsWith('-');
		const name = desc ? k.slice(1) : k;
		const def = paramDef(type, name);
		if (!def || (def.type !== 'date' && name !== '_id')) {
			unknown(ctx, `Unknown sort parameter "${name}" for ${type}`);
			return () => 0;
		}
		const key = (r: Res): number | string =>
			name === '_id' ? r.id : (sortDate(r, def) ?? (desc ? -Infinity : Infinity));
		return (a: Res, b: Res) => {
			const x = key(a);
			const y = key(b);
			const c = x < y ? -1 : x > y ? 1 : 0;
			return desc ? -c : c;
		};
	});
	return (a, b) => {
		for (const c of cmps) {
			const v = c(a, b);
			if (v) return v;
		}
		return 0;
	};
}

function canonicalKey(type: string, q: URLSearchParams, only?: string): string {
	const pairs = [...q]
		.filter(([k]) => k !== '_offset' && k !== '_count')
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return `${type}?${new URLSearchParams(pairs).toString()}|${only ?? ''}`;
}

/** All matches of a search, in order (cached until the next write). */
export function allMatches(ctx: SearchCtx, type: string, q: URLSearchParams): Res[] {
	const test = predicate(ctx, type, q);
	const sort = sorter(ctx, type, q);
	return ctx.store.cached(canonicalKey(type, q, ctx.only), () => {
		const out: Res[] = [];
		for (const r of ctx.store.list(type)) if (test(r)) out.push(r);
		return sort ? out.sort(sort) : out;
	});
}

/** One page of a search and the total. */
export function searchPage(
	ctx: SearchCtx,
	type: string,
	q: URLSearchParams,
	offset: number,
	size: number,
): { total: number; items: Res[] } {
	const legacy = LEGACY[type];
	if (legacy && ctx.store.untouched(type) && [...q.keys()].every((k) => legacy.has(k))) {
		if (type === 'Immunization') {
			const asked = q.get('patient') ?? q.get('subject');
			const ids = asked
				? [refKey(asked, 'Patient').replace(/^Patient\//, '')]
				: ctx.only !== undefined
					? [ctx.only]
					: undefined;
			const { total, items } = selectImmunizations(
				ctx.ds,
				ids,
				immunizationFilter(q),
				offset,
				size,
			);
			return { total, items: items as unknown as Res[] };
		}
		const all = searchPatients(ctx.ds, q, ctx.only) as unknown as Res[];
		return { total: all.length, items: all.slice(offset, offset + size) };
	}
	const all = allMatches(ctx, type, q);
	return { total: all.length, items: all.slice(offset, offset + size) };
}

/** `Patient/{id}/$everything`: the patient, then every resource of its compartment. */
export function everything(ctx: SearchCtx, pid: string, since?: number): Res[] {
	return ctx.store.cached(`$everything/${pid}|${since ?? ''}`, () => {
		const out: Res[] = [];
		const p = ctx.store.current('Patient', pid)?.resource;
		if (p) out.push(p);
		for (const type of STORE_TYPES) {
			if (type === 'Patient' || !paramDef(type, 'patient')) continue;
			for (const r of ctx.store.list(type)) if (patientsOf(r).includes(pid)) out.push(r);
		}
		return since === undefined
			? out
			: out.filter(
					(r) =>
						Date.parse(String((r.meta as { lastUpdated?: string })?.lastUpdated ?? '')) >= since,
				);
	});
}

/** `_elements`: only the listed top-level elements (plus id, meta), marked SUBSETTED. */
export function elements(r: Res, q: URLSearchParams): Res {
	const list = q
		.getAll('_elements')
		.flatMap((s) => s.split(','))
		.map((s) => s.trim())
		.filter(Boolean);
	const s = served(r);
	if (!list.length) return s;
	const out: Res = { resourceType: s.resourceType, id: s.id };
	for (const k of list) if (k in s) out[k] = s[k];
	const meta = (s.meta ?? {}) as Record<string, unknown>;
	const tag = [
		...((meta.tag as unknown[]) ?? []),
		{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' },
	];
	out.meta = { ...meta, tag };
	return out;
}

function parseInclude(
	ctx: SearchCtx,
	value: string,
	param: string,
): { src: string; name: string; target?: string } | undefined {
	const [src, name, target] = value.split(':');
	const def = name ? paramDef(src, name) : undefined;
	if (!def || def.type !== 'reference') {
		unknown(ctx, `Unknown ${param} "${value}"`);
		return undefined;
	}
	return { src, name, target };
}

/** The resources `_include` and `_revinclude` add to a page of matches (no duplicates). */
export function included(ctx: SearchCtx, type: string, q: URLSearchParams, page: Res[]): Res[] {
	const inc = q.getAll('_include');
	const rev = q.getAll('_revinclude');
	if (!inc.length && !rev.length) return [];
	if (!ctx.includes) {
		unknown(ctx, 'This server does not support _include or _revinclude');
		return [];
	}
	const seen = new Set(page.map((r) => `${r.resourceType}/${r.id}`));
	const out: Res[] = [];
	const add = (r: Res | null | undefined) => {
		if (!r) return;
		const key = `${r.resourceType}/${r.id}`;
		if (seen.has(key)) return;
		if (ctx.only !== undefined && !patientsOf(r).includes(ctx.only)) return;
		seen.add(key);
		out.push(r);
	};
	for (const v of inc) {
		const p = parseInclude(ctx, v, '_include');
		if (!p || p.src !== type) continue;
		const def = paramDef(p.src, p.name)!;
		for (const r of page) {
			for (const k of refsOf(r, def)) {
				const [t, id] = k.split('/');
				if (!p.target || p.target === t) add(ctx.store.current(t, id)?.resource);
			}
		}
	}
	const keys = new Set(page.map((r) => `${r.resourceType}/${r.id}`));
	for (const v of rev) {
		const p = parseInclude(ctx, v, '_revinclude');
		if (!p || !STORE_TYPES.includes(p.src)) continue;
		const def = paramDef(p.src, p.name)!;
		for (const r of ctx.store.list(p.src)) if (refsOf(r, def).some((k) => keys.has(k))) add(r);
	}
	return out;
}
