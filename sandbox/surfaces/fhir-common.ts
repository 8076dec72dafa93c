// Shared pieces of the FHIR read surfaces: search filters, paging, Bundles, OperationOutcome,
// the route faults that shape `next` links, and the sandbox-wide FHIR settings.
import type { ServerResponse } from 'node:http';
import type { SandboxApp } from '../app';
import { redirect, sendFhir, type SandboxRequest } from '../http';
import { scopeAllows, type TokenRecord } from '../tokens';
import {
	datasetFor,
	toVersion,
	type Dataset,
	type FhirImmunization,
	type FhirPatient,
	type FhirVersion,
} from '../data';

// ---------------------------------------------------------------------------------------------
// Settings (SandboxOptions fields, changeable at run time with POST /_admin/fhir/settings)

export interface FhirSettings {
	/** onpatient Immunization list shape: `results` ({count,next,previous,results}) or `bundle` */
	onpatientListShape: 'results' | 'bundle';
	/** eMedicalPractice FHIR page size (`_count` is ignored there, as on OpenEMR) */
	empPageSize: number;
	/** SMART generic server: default and maximum `_count` */
	smartDefaultCount: number;
	smartMaxCount: number;
	/** SMART store: interactions (`Type.interaction`, e.g. `Appointment.update`) its
	 * CapabilityStatement leaves out and the server refuses with 405 */
	smartWithhold: string[];
}

export function fhirSettings(app: SandboxApp): FhirSettings {
	let s = app.state.fhirSettings as FhirSettings | undefined;
	if (!s) {
		s = defaultSettings(app);
		app.state.fhirSettings = s;
	}
	return s;
}

export function defaultSettings(app: SandboxApp): FhirSettings {
	const o = app.options;
	return {
		onpatientListShape: o.onpatientListShape === 'bundle' ? 'bundle' : 'results',
		empPageSize: positiveInt(o.empPageSize, 20),
		smartDefaultCount: positiveInt(o.smartDefaultCount, 20),
		smartMaxCount: positiveInt(o.smartMaxCount, 100),
		smartWithhold: [],
	};
}

function positiveInt(v: unknown, dflt: number): number {
	const n = Number(v);
	return Number.isInteger(n) && n > 0 ? n : dflt;
}

export function dataset(app: SandboxApp): Dataset {
	return datasetFor(app);
}

// ---------------------------------------------------------------------------------------------
// Errors

export function outcome(
	code: string,
	diagnostics: string,
	severity = 'error',
): Record<string, unknown> {
	return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/** Answers with an OperationOutcome (FHIR error shape). */
export function sendOutcome(
	res: ServerResponse,
	status: number,
	code: string,
	diagnostics: string,
): void {
	sendFhir(res, status, outcome(code, diagnostics));
}

/** Thrown by the parsers below; each surface turns it into its own error shape. */
export class SearchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Search parameters

const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le'] as const;
type DatePrefix = (typeof PREFIXES)[number];

export interface DateTest {
	prefix: DatePrefix;
	lo: number;
	hi: number;
}

/** Parses a FHIR date search value (`ge2020-01-01`, `2021`, `lt2022-03-04T10:00:00Z`). */
export function parseDateParam(raw: string): DateTest {
	let prefix: DatePrefix = 'eq';
	let v = raw.trim();
	const p = v.slice(0, 2) as DatePrefix;
	if (PREFIXES.includes(p)) {
		prefix = p;
		v = v.slice(2);
	}
	let lo: number;
	let hi: number;
	let m: RegExpExecArray | null;
	if ((m = /^(\d{4})$/.exec(v))) {
		lo = Date.UTC(+m[1], 0, 1);
		hi = Date.UTC(+m[1] + 1, 0, 1);
	} else if ((m = /^(\d{4})-(\d{2})$/.exec(v))) {
		lo = Date.UTC(+m[1], +m[2] - 1, 1);
		hi = Date.UTC(+m[1], +m[2], 1);
	} else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v))) {
		lo = Date.UTC(+m[1], +m[2] - 1, +m[3]);
		hi = lo + 86_400_000;
		if (new Date(lo).toISOString().slice(0, 10) !== v)
			throw new SearchError(`Invalid date "${raw}".`);
	} else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
		lo = Date.parse(v);
		hi = lo + 1000;
	} else {
		throw new SearchError(
			`Invalid date "${raw}": use YYYY, YYYY-MM, YYYY-MM-DD or a full date-time, with an optional prefix (eq, ne, gt, lt, ge, le).`,
		);
	}
	if (!Number.isFinite(lo)) throw new SearchError(`Invalid date "${raw}".`);
	return { prefix, lo, hi };
}

/** Does the instant `t` (a point) satisfy the date test? */
export function dateMatches(t: number, d: DateTest): boolean {
	switch (d.prefix) {
		case 'eq':
			return t >= d.lo && t < d.hi;
		case 'ne':
			return t < d.lo || t >= d.hi;
		case 'gt':
			return t >= d.hi;
		case 'ge':
			return t >= d.lo;
		case 'lt':
			return t < d.lo;
		case 'le':
			return t < d.hi;
	}
}

/** Does a date (YYYY-MM-DD, a whole day) satisfy the test? FHIR: the ranges must overlap accordingly. */
function dayMatches(day: string, d: DateTest): boolean {
	const lo = Date.parse(`${day}T00:00:00Z`);
	return rangeMatches(lo, lo + 86_400_000, d);
}

/** Does the range [lo, hi) of a resource value satisfy the date test (FHIR range semantics)? */
export function rangeMatches(lo: number, hi: number, d: DateTest): boolean {
	switch (d.prefix) {
		case 'eq':
			return lo >= d.lo && hi <= d.hi;
		case 'ne':
			return !(lo >= d.lo && hi <= d.hi);
		case 'gt':
			return hi > d.hi;
		case 'ge':
			return hi > d.lo;
		case 'lt':
			return lo < d.lo;
		case 'le':
			return lo < d.hi;
	}
}

export interface ImmunizationFilter {
	dates: DateTest[];
	/** allowed statuses in the rendered FHIR version (OR) */
	statuses?: string[];
	/** meta.lastUpdated >= since */
	since?: number;
}

const STATUS_BY_VERSION: Record<FhirVersion, string[]> = {
	r4: ['completed', 'not-done', 'entered-in-error'],
	stu3: ['completed', 'entered-in-error'],
	dstu2: ['in-progress', 'on-hold', 'completed', 'entered-in-error', 'stopped'],
};

/** The status an immunization has once rendered in `version`. */
export function statusIn(imm: FhirImmunization, version: FhirVersion): string {
	if (version === 'r4') return imm.status;
	return imm.status === 'entered-in-error' ? 'entered-in-error' : 'completed';
}

/**
 * Reads `date` (repeatable, FHIR prefixes) and `status` (comma = OR) from the query. Unknown
 * status codes are refused (SearchError).
 */
export function immunizationFilter(
	q: URLSearchParams,
	version: FhirVersion = 'r4',
): ImmunizationFilter {
	const dates = q
		.getAll('date')
		.filter((v) => v !== '')
		.map(parseDateParam);
	let statuses: string[] | undefined;
	const st = q.getAll('status').filter((v) => v !== '');
	if (st.length) {
		statuses = st.flatMap((s) => s.split(',')).map((s) => s.trim());
		const bad = statuses.filter((s) => !STATUS_BY_VERSION[version].includes(s));
		if (bad.length)
			throw new SearchError(
				`Unknown Immunization status "${bad.join(', ')}"; allowed: ${STATUS_BY_VERSION[version].join(', ')}.`,
			);
	}
	return { dates, statuses };
}

export function isEmptyFilter(f: ImmunizationFilter): boolean {
	return f.dates.length === 0 && !f.statuses && f.since === undefined;
}

export function matchesFilter(
	imm: FhirImmunization,
	f: ImmunizationFilter,
	version: FhirVersion = 'r4',
): boolean {
	if (f.statuses && !f.statuses.includes(statusIn(imm, version))) return false;
	if (f.since !== undefined && Date.parse(imm.meta.lastUpdated) < f.since) return false;
	if (f.dates.length) {
		const t = Date.parse(imm.occurrenceDateTime);
		for (const d of f.dates) if (!dateMatches(t, d)) return false;
	}
	return true;
}

/**
 * One page of the immunizations of `patientIds` (all patients when undefined) that pass the
 * filter, plus the total. Without a filter, whole patients before the page are skipped by count
 * alone (nothing generated), so paging through a huge data set stays cheap.
 */
export function selectImmunizations(
	ds: Dataset,
	patientIds: string[] | undefined,
	filter: ImmunizationFilter,
	offset: number,
	limit: number,
	version: FhirVersion = 'r4',
): { total: number; items: FhirImmunization[] } {
	const items: FhirImmunization[] = [];
	let total = 0;
	const plain = isEmptyFilter(filter);
	const ids = patientIds ?? null;
	const n = ids ? ids.length : ds.patientCount;
	for (let k = 0; k < n; k++) {
		const pid = ids ? ids[k] : ds.patientIdAt(k);
		if (plain) {
			const c = ds.immunizationCount(pid);
			const pageEnd = offset + limit;
			if (total + c <= offset || total >= pageEnd) {
				total += c;
				continue;
			}
			const list = ds.immunizations(pid);
			const from = Math.max(0, offset - total);
			const to = Math.min(c, pageEnd - total);
			for (let x = from; x < to; x++) items.push(list[x]);
			total += c;
			continue;
		}
		for (const imm of ds.immunizations(pid)) {
			if (!matchesFilter(imm, filter, version)) continue;
			if (total >= offset && items.length < limit) items.push(imm);
			total++;
		}
	}
	return { total, items };
}

/** Patient search: `_id`, `identifier`, `name`, `family`, `given`, `birthdate`, `gender`. */
export function patientMatcher(q: URLSearchParams): (p: FhirPatient) => boolean {
	const tests: Array<(p: FhirPatient) => boolean> = [];
	const norm = (s: string) =>
		s
			.toLowerCase()
			.normalize('NFD')
			.replace(/[\u0300-\u036f]/g, '');
	for (const v of q.getAll('_id')) {
		const ids = v.split(',');
		tests.push((p) => ids.includes(p.id));
	}
	for (const v of q.getAll('identifier')) {
		const bar = v.indexOf('|');
		const sys = bar >= 0 ? v.slice(0, bar) : undefined;
		const val = bar >= 0 ? v.slice(bar + 1) : v;
		tests.push((p) =>
			p.identifier.some(
				(i) =>
					(sys === undefined || sys === '' || i.system === sys) && (val === '' || i.value === val),
			),
		);
	}
	const nameTest = (parts: (p: FhirPatient) => string[]) => (v: string) => {
		const alts = v.split(',').map(norm);
		tests.push((p) => parts(p).some((part) => alts.some((a) => norm(part).startsWith(a))));
	};
	q.getAll('name').forEach(nameTest((p) => p.name.flatMap((n) => [n.family, ...n.given])));
	q.getAll('family').forEach(nameTest((p) => p.name.map((n) => n.family)));
	q.getAll('given').forEach(nameTest((p) => p.name.flatMap((n) => n.given)));
	for (const v of q.getAll('gender')) {
		const alts = v.split(',');
		if (alts.some((g) => !['male', 'female', 'other', 'unknown'].includes(g)))
			throw new SearchError(`Unknown gender "${v}".`);
		tests.push((p) => alts.includes(p.gender));
	}
	for (const v of q.getAll('birthdate')) {
		const d = parseDateParam(v);
		tests.push((p) => dayMatches(p.birthDate, d));
	}
	return (p) => tests.every((t) => t(p));
}

/** Patients matching the query, restricted to `only` when set (patient-context tokens). */
export function searchPatients(ds: Dataset, q: URLSearchParams, only?: string): FhirPatient[] {
	const match = patientMatcher(q);
	if (only !== undefined) {
		const p = ds.patient(only);
		return p && match(p) ? [p] : [];
	}
	const out: FhirPatient[] = [];
	for (const p of ds.iterate('Patient')) if (match(p)) out.push(p);
	return out;
}

// ---------------------------------------------------------------------------------------------
// Paging, links and faults

/** Parses a non-negative integer query parameter. */
export function intParam(q: URLSearchParams, name: string, dflt: number): number {
	const raw = q.get(name);
	if (raw === null || raw === '') return dflt;
	if (!/^\d+$/.test(raw))
		throw new SearchError(`Parameter ${name} must be a non-negative integer, not "${raw}".`);
	return Number(raw);
}

/** Absolute URL of this request on the main origin (path as sent, query as sent). */
export function selfUrl(app: SandboxApp, req: SandboxRequest): string {
	return app.url(req.path + req.url.search);
}

/** This request's URL with some query parameters replaced (absolute, main origin). */
export function withQuery(
	app: SandboxApp,
	req: SandboxRequest,
	changes: Record<string, string | number | undefined>,
): string {
	const q = new URLSearchParams(req.url.search);
	for (const [k, v] of Object.entries(changes)) {
		if (v === undefined) q.delete(k);
		else q.set(k, String(v));
	}
	const s = q.toString();
	return app.url(req.path + (s ? `?${s}` : ''));
}

/**
 * The `next` link to publish for a page whose real next page is `next` (or none). Applies the
 * route faults: `loop-next` (the link points at this very page) and `foreign-next` (the link
 * points at the second origin, which serves no data). Faults fire only on pages with a next.
 */
export function faultedNext(
	app: SandboxApp,
	req: SandboxRequest,
	next: string | null,
): string | null {
	if (!next) return null;
	if (app.takeFault(req, 'loop-next')) return selfUrl(app, req);
	if (app.takeFault(req, 'foreign-next')) {
		const u = new URL(next);
		return app.filesUrl(u.pathname + u.search);
	}
	return next;
}

/**
 * The `redirect` route fault: answers 302 to the same resource with the trailing slash toggled
 * (as Django's APPEND_SLASH does), same query. The target is an ordinary route that demands the
 * same method and bearer token. Returns true when it answered.
 */
export function maybeRedirect(app: SandboxApp, req: SandboxRequest, res: ServerResponse): boolean {
	if (!app.takeFault(req, 'redirect')) return false;
	const path = req.path.endsWith('/') ? req.path.replace(/\/+$/, '') : `${req.path}/`;
	redirect(res, app.url(path + req.url.search), 302);
	return true;
}

export interface BundleEntry {
	fullUrl: string;
	resource: unknown;
}

export function searchsetBundle(opts: {
	total?: number;
	self: string;
	next: string | null;
	previous?: string | null;
	first?: string;
	entries: BundleEntry[];
}): Record<string, unknown> {
	const link: Array<{ relation: string; url: string }> = [{ relation: 'self', url: opts.self }];
	if (opts.first) link.push({ relation: 'first', url: opts.first });
	if (opts.previous) link.push({ relation: 'previous', url: opts.previous });
	if (opts.next) link.push({ relation: 'next', url: opts.next });
	const bundle: Record<string, unknown> = { resourceType: 'Bundle', type: 'searchset' };
	if (opts.total !== undefined) bundle.total = opts.total;
	bundle.link = link;
	bundle.entry = opts.entries.map((e) => ({
		fullUrl: e.fullUrl,
		resource: e.resource,
		search: { mode: 'match' },
	}));
	return bundle;
}

export function render(resource: FhirPatient | FhirImmunization, version: FhirVersion): unknown {
	return toVersion(resource, version);
}

// ---------------------------------------------------------------------------------------------
// Access

export interface Access {
	token: TokenRecord;
	/** the one patient this token may read, or undefined for any patient */
	only?: string;
}

/**
 * SMART-style access for a resource type: `patient/`, `user/` or `system/` scopes (v1 `.read`
 * and v2 `.rs` alike). A token whose only matching scope is `patient/…` is limited to its
 * TokenRecord.patient (403 when it has none).
 */
export function smartAccess(
	app: SandboxApp,
	req: SandboxRequest,
	res: ServerResponse,
	surface: 'emp' | 'smart',
	type: string,
): Access | undefined {
	const needed = [`patient/${type}.read`, `user/${type}.read`, `system/${type}.read`];
	const token = app.requireBearer(req, res, surface, needed);
	if (!token) return undefined;
	const wide =
		scopeAllows(token.scopes, `user/${type}.read`) ||
		scopeAllows(token.scopes, `system/${type}.read`);
	if (wide) return { token };
	if (!token.patient) {
		sendOutcome(res, 403, 'forbidden', 'The token has patient/ scopes but no patient in context.');
		return undefined;
	}
	return { token, only: token.patient };
}
