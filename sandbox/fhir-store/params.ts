// Search parameters of the store: which ones each resource type has (name, FHIR type, paths),
// how values are read out of a resource, and how one parameter value matches.
import { SearchError, parseDateParam, rangeMatches } from '../surfaces/fhir-common';
import type { Res } from './store';

export type ParamType = 'token' | 'reference' | 'date' | 'string';

export interface ParamDef {
	type: ParamType;
	/** dotted paths; arrays on the way are flattened */
	paths: string[];
	/** reference parameters: the resource type a bare id stands for */
	target?: string;
}

const tok = (...paths: string[]): ParamDef => ({ type: 'token', paths });
const ref = (target: string | undefined, ...paths: string[]): ParamDef => ({
	type: 'reference',
	paths,
	target,
});
const date = (...paths: string[]): ParamDef => ({ type: 'date', paths });
const str = (...paths: string[]): ParamDef => ({ type: 'string', paths });

const COMMON: Record<string, ParamDef> = { _id: tok('id'), _lastUpdated: date('meta.lastUpdated') };
const subject = { patient: ref('Patient', 'subject'), subject: ref(undefined, 'subject') };
const names = {
	name: str('name.family', 'name.given', 'name.text'),
	family: str('name.family'),
	given: str('name.given'),
};

/** Search parameters per resource type (besides `_id` and `_lastUpdated`). */
export const PARAMS: Record<string, Record<string, ParamDef>> = {
	Patient: {
		identifier: tok('identifier'),
		...names,
		birthdate: date('birthDate'),
		gender: tok('gender'),
	},
	Immunization: {
		identifier: tok('identifier'),
		patient: ref('Patient', 'patient'),
		date: date('occurrenceDateTime'),
		status: tok('status'),
		'vaccine-code': tok('vaccineCode'),
	},
	AllergyIntolerance: {
		identifier: tok('identifier'),
		patient: ref('Patient', 'patient'),
		code: tok('code'),
		'clinical-status': tok('clinicalStatus'),
		date: date('recordedDate'),
	},
	Condition: {
		identifier: tok('identifier'),
		...subject,
		code: tok('code'),
		'clinical-status': tok('clinicalStatus'),
		date: date('recordedDate', 'onsetDateTime', 'onsetPeriod'),
		'recorded-date': date('recordedDate'),
		'onset-date': date('onsetDateTime', 'onsetPeriod'),
	},
	MedicationRequest: {
		identifier: tok('identifier'),
		...subject,
		code: tok('medicationCodeableConcept'),
		status: tok('status'),
		authoredon: date('authoredOn'),
	},
	Observation: {
		identifier: tok('identifier'),
		...subject,
		code: tok('code'),
		category: tok('category'),
		status: tok('status'),
		date: date('effectiveDateTime', 'effectivePeriod', 'effectiveInstant'),
	},
	Encounter: {
		identifier: tok('identifier'),
		...subject,
		status: tok('status'),
		date: date('period'),
		class: tok('class'),
	},
	Appointment: {
		identifier: tok('identifier'),
		patient: ref('Patient', 'participant.actor'),
		actor: ref(undefined, 'participant.actor'),
		status: tok('status'),
		date: date('start'),
	},
	Slot: {
		identifier: tok('identifier'),
		schedule: ref('Schedule', 'schedule'),
		status: tok('status'),
		start: date('start'),
	},
	Schedule: {
		identifier: tok('identifier'),
		actor: ref(undefined, 'actor'),
		date: date('planningHorizon'),
	},
	Practitioner: { identifier: tok('identifier'), ...names },
	Organization: { identifier: tok('identifier'), name: str('name') },
	DocumentReference: {
		identifier: tok('identifier'),
		...subject,
		status: tok('status'),
		type: tok('type'),
		date: date('date'),
	},
	Procedure: {
		identifier: tok('identifier'),
		...subject,
		code: tok('code'),
		status: tok('status'),
		date: date('performedDateTime', 'performedPeriod'),
	},
	DiagnosticReport: {
		identifier: tok('identifier'),
		...subject,
		code: tok('code'),
		status: tok('status'),
		date: date('effectiveDateTime', 'effectivePeriod'),
	},
};

export const STORE_TYPES = Object.keys(PARAMS);

/** The parameter `name` of `type` (common ones included), or undefined. */
export function paramDef(type: string, name: string): ParamDef | undefined {
	return COMMON[name] ?? PARAMS[type]?.[name];
}

/** Every search parameter of a type, for the CapabilityStatement. */
export function paramList(type: string): Array<{ name: string; type: ParamType }> {
	return Object.entries({ ...COMMON, ...PARAMS[type] }).map(([name, d]) => ({
		name,
		type: d.type,
	}));
}

/** Values at a dotted path (arrays flattened). */
export function valuesAt(r: unknown, path: string): unknown[] {
	let cur: unknown[] = [r];
	for (const key of path.split('.')) {
		const next: unknown[] = [];
		for (const c of cur) {
			if (c === null || typeof c !== 'object') continue;
			const v = (c as Record<string, unknown>)[key];
			if (Array.isArray(v)) next.push(...v);
			else if (v !== undefined && v !== null) next.push(v);
		}
		cur = next;
	}
	return cur;
}

export function values(r: Res, def: ParamDef): unknown[] {
	return def.paths.flatMap((p) => valuesAt(r, p));
}

/** `Patient/x`, `x` (with the parameter's target type) or `…/Patient/x` → `Patient/x`. */
export function refKey(v: string, target?: string): string {
	const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([^/?#]+)(?:\/_history\/[^/]*)?$/.exec(v);
	if (m) return `${m[1]}/${m[2]}`;
	return target ? `${target}/${v}` : v;
}

/** The references a resource holds for a reference parameter, as `Type/id` keys. */
export function refsOf(r: Res, def: ParamDef): string[] {
	return values(r, def)
		.map((v) => (v as { reference?: unknown }).reference)
		.filter((x): x is string => typeof x === 'string')
		.map((x) => refKey(x));
}

function norm(s: string): string {
	return s
		.toLowerCase()
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '');
}

interface Code {
	system?: string;
	code: string;
}

/** Token values: a code string, a Coding, a CodeableConcept, an Identifier or a boolean. */
function codes(v: unknown): Code[] {
	if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number')
		return [{ code: String(v) }];
	if (!v || typeof v !== 'object') return [];
	const o = v as Record<string, unknown>;
	if (Array.isArray(o.coding)) return o.coding.flatMap(codes);
	if (typeof o.code === 'string') return [{ system: o.system as string | undefined, code: o.code }];
	if (typeof o.value === 'string')
		return [{ system: o.system as string | undefined, code: o.value }];
	return [];
}

/** [lo, hi) of a resource date value: a date, a date-time (an instant) or a Period. */
function rangeOf(v: unknown): [number, number] | undefined {
	if (v && typeof v === 'object') {
		const p = v as { start?: string; end?: string };
		const lo = p.start ? rangeOf(p.start)?.[0] : -Infinity;
		const hi = p.end ? rangeOf(p.end)?.[1] : Infinity;
		return lo === undefined || hi === undefined ? undefined : [lo, hi];
	}
	if (typeof v !== 'string') return undefined;
	if (v.length > 10) {
		const t = Date.parse(v);
		return Number.isFinite(t) ? [t, t + 1] : undefined;
	}
	try {
		const d = parseDateParam(v);
		return [d.lo, d.hi];
	} catch {
		return undefined;
	}
}

/** The first date of a resource for a parameter (sort key), or undefined. */
export function sortDate(r: Res, def: ParamDef): number | undefined {
	for (const v of values(r, def)) {
		const range = rangeOf(v);
		if (range) return range[0];
	}
	return undefined;
}

/** A test for one `name[:modifier]=value` pair (comma = OR); SearchError on a bad value. */
export function matcher(def: ParamDef, modifier: string, raw: string): (r: Res) => boolean {
	if (modifier === 'missing') {
		const want = raw === 'true';
		return (r) => (values(r, def).length === 0) === want;
	}
	const alts = raw.split(',');
	switch (def.type) {
		case 'token': {
			const wanted = alts.map((a) => {
				const bar = a.indexOf('|');
				return bar < 0 ? { code: a } : { system: a.slice(0, bar), code: a.slice(bar + 1) };
			});
			return (r) =>
				values(r, def)
					.flatMap(codes)
					.some((c) =>
						wanted.some(
							(w) =>
								(w.code === '' || c.code === w.code) &&
								(w.system === undefined || (w.system === '' ? !c.system : c.system === w.system)),
						),
					);
		}
		case 'reference': {
			const keys = alts.map((a) => refKey(a, def.target));
			return (r) =>
				refsOf(r, def).some((k) =>
					keys.some((want) => k === want || (!want.includes('/') && k.endsWith(`/${want}`))),
				);
		}
		case 'date': {
			const tests = alts.map(parseDateParam);
			return (r) =>
				values(r, def).some((v) => {
					const range = rangeOf(v);
					return !!range && tests.some((t) => rangeMatches(range[0], range[1], t));
				});
		}
		case 'string': {
			const wanted = alts.map(norm);
			if (modifier && modifier !== 'exact' && modifier !== 'contains')
				throw new SearchError(`Unknown modifier :${modifier}.`);
			return (r) =>
				values(r, def)
					.filter((v): v is string => typeof v === 'string')
					.some((v) =>
						modifier === 'exact'
							? alts.includes(v)
							: wanted.some((w) =>
									modifier === 'contains' ? norm(v).includes(w) : norm(v).startsWith(w),
								),
					);
		}
	}
}
