// Deterministic synthetic FHIR data: patients and their immunizations, generated from a seed.
//
// Every patient (and that patient's immunizations) is generated on its own from
// (seed, patient index) with a small PRNG, so any patient can be produced without generating the
// others, and `iterate()` can stream a million resources in flat memory. Nothing depends on the
// wall clock: all dates are relative to REFERENCE_DATE.
//
//   const ds = createDataset({ seed: 42, patients: 50, heavyPatients: { 'pt-00001': 10000 } });
//   ds.patient('pt-00001')            // R4 Patient | undefined
//   ds.immunizations('pt-00001')      // R4 Immunization[] sorted by occurrenceDateTime, id
//   for (const r of ds.iterate('Immunization', { since })) ...   // lazy
//   toVersion(resource, 'stu3')       // STU3 / DSTU2 rendering
//
// Returned resources are shared (a small cache): treat them as read-only, copy before changing.
import { FAMILY, GIVEN_FEMALE, GIVEN_MALE, MVX, NOT_DONE_REASONS, PERFORMERS, PLACES, STREETS, VACCINES } from './tables';

export type FhirVersion = 'r4' | 'stu3' | 'dstu2';
export type ResourceType = 'Patient' | 'Immunization';

/** All generated dates lie before this instant (2025-06-01T00:00:00Z). */
export const REFERENCE_DATE = new Date(Date.UTC(2025, 5, 1));
export const MRN_SYSTEM = 'https://ehr-sandbox.example.org/fhir/sid/mrn';
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';
export const MVX_SYSTEM = 'http://hl7.org/fhir/sid/mvx';

export interface Coding {
	system?: string;
	code?: string;
	display?: string;
}
export interface CodeableConcept {
	coding?: Coding[];
	text?: string;
}
export interface Reference {
	reference?: string;
	display?: string;
}
export interface Meta {
	lastUpdated: string;
	versionId?: string;
}

export interface FhirPatient {
	resourceType: 'Patient';
	id: string;
	meta: Meta;
	identifier: Array<{ use?: string; type?: CodeableConcept; system: string; value: string }>;
	active: boolean;
	name: Array<{ use: string; family: string; given: string[] }>;
	telecom: Array<{ system: 'phone' | 'email'; value: string; use?: string }>;
	gender: 'male' | 'female' | 'other' | 'unknown';
	birthDate: string;
	address: Array<{ use: string; line: string[]; city: string; state: string; postalCode: string; country: string }>;
}

export interface FhirImmunization {
	resourceType: 'Immunization';
	id: string;
	meta: Meta;
	status: 'completed' | 'not-done' | 'entered-in-error';
	statusReason?: CodeableConcept;
	/** always one CVX coding plus text */
	vaccineCode: { coding: Array<{ system: string; code: string; display: string }>; text: string };
	patient: Reference;
	occurrenceDateTime: string;
	recorded: string;
	primarySource: boolean;
	reportOrigin?: CodeableConcept;
	manufacturer: Reference;
	lotNumber: string;
	expirationDate: string;
	performer: Array<{ function?: CodeableConcept; actor: Reference }>;
}

export type FhirResource = FhirPatient | FhirImmunization;

export interface DatasetOptions {
	/** PRNG seed (default 42) */
	seed?: number;
	/** number of patients (default 50) */
	patients?: number;
	/** patient id → exact number of immunizations (e.g. { 'pt-00001': 10000 } for benchmarks) */
	heavyPatients?: Record<string, number>;
	/** [min, max] immunizations per ordinary patient (default [3, 15]) */
	immunizationsPerPatient?: [number, number];
}

export interface IterateOptions {
	/** only resources whose meta.lastUpdated is at or after this instant */
	since?: Date;
	/** only these patients (and their immunizations), in the given order; unknown ids are skipped */
	patientIds?: string[];
}

export interface Dataset {
	readonly seed: number;
	readonly patientCount: number;
	/** every patient id, in order (materialises the id list; use iterate() for huge sets) */
	patientIds(): string[];
	/** `pt-00001` for index 0 */
	patientIdAt(index: number): string;
	/** index of a patient id, or -1 */
	indexOf(patientId: string): number;
	patient(id: string): FhirPatient | undefined;
	patientAt(index: number): FhirPatient;
	/** R4 Immunizations of one patient, sorted by occurrenceDateTime then id ([] for unknown ids) */
	immunizations(patientId: string): FhirImmunization[];
	/** number of immunizations of one patient, without generating them (0 for unknown ids) */
	immunizationCount(patientId: string): number;
	/** one immunization by id (`imm-00001-003`), or undefined */
	immunization(id: string): FhirImmunization | undefined;
	/** total number of resources of a type (cheap: no resource is generated) */
	count(type: ResourceType): number;
	/** lazy stream of resources, one at a time, patient by patient */
	iterate(type: 'Patient', opts?: IterateOptions): Generator<FhirPatient>;
	iterate(type: 'Immunization', opts?: IterateOptions): Generator<FhirImmunization>;
	iterate(type: ResourceType, opts?: IterateOptions): Generator<FhirResource>;
}

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const REF = REFERENCE_DATE.getTime();

/** mulberry32: a tiny, fast 32-bit PRNG. */
function mulberry32(a: number): () => number {
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A well-mixed 32-bit key from (seed, index, stream), so each patient has its own sequence. */
function mix(seed: number, index: number, stream: number): number {
	let h = (seed | 0) ^ 0x9e3779b9;
	h = Math.imul(h ^ (index | 0), 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h ^ stream, 0xc2b2ae35);
	h ^= h >>> 16;
	h = Math.imul(h, 0x27d4eb2f);
	h ^= h >>> 15;
	return h >>> 0;
}

function rngFor(seed: number, index: number, stream: number): () => number {
	return mulberry32(mix(seed, index, stream));
}

function pick<T>(r: () => number, list: readonly T[]): T {
	return list[Math.floor(r() * list.length)];
}

function pad(n: number, width: number): string {
	return String(n).padStart(width, '0');
}

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** y-m-d of a day number since 1970-01-01 (proleptic Gregorian; Hinnant's civil_from_days). */
function civil(days: number): string {
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	return `${y}-${TWO[m]}-${TWO[d]}`;
}

/** `YYYY-MM-DDThh:mm:ssZ` (no milliseconds), without allocating a Date. */
function isoSeconds(ms: number): string {
	const days = Math.floor(ms / DAY);
	let sec = Math.floor((ms - days * DAY) / 1000);
	const h = Math.floor(sec / 3600);
	sec -= h * 3600;
	const mi = Math.floor(sec / 60);
	return `${civil(days)}T${TWO[h]}:${TWO[mi]}:${TWO[sec - mi * 60]}Z`;
}

function isoDate(ms: number): string {
	return civil(Math.floor(ms / DAY));
}

// Shared, frozen sub-objects (resources are read-only): fewer allocations when streaming.
const deepFreeze = <T>(o: T): T => {
	if (o && typeof o === 'object') {
		for (const v of Object.values(o as object)) deepFreeze(v);
		Object.freeze(o);
	}
	return o;
};
const VACCINE_CODE = VACCINES.map((v) => deepFreeze({ coding: [{ system: CVX_SYSTEM, code: v.cvx, display: v.display }], text: v.display }));
const MANUFACTURER: Record<string, Reference> = Object.fromEntries(
	Object.entries(MVX).map(([code, name]) => [code, deepFreeze({ reference: `Organization/mvx-${code.toLowerCase()}`, display: name })]),
);
const PERFORMER = PERFORMERS.map((name) =>
	deepFreeze([
		{
			function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP', display: 'Administering Provider' }] },
			actor: { display: name },
		},
	]),
);
const STATUS_REASON = NOT_DONE_REASONS.map(([code, display]) => deepFreeze({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code, display }] }));
const REPORT_ORIGIN = deepFreeze({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/immunization-origin', code: 'record', display: 'Written Record' }] });

const STREAM_PATIENT = 1;
const STREAM_IMMS = 2;
const STREAM_COUNT = 3;

const VACCINE_FROM = VACCINES.map((v) => Date.parse(`${v.from}T00:00:00Z`));

export function createDataset(options: DatasetOptions = {}): Dataset {
	const seed = options.seed ?? 42;
	const patientCount = Math.max(0, Math.floor(options.patients ?? 50));
	const heavy = options.heavyPatients ?? {};
	const [minImm, maxImm] = options.immunizationsPerPatient ?? [3, 15];
	const cache = new Map<number, FhirImmunization[]>();

	const idAt = (i: number) => `pt-${pad(i + 1, 5)}`;
	const indexOf = (id: string): number => {
		const m = /^pt-(\d{5,})$/.exec(id);
		if (!m) return -1;
		const i = Number(m[1]) - 1;
		return i >= 0 && i < patientCount && idAt(i) === id ? i : -1;
	};

	/** the parts of a patient the immunizations need, without building the resource */
	const core = (i: number) => {
		const r = rngFor(seed, i, STREAM_PATIENT);
		const g = r();
		const gender: FhirPatient['gender'] = g < 0.49 ? 'female' : g < 0.98 ? 'male' : 'other';
		const ageYears = r() < 0.25 ? 1 + r() * 16 : 18 + r() * 72;
		const birthMs = Math.floor((REF - ageYears * YEAR) / DAY) * DAY;
		return { r, gender, birthMs };
	};

	const buildPatient = (i: number): FhirPatient => {
		const { r, gender, birthMs } = core(i);
		const id = idAt(i);
		const first = pick(r, gender === 'male' ? GIVEN_MALE : gender === 'female' ? GIVEN_FEMALE : r() < 0.5 ? GIVEN_MALE : GIVEN_FEMALE);
		const middle = r() < 0.5 ? pick(r, gender === 'male' ? GIVEN_MALE : GIVEN_FEMALE) : undefined;
		const family = pick(r, FAMILY);
		const [city, state, postalCode] = pick(r, PLACES);
		const line = [`${100 + Math.floor(r() * 9800)} ${pick(r, STREETS)}`];
		if (r() < 0.2) line.push(`Apt ${1 + Math.floor(r() * 30)}${pick(r, ['A', 'B', 'C', 'D'])}`);
		const phone = `555-${pad(200 + Math.floor(r() * 800), 3)}-${pad(Math.floor(r() * 10000), 4)}`;
		const emailLocal = `${first}.${family}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
		const mrn = `MRN${1_000_000 + ((i * 7919 + (seed >>> 0)) % 9_000_000)}`;
		const lastUpdated = isoSeconds(REF - Math.floor(r() * 3 * 365 * DAY));
		return {
			resourceType: 'Patient',
			id,
			meta: { lastUpdated, versionId: '1' },
			identifier: [
				{
					use: 'usual',
					type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }], text: 'MRN' },
					system: MRN_SYSTEM,
					value: mrn,
				},
			],
			active: true,
			name: [{ use: 'official', family, given: middle ? [first, middle] : [first] }],
			telecom: [
				{ system: 'phone', value: phone, use: r() < 0.7 ? 'mobile' : 'home' },
				{ system: 'email', value: `${emailLocal}${i + 1}@example.com`, use: 'home' },
			],
			gender,
			birthDate: isoDate(birthMs),
			address: [{ use: 'home', line, city, state, postalCode, country: 'US' }],
		};
	};

	const countAt = (i: number): number => {
		const h = heavy[idAt(i)];
		if (h !== undefined) return Math.max(0, Math.floor(h));
		const r = rngFor(seed, i, STREAM_COUNT);
		return minImm + Math.floor(r() * (maxImm - minImm + 1));
	};

	const buildImmunizations = (i: number): FhirImmunization[] => {
		const n = countAt(i);
		if (n === 0) return [];
		const pid = idAt(i);
		const { birthMs } = core(i);
		const r = rngFor(seed, i, STREAM_IMMS);
		// vaccines that fit this patient's age and the product's history: [index, lo, hi]
		const fits: Array<[number, number, number]> = [];
		let totalWeight = 0;
		for (let v = 0; v < VACCINES.length; v++) {
			const lo = Math.max(birthMs + VACCINES[v].age[0] * YEAR, VACCINE_FROM[v]);
			const hi = Math.min(birthMs + VACCINES[v].age[1] * YEAR, REF - DAY);
			if (lo < hi) {
				fits.push([v, lo, hi]);
				totalWeight += VACCINES[v].weight;
			}
		}
		const draws: Array<{ v: number; at: number; u: number[] }> = [];
		for (let j = 0; j < n; j++) {
			let w = r() * totalWeight;
			let chosen = fits[fits.length - 1];
			for (const f of fits) {
				w -= VACCINES[f[0]].weight;
				if (w < 0) {
					chosen = f;
					break;
				}
			}
			const [v, lo, hi] = chosen;
			const day = Math.floor((lo + r() * (hi - lo)) / DAY) * DAY;
			const at = day + (8 * 60 + Math.floor(r() * 9 * 60)) * 60_000; // 08:00–16:59 UTC
			draws.push({ v, at, u: [r(), r(), r(), r(), r(), r(), r(), r()] });
		}
		draws.sort((a, b) => a.at - b.at);
		const width = Math.max(3, String(n).length);
		const base = `imm-${pid.slice(3)}-`;
		const patientRef: Reference = Object.freeze({ reference: `Patient/${pid}` });
		return draws.map((d, j) => {
			const vac = VACCINES[d.v];
			const [uStatus, uReason, uLot, uMvx, uPerf, uPrimary, uUpd, uExp] = d.u;
			const status: FhirImmunization['status'] = uStatus < 0.9 ? 'completed' : uStatus < 0.96 ? 'not-done' : 'entered-in-error';
			const mvx = vac.mvx[Math.floor(uMvx * vac.mvx.length)];
			const primarySource = uPrimary < 0.85;
			const lotNum = Math.floor(uLot * 26 * 26 * 10000);
			const lotNumber = `${String.fromCharCode(65 + (lotNum % 26))}${String.fromCharCode(65 + (Math.floor(lotNum / 26) % 26))}${pad(Math.floor(lotNum / 676), 4)}`;
			const occurrence = isoSeconds(d.at);
			const imm: FhirImmunization = {
				resourceType: 'Immunization',
				id: base + pad(j + 1, width),
				meta: { lastUpdated: isoSeconds(Math.min(REF, d.at + Math.floor(uUpd * 30 * DAY))), versionId: '1' },
				status,
				vaccineCode: VACCINE_CODE[d.v],
				patient: patientRef,
				occurrenceDateTime: occurrence,
				recorded: occurrence,
				primarySource,
				manufacturer: MANUFACTURER[mvx],
				lotNumber,
				expirationDate: isoDate(d.at + (180 + Math.floor(uExp * 540)) * DAY),
				performer: PERFORMER[Math.floor(uPerf * PERFORMERS.length)] as FhirImmunization['performer'],
			};
			if (status === 'not-done') {
				imm.statusReason = STATUS_REASON[Math.floor(uReason * NOT_DONE_REASONS.length)];
			}
			if (!primarySource) {
				imm.reportOrigin = REPORT_ORIGIN;
			}
			return imm;
		});
	};

	const cachedImmunizations = (i: number): FhirImmunization[] => {
		const hit = cache.get(i);
		if (hit) {
			cache.delete(i);
			cache.set(i, hit);
			return hit;
		}
		const list = buildImmunizations(i);
		cache.set(i, list);
		if (cache.size > 32) cache.delete(cache.keys().next().value as number);
		return list;
	};

	const indices = function* (ids?: string[]): Generator<number> {
		if (ids) {
			for (const id of ids) {
				const i = indexOf(id);
				if (i >= 0) yield i;
			}
		} else {
			for (let i = 0; i < patientCount; i++) yield i;
		}
	};

	function* iterate(type: ResourceType, opts: IterateOptions = {}): Generator<FhirResource> {
		const since = opts.since ? opts.since.getTime() : undefined;
		const fresh = (r: FhirResource) => since === undefined || Date.parse(r.meta.lastUpdated) >= since;
		if (type === 'Patient') {
			for (const i of indices(opts.patientIds)) {
				const p = buildPatient(i);
				if (fresh(p)) yield p;
			}
		} else if (type === 'Immunization') {
			for (const i of indices(opts.patientIds)) {
				const list = cache.get(i) ?? buildImmunizations(i);
				for (const imm of list) if (fresh(imm)) yield imm;
			}
		} else {
			throw new Error(`Unknown resource type ${String(type)}`);
		}
	}

	return {
		seed,
		patientCount,
		patientIds: () => Array.from({ length: patientCount }, (_, i) => idAt(i)),
		patientIdAt: idAt,
		indexOf,
		patient: (id) => {
			const i = indexOf(id);
			return i < 0 ? undefined : buildPatient(i);
		},
		patientAt: (i) => {
			if (!Number.isInteger(i) || i < 0 || i >= patientCount) throw new RangeError(`No patient at index ${i}`);
			return buildPatient(i);
		},
		immunizations: (id) => {
			const i = indexOf(id);
			return i < 0 ? [] : cachedImmunizations(i);
		},
		immunizationCount: (id) => {
			const i = indexOf(id);
			return i < 0 ? 0 : countAt(i);
		},
		immunization: (id) => {
			const m = /^imm-(\d{5,})-(\d+)$/.exec(id);
			if (!m) return undefined;
			const i = indexOf(`pt-${m[1]}`);
			if (i < 0) return undefined;
			return cachedImmunizations(i).find((x) => x.id === id);
		},
		count: (type) => {
			if (type === 'Patient') return patientCount;
			let total = 0;
			for (let i = 0; i < patientCount; i++) total += countAt(i);
			return total;
		},
		iterate: iterate as Dataset['iterate'],
	};
}

const V2_0203_OLD = 'http://hl7.org/fhir/v2/0203';
const V2_0443_OLD = 'http://hl7.org/fhir/v2/0443';
const ACT_REASON_OLD = 'http://hl7.org/fhir/v3/ActReason';

/**
 * Renders an R4 resource in another FHIR version (a new object; R4 returns the input).
 * Immunization STU3: `date`, `notGiven`, `primarySource`, `practitioner[]`, `explanation`,
 * status completed | entered-in-error. DSTU2: `date`, `wasNotGiven`, `reported`,
 * `performer` (one Reference), `explanation`. Patient: code systems renamed to the old URIs.
 */
export function toVersion<T extends FhirResource>(resource: T, version: FhirVersion): Record<string, unknown> & { resourceType: T['resourceType']; id: string } {
	if (version === 'r4') return resource as unknown as Record<string, unknown> & { resourceType: T['resourceType']; id: string };
	if (resource.resourceType === 'Patient') {
		const p = resource as FhirPatient;
		return {
			...p,
			identifier: p.identifier.map((idf) => ({
				...idf,
				type: idf.type && { ...idf.type, coding: idf.type.coding?.map((c) => ({ ...c, system: V2_0203_OLD })) },
			})),
		} as unknown as Record<string, unknown> & { resourceType: T['resourceType']; id: string };
	}
	const imm = resource as FhirImmunization;
	const notGiven = imm.status === 'not-done';
	const reasonNotGiven = imm.statusReason
		? [{ coding: imm.statusReason.coding?.map((c) => ({ ...c, system: ACT_REASON_OLD })) }]
		: undefined;
	const common = {
		resourceType: 'Immunization',
		id: imm.id,
		meta: imm.meta,
		status: imm.status === 'entered-in-error' ? 'entered-in-error' : 'completed',
	};
	if (version === 'stu3') {
		const out: Record<string, unknown> = {
			...common,
			notGiven,
			vaccineCode: imm.vaccineCode,
			patient: imm.patient,
			date: imm.occurrenceDateTime,
			primarySource: imm.primarySource,
			...(imm.reportOrigin ? { reportOrigin: { coding: [{ system: 'http://hl7.org/fhir/immunization-origin', code: 'record' }] } } : {}),
			manufacturer: imm.manufacturer,
			lotNumber: imm.lotNumber,
			expirationDate: imm.expirationDate,
			practitioner: imm.performer.map((p) => ({
				role: { coding: [{ system: V2_0443_OLD, code: 'AP', display: 'Administering Provider' }] },
				actor: p.actor,
			})),
		};
		if (reasonNotGiven) out.explanation = { reasonNotGiven };
		return out as Record<string, unknown> & { resourceType: T['resourceType']; id: string };
	}
	const out: Record<string, unknown> = {
		...common,
		date: imm.occurrenceDateTime,
		vaccineCode: imm.vaccineCode,
		patient: imm.patient,
		wasNotGiven: notGiven,
		reported: !imm.primarySource,
		performer: imm.performer[0]?.actor,
		manufacturer: imm.manufacturer,
		lotNumber: imm.lotNumber,
		expirationDate: imm.expirationDate,
	};
	if (reasonNotGiven) out.explanation = { reasonNotGiven };
	return out as Record<string, unknown> & { resourceType: T['resourceType']; id: string };
}

/** The minimal view of the sandbox app that `datasetFor` needs (avoids an import cycle). */
interface AppLike {
	options: { seed?: number; patients?: number; [key: string]: unknown };
	state: Record<string, unknown>;
}

/**
 * The sandbox's one shared data set, created on first use from the SandboxOptions
 * `seed`, `patients`, `heavyPatients` and `immunizationsPerPatient`. Every surface (FHIR reads,
 * bulk export) calls this, so they all serve the same resources.
 */
export function datasetFor(app: AppLike): Dataset {
	let ds = app.state.dataset as Dataset | undefined;
	if (!ds) {
		ds = createDataset({
			seed: app.options.seed,
			patients: app.options.patients,
			heavyPatients: app.options.heavyPatients as Record<string, number> | undefined,
			immunizationsPerPatient: app.options.immunizationsPerPatient as [number, number] | undefined,
		});
		app.state.dataset = ds;
	}
	return ds;
}
