// The in-memory FHIR R4 store of one surface: an overlay of versioned writes over the generated
// data set (generated Patients and Immunizations are version 1 until written), the history of
// every write, and a journal so that a transaction can be rolled back.
import type { Dataset } from '../data';

export type Res = Record<string, unknown> & {
	resourceType: string;
	id: string;
	meta?: Record<string, unknown>;
};

export interface Version {
	versionId: number;
	lastUpdated: string;
	/** null: this version is a deletion */
	resource: Res | null;
	method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
}

export interface HistoryItem {
	type: string;
	id: string;
	version: Version;
}

export interface Current {
	versionId: number;
	lastUpdated: string;
	resource: Res | null;
}

const GENERATED = new Set(['Patient', 'Immunization']);

export class FhirStore {
	private written = new Map<string, Version[]>();
	/** resources present from the start like generated ones (version 1, not writes): scheduling seed */
	private seeded = new Map<string, Map<string, Res>>();
	/** ids created in this store (not generated), per type, in creation order */
	private created = new Map<string, Map<string, true>>();
	private writesByType = new Map<string, number>();
	readonly history: HistoryItem[] = [];
	/** bumped by every write (and undo): search caches key on it */
	revision = 0;
	private lastTime = 0;
	private seq = 0;
	private journal: Array<() => void> | undefined;
	private cache = new Map<string, Res[]>();
	/**
	 * `meta.lastUpdated` precision: 'ms' (default; every write gets a later millisecond) or 's'
	 * (whole seconds, like servers that store seconds: writes in one second share the stamp)
	 */
	lastUpdatedPrecision: 'ms' | 's' = 'ms';
	/** called after every write (subscriptions.ts watches the store through it) */
	onWrite?: () => void;

	constructor(
		private ds: Dataset,
		private now: () => number,
	) {}

	/** The generated version 1 of a Patient or Immunization (or a seeded resource), if there is one. */
	private generated(type: string, id: string): Res | undefined {
		if (type === 'Patient') return this.ds.patient(id) as unknown as Res | undefined;
		if (type === 'Immunization') return this.ds.immunization(id) as unknown as Res | undefined;
		return this.seeded.get(type)?.get(id);
	}

	/** Adds a resource that is there from the start (version 1, listed like a generated one). */
	seed(r: Res): void {
		let m = this.seeded.get(r.resourceType);
		if (!m) this.seeded.set(r.resourceType, (m = new Map()));
		m.set(r.id, r);
	}

	current(type: string, id: string): Current | undefined {
		const versions = this.written.get(`${type}/${id}`);
		if (versions) return versions[versions.length - 1];
		return this.first(type, id);
	}

	/** The generated version 1, as a Current. */
	private first(type: string, id: string): Current | undefined {
		const g = this.generated(type, id);
		return g
			? {
					versionId: 1,
					lastUpdated: String((g.meta as { lastUpdated?: string })?.lastUpdated ?? ''),
					resource: g,
				}
			: undefined;
	}

	version(type: string, id: string, v: number): Current | undefined {
		return this.versions(type, id).find((x) => x.versionId === v);
	}

	/** Every version of one resource, newest first (generated version 1 included). */
	versions(type: string, id: string): Current[] {
		const written = this.written.get(`${type}/${id}`) ?? [];
		const out: Current[] = [...written].reverse();
		if (!written.some((x) => x.versionId === 1)) {
			const g = this.first(type, id);
			if (g) out.push(g);
		}
		return out;
	}

	/** A fresh id for a new resource of `type` (deterministic after a reset). */
	newId(type: string): string {
		const prefix = type.replace(/[a-z]/g, '').toLowerCase() || 'r';
		for (;;) {
			const id = `${prefix}-${String(++this.seq).padStart(6, '0')}`;
			if (!this.current(type, id)) return id;
		}
	}

	/** Writes a new version (create, update, patch) or a deletion (resource null). */
	write(type: string, id: string, resource: Res | null, method: Version['method']): Version {
		const key = `${type}/${id}`;
		const prior = this.current(type, id);
		const versionId = (prior?.versionId ?? 0) + 1;
		const lastUpdated = this.stamp();
		const stored: Res | null = resource
			? {
					...resource,
					resourceType: type,
					id,
					meta: { ...((resource.meta as object) ?? {}), versionId: String(versionId), lastUpdated },
				}
			: null;
		const version: Version = { versionId, lastUpdated, resource: stored, method };
		let list = this.written.get(key);
		const fresh = !list;
		if (!list) {
			list = [];
			this.written.set(key, list);
		}
		list.push(version);
		const isNew = !prior && !this.generated(type, id);
		if (isNew) {
			let ids = this.created.get(type);
			if (!ids) this.created.set(type, (ids = new Map()));
			ids.set(id, true);
		}
		this.history.push({ type, id, version });
		this.writesByType.set(type, (this.writesByType.get(type) ?? 0) + 1);
		this.revision++;
		this.onWrite?.();
		this.journal?.push(() => {
			list.pop();
			if (fresh) this.written.delete(key);
			if (isNew) this.created.get(type)?.delete(id);
			this.history.pop();
			this.writesByType.set(type, (this.writesByType.get(type) ?? 1) - 1);
			this.revision++;
		});
		return version;
	}

	private stamp(): string {
		if (this.lastUpdatedPrecision === 's') {
			const t = Math.max(this.now(), this.lastTime);
			this.lastTime = t;
			return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
		}
		const t = Math.max(this.now(), this.lastTime + 1);
		this.lastTime = t;
		return new Date(t).toISOString();
	}

	/** True when nothing of `type` was ever written (reads can use the data set's fast paths). */
	untouched(type: string): boolean {
		return !this.writesByType.get(type);
	}

	/** Current resources of a type, generated ones first (in data-set order), then created ones. */
	*list(type: string): Generator<Res> {
		if (GENERATED.has(type)) {
			for (const g of this.ds.iterate(type as 'Patient')) {
				const versions = this.written.get(`${type}/${g.id}`);
				const r = versions ? versions[versions.length - 1].resource : (g as unknown as Res);
				if (r) yield r;
			}
		}
		for (const id of this.seeded.get(type)?.keys() ?? []) {
			const r = this.current(type, id)?.resource;
			if (r) yield r;
		}
		for (const id of this.created.get(type)?.keys() ?? []) {
			const r = this.current(type, id)?.resource;
			if (r) yield r;
		}
	}

	/** Version 1 of every generated resource of a type, newest first (type history's oldest part). */
	generatedVersions(type: string): Current[] {
		const out: Current[] = [];
		for (const r of this.seeded.get(type)?.values() ?? [])
			out.push({ versionId: 1, lastUpdated: String(r.meta?.lastUpdated ?? ''), resource: r });
		if (GENERATED.has(type))
			for (const g of this.ds.iterate(type as 'Patient'))
				out.push({ versionId: 1, lastUpdated: g.meta.lastUpdated, resource: g as unknown as Res });
		return out.sort((a, b) =>
			a.lastUpdated < b.lastUpdated ? 1 : a.lastUpdated > b.lastUpdated ? -1 : 0,
		);
	}

	count(type: string): number {
		if (this.untouched(type))
			return (
				(GENERATED.has(type) ? this.ds.count(type as 'Patient') : 0) +
				(this.seeded.get(type)?.size ?? 0)
			);
		let n = 0;
		for (const _ of this.list(type)) n++;
		return n;
	}

	/** The result of `compute` for `key`, cached until the next write. */
	cached(key: string, compute: () => Res[]): Res[] {
		const k = `${this.revision}|${key}`;
		const hit = this.cache.get(k);
		if (hit) return hit;
		const value = compute();
		if (this.cache.size >= 16) this.cache.delete(this.cache.keys().next().value as string);
		this.cache.set(k, value);
		return value;
	}

	/** Runs `fn` atomically: when it throws or returns false, every write it made is undone. */
	atomic<T>(fn: () => T, ok: (v: T) => boolean): T {
		const outer = this.journal;
		const journal: Array<() => void> = [];
		this.journal = journal;
		const seq = this.seq;
		const lastTime = this.lastTime;
		try {
			const v = fn();
			if (!ok(v)) this.undo(journal, seq, lastTime);
			else outer?.push(...journal);
			return v;
		} catch (e) {
			this.undo(journal, seq, lastTime);
			throw e;
		} finally {
			this.journal = outer;
		}
	}

	private undo(journal: Array<() => void>, seq: number, lastTime: number): void {
		for (let i = journal.length - 1; i >= 0; i--) journal[i]();
		this.seq = seq;
		this.lastTime = lastTime;
	}
}

/** A resource as served: its meta carries versionId (generated resources are version 1). */
export function served(r: Res): Res {
	const meta = (r.meta ?? {}) as Record<string, unknown>;
	if (meta.versionId !== undefined) return r;
	return { ...r, meta: { ...meta, versionId: '1' } };
}
