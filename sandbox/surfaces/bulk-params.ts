// FHIR Bulk Data Access IG v2 kick-off parameters: parsing and validation for the sandbox.
//
// Choices the IG leaves to the server (documented in docs/DEVELOPING.md):
// - Unknown parameters are REFUSED with 400 unless the client sends `Prefer: handling=lenient`,
//   in which case they are ignored (and listed in the job, see GET /_admin/bulk/jobs).
// - `patient` is accepted only in a POST `Parameters` body, and only at Patient or Group level.
// - `_outputFormat` accepts application/fhir+ndjson, application/ndjson and ndjson.
// - `_typeFilter` supports `Patient?gender=…` and `Immunization?status=…|vaccine-code=…`;
//   other filters are refused (ignored with handling=lenient).

export type Level = 'system' | 'patient' | 'group';

export interface ExportParams {
	outputFormat: string;
	since?: string;
	until?: string;
	/** requested types, empty = every type the server holds */
	types: string[];
	elements: string[];
	typeFilters: Array<{ type: string; params: Array<[string, string]> }>;
	patients: string[];
	includeAssociatedData: string[];
	ignored: string[];
	lenient: boolean;
}

export class ParamError extends Error {
	constructor(
		message: string,
		readonly status = 400,
		readonly code = 'invalid',
	) {
		super(message);
	}
}

export const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];

/** Types this server holds data for. */
export const DATA_TYPES = ['Patient', 'Immunization'];

/** Valid FHIR R4 types this server cannot export: an error file says so. */
export const UNAVAILABLE_TYPES = [
	'AllergyIntolerance',
	'CarePlan',
	'CareTeam',
	'Condition',
	'Coverage',
	'Device',
	'DiagnosticReport',
	'DocumentReference',
	'Encounter',
	'Goal',
	'Location',
	'Medication',
	'MedicationRequest',
	'Observation',
	'Organization',
	'Practitioner',
	'PractitionerRole',
	'Procedure',
	'Provenance',
	'Group',
];

const TYPE_FILTERS: Record<string, string[]> = {
	Patient: ['gender'],
	Immunization: ['status', 'vaccine-code'],
};
const ASSOCIATED = ['LatestProvenanceResources', 'RelevantProvenanceResources'];
const KNOWN = [
	'_outputFormat',
	'_since',
	'_until',
	'_type',
	'_elements',
	'_typeFilter',
	'patient',
	'includeAssociatedData',
];

type Pair = [string, string];

/** Collects name/value pairs from a GET query or a POST Parameters body. */
export function pairsFromQuery(q: URLSearchParams): Pair[] {
	return [...q.entries()];
}

export function pairsFromParameters(body: unknown): Pair[] {
	const b = body as { resourceType?: string; parameter?: Array<Record<string, unknown>> } | null;
	if (!b || b.resourceType !== 'Parameters') {
		throw new ParamError(
			'A POST kick-off needs a FHIR Parameters resource as its body.',
			400,
			'structure',
		);
	}
	const out: Pair[] = [];
	for (const p of b.parameter ?? []) {
		const name = String(p.name ?? '');
		if (!name)
			throw new ParamError(
				'Every parameter in the Parameters body needs a name.',
				400,
				'structure',
			);
		const key = Object.keys(p).find((k) => k.startsWith('value'));
		if (!key) throw new ParamError(`Parameter "${name}" has no value.`, 400, 'structure');
		const v = p[key];
		if (key === 'valueReference')
			out.push([name, String((v as { reference?: string })?.reference ?? '')]);
		else out.push([name, String(v)]);
	}
	return out;
}

function isInstant(s: string): boolean {
	return (
		/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
		!Number.isNaN(Date.parse(s))
	);
}

export function parseExportParams(
	pairs: Pair[],
	opts: { level: Level; method: string; lenient: boolean },
): ExportParams {
	const out: ExportParams = {
		outputFormat: 'application/fhir+ndjson',
		types: [],
		elements: [],
		typeFilters: [],
		patients: [],
		includeAssociatedData: [],
		ignored: [],
		lenient: opts.lenient,
	};
	const refuseOrIgnore = (name: string, message: string) => {
		if (opts.lenient) out.ignored.push(name);
		else throw new ParamError(message, 400, 'not-supported');
	};
	for (const [name, value] of pairs) {
		if (!KNOWN.includes(name)) {
			refuseOrIgnore(
				name,
				`The parameter "${name}" is not supported by this server (send Prefer: handling=lenient to have unknown parameters ignored).`,
			);
			continue;
		}
		switch (name) {
			case '_outputFormat':
				if (!NDJSON_FORMATS.includes(value)) {
					throw new ParamError(
						`_outputFormat "${value}" is not supported; use application/fhir+ndjson.`,
						400,
						'not-supported',
					);
				}
				break;
			case '_since':
			case '_until':
				if (!isInstant(value))
					throw new ParamError(
						`${name} must be a FHIR instant such as 2024-01-01T00:00:00Z; got "${value}".`,
					);
				if (name === '_since') out.since = value;
				else out.until = value;
				break;
			case '_type':
				for (const t of value
					.split(',')
					.map((s) => s.trim())
					.filter(Boolean)) {
					if (
						!/^[A-Z][A-Za-z]+$/.test(t) ||
						(!DATA_TYPES.includes(t) && !UNAVAILABLE_TYPES.includes(t))
					) {
						throw new ParamError(
							`_type "${t}" is not a resource type this server knows.`,
							400,
							'not-supported',
						);
					}
					if (!out.types.includes(t)) out.types.push(t);
				}
				break;
			case '_elements':
				out.elements.push(
					...value
						.split(',')
						.map((s) => s.trim())
						.filter(Boolean),
				);
				break;
			case '_typeFilter':
				for (const f of value
					.split(',')
					.map((s) => s.trim())
					.filter(Boolean)) {
					const m = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(f);
					if (!m) throw new ParamError(`_typeFilter "${f}" must look like Type?param=value.`);
					const params = [...new URLSearchParams(m[2]).entries()];
					const allowed = TYPE_FILTERS[m[1]] ?? [];
					const bad = params.find(([k]) => !allowed.includes(k));
					if (bad) {
						refuseOrIgnore(
							'_typeFilter',
							`_typeFilter "${f}": the search parameter "${bad[0]}" is not supported for ${m[1]}.`,
						);
						continue;
					}
					out.typeFilters.push({ type: m[1], params });
				}
				break;
			case 'patient':
				if (opts.method !== 'POST') {
					throw new ParamError(
						'The patient parameter is only allowed in a POST kick-off with a Parameters body.',
					);
				}
				if (opts.level === 'system')
					throw new ParamError(
						'The patient parameter is not allowed at system level; use Patient/$export or Group/[id]/$export.',
					);
				if (!/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(value))
					throw new ParamError(`patient "${value}" must be a reference like Patient/pt-00001.`);
				out.patients.push(value.slice('Patient/'.length));
				break;
			case 'includeAssociatedData':
				for (const v of value
					.split(',')
					.map((s) => s.trim())
					.filter(Boolean)) {
					if (!ASSOCIATED.includes(v) && !v.startsWith('_')) {
						refuseOrIgnore(
							'includeAssociatedData',
							`includeAssociatedData "${v}" is not supported.`,
						);
						continue;
					}
					out.includeAssociatedData.push(v);
				}
				break;
		}
	}
	return out;
}

/** Applies `_typeFilter` criteria of one type to a resource (OR across filters of that type). */
export function matchesTypeFilters(
	resource: Record<string, unknown>,
	type: string,
	filters: ExportParams['typeFilters'],
): boolean {
	const mine = filters.filter((f) => f.type === type);
	if (mine.length === 0) return true;
	return mine.some((f) =>
		f.params.every(([k, v]) => {
			if (k === 'gender' || k === 'status')
				return String(resource[k === 'gender' ? 'gender' : 'status']) === v;
			if (k === 'vaccine-code') {
				const codes = (
					(resource.vaccineCode as { coding?: Array<{ code?: string }> })?.coding ?? []
				).map((c) => c.code);
				return v.split(',').some((x) => codes.includes(x.includes('|') ? x.split('|')[1] : x));
			}
			return false;
		}),
	);
}

/** `_elements`: keeps mandatory elements plus the listed ones, and tags the resource SUBSETTED. */
export function applyElements(
	resource: Record<string, unknown>,
	type: string,
	elements: string[],
): Record<string, unknown> {
	if (elements.length === 0) return resource;
	const keep = new Set(['resourceType', 'id', 'meta']);
	let any = false;
	for (const e of elements) {
		const [t, el] = e.includes('.') ? e.split('.', 2) : [undefined, e];
		if (t && t !== type) continue;
		any = true;
		keep.add(el);
	}
	if (!any) return resource;
	// mandatory elements of our types
	if (type === 'Immunization')
		['status', 'vaccineCode', 'patient', 'occurrenceDateTime'].forEach((k) => keep.add(k));
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(resource)) if (keep.has(k)) out[k] = v;
	const meta = { ...((resource.meta as Record<string, unknown>) ?? {}) };
	meta.tag = [
		...((meta.tag as unknown[]) ?? []),
		{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' },
	];
	out.meta = meta;
	return out;
}
