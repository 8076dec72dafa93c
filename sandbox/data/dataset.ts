// createDataset: the patients and immunizations of one seed behind ids, counts, a small cache
// and lazy iteration.
import { patientId } from './ids';
import { buildImmunizations, drawImmunizationCount } from './immunization';
import { buildPatient } from './patient';
import type {
	Dataset,
	DatasetOptions,
	FhirImmunization,
	FhirResource,
	IterateOptions,
	ResourceType,
} from './types';

/** How many patients' immunization lists the cache keeps (least recently used go first). */
const CACHE_SIZE = 32;

export function createDataset(options: DatasetOptions = {}): Dataset {
	const seed = options.seed ?? 42;
	const patientCount = Math.max(0, Math.floor(options.patients ?? 50));
	const heavy = options.heavyPatients ?? {};
	const [minImm, maxImm] = options.immunizationsPerPatient ?? [3, 15];
	const cache = new Map<number, FhirImmunization[]>();

	const idAt = (i: number) => patientId(i + 1);
	const indexOf = (id: string): number => {
		const m = /^pt-(\d{5,})$/.exec(id);
		if (!m) return -1;
		const i = Number(m[1]) - 1;
		return i >= 0 && i < patientCount && idAt(i) === id ? i : -1;
	};

	const countAt = (i: number): number => {
		const h = heavy[idAt(i)];
		if (h !== undefined) return Math.max(0, Math.floor(h));
		return drawImmunizationCount(seed, i, minImm, maxImm);
	};

	const buildImmunizationsAt = (i: number): FhirImmunization[] =>
		buildImmunizations(seed, i, countAt(i));

	const cachedImmunizations = (i: number): FhirImmunization[] => {
		const hit = cache.get(i);
		if (hit) {
			cache.delete(i);
			cache.set(i, hit);
			return hit;
		}
		const list = buildImmunizationsAt(i);
		cache.set(i, list);
		if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as number);
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
		const fresh = (r: FhirResource) =>
			since === undefined || Date.parse(r.meta.lastUpdated) >= since;
		if (type === 'Patient') {
			for (const i of indices(opts.patientIds)) {
				const p = buildPatient(seed, i);
				if (fresh(p)) yield p;
			}
		} else if (type === 'Immunization') {
			for (const i of indices(opts.patientIds)) {
				const list = cache.get(i) ?? buildImmunizationsAt(i);
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
			return i < 0 ? undefined : buildPatient(seed, i);
		},
		patientAt: (i) => {
			if (!Number.isInteger(i) || i < 0 || i >= patientCount)
				throw new RangeError(`No patient at index ${i}`);
			return buildPatient(seed, i);
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
