// What the polling triggers remember between polls (n8n keeps it in the workflow's static data,
// saved for active workflows only) and the pure logic that decides what is new:
//   - a boundary cursor: the newest change time delivered plus the keys (id + version) delivered
//     at exactly that time, so a search `ge<cursor>` neither repeats them nor loses a change made
//     in the same second (`gt<cursor>` would lose it);
//   - a capped snapshot (key → signature) for lists that cannot be searched by change time: what
//     is new or different since the last poll.
// No request is made here; the unit tests cover it without a network.
import { isRecord, str } from './values';

/** A change's place: the time as the server wrote it and a key that tells versions apart. */
export interface Change<T = unknown> {
	/** epoch milliseconds of `meta.lastUpdated` */
	time: number;
	/** `meta.lastUpdated` as the server sent it (sent back in `ge<cursor>`) */
	text: string;
	/** `Type/id@version` (the version, or the time when there is none) */
	key: string;
	item: T;
}

export interface BoundaryCursor {
	/** the newest `meta.lastUpdated` delivered, as the server wrote it (or the start time) */
	cursor: string;
	/** keys delivered whose time equals `cursor` */
	atCursor: string[];
}

/** The largest number of keys kept at one timestamp (a server stamping thousands alike). */
export const MAX_AT_CURSOR = 10_000;

/** `meta.lastUpdated` of a resource, as written, when it is a date-time. */
export function lastUpdatedOf(resource: unknown): string | undefined {
	const meta = isRecord(resource) && isRecord(resource.meta) ? resource.meta : undefined;
	const text = str(meta?.lastUpdated);
	return text && Number.isFinite(Date.parse(text)) ? text : undefined;
}

/** `meta.versionId` of a resource, if any. */
export function versionOf(resource: unknown): string | undefined {
	const meta = isRecord(resource) && isRecord(resource.meta) ? resource.meta : undefined;
	const v = meta?.versionId;
	return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** A resource as a Change (undefined when it has no id or no `meta.lastUpdated`). */
export function toChange<T>(resource: T): Change<T> | undefined {
	if (!isRecord(resource)) return undefined;
	const id =
		str(resource.id) ?? (typeof resource.id === 'number' ? String(resource.id) : undefined);
	const text = lastUpdatedOf(resource);
	if (!id || !text) return undefined;
	const version = versionOf(resource) ?? text;
	return {
		time: Date.parse(text),
		text,
		key: `${str(resource.resourceType) ?? ''}/${id}@${version}`,
		item: resource,
	};
}

/**
 * What a resource's version says about the change: versionId "1" is a creation, a higher number
 * an update; without a (numeric) version the trigger does not know, and says "changed".
 */
export function changeEvent(resource: unknown): 'created' | 'updated' | 'changed' {
	const v = versionOf(resource);
	if (v === undefined || !/^\d+$/.test(v)) return 'changed';
	return Number(v) === 1 ? 'created' : 'updated';
}

/** True when `c` was already delivered (before the cursor, or at it with its key remembered). */
export function delivered(state: BoundaryCursor, c: Change, atCursor?: Set<string>): boolean {
	const cursorTime = Date.parse(state.cursor);
	if (c.time < cursorTime) return true;
	if (c.time > cursorTime) return false;
	return (atCursor ?? new Set(state.atCursor)).has(c.key);
}

/** The cursor after delivering `c` (changes are delivered in time order). */
export function advance(state: BoundaryCursor, c: Change): BoundaryCursor {
	const cursorTime = Date.parse(state.cursor);
	if (c.time > cursorTime) return { cursor: c.text, atCursor: [c.key] };
	if (c.time < cursorTime) return state;
	if (state.atCursor.includes(c.key)) return state;
	const atCursor = [...state.atCursor, c.key];
	return { cursor: state.cursor, atCursor: atCursor.slice(-MAX_AT_CURSOR) };
}

/** Changes in delivery order: by time, then as the server listed them (a stable sort). */
export function inTimeOrder<T>(changes: Array<Change<T>>): Array<Change<T>> {
	return changes
		.map((c, i) => ({ c, i }))
		.sort((a, b) => a.c.time - b.c.time || a.i - b.i)
		.map((x) => x.c);
}

/**
 * The changes to deliver now: those not delivered yet, in time order, at most `max`, and the
 * cursor after them. The cursor moves only over what is returned, so what is left (past `max`)
 * comes with the next poll.
 */
export function takeAfter<T>(
	state: BoundaryCursor,
	changes: Array<Change<T>>,
	max: number,
): { take: Array<Change<T>>; next: BoundaryCursor; left: number } {
	const seen = new Set(state.atCursor);
	const keys = new Set<string>();
	const fresh = inTimeOrder(changes).filter((c) => {
		if (delivered(state, c, seen) || keys.has(c.key)) return false;
		keys.add(c.key);
		return true;
	});
	const take = fresh.slice(0, Math.max(0, max));
	let next = state;
	for (const c of take) next = advance(next, c);
	return { take, next, left: fresh.length - take.length };
}

// ---- snapshots (lists without a change-time search) ----------------------------------------

/**
 * What a snapshot trigger remembers: key → signature of what it delivered (or saw at its first
 * poll), at most `cap` keys; `floor` (epoch ms): past the cap the keys with the oldest change
 * times are forgotten and `floor` becomes the newest time forgotten; an unknown key whose change
 * time is not after `floor` counts as known (it was forgotten, not changed).
 */
export interface Snapshot {
	seen: Record<string, string>;
	floor?: number;
}

export interface ListChange<T> {
	key: string;
	item: T;
	/** the remembered signature; undefined: the key is new */
	previous?: string;
}

export interface ListDiff<T> {
	/** new or changed keys, in list order */
	changes: Array<ListChange<T>>;
	/** the snapshot after delivering `delivered` (the other changes come again next poll) */
	commit(delivered: ReadonlySet<string>): Snapshot;
}

export interface ListDiffOptions<T> {
	keyOf(item: T): string | undefined;
	/** what a change is: e.g. lastUpdated + versionId, or start + status */
	signature(item: T): string;
	/** the change time (epoch ms) used to pick what to forget past the cap; undefined: list order */
	timeOf?(item: T): number | undefined;
	cap: number;
}

/**
 * Compares the whole current list with the snapshot. Keys missing from the list are dropped
 * from the snapshot (the list was read whole); the caller decides what to do with them.
 */
export function diffList<T>(previous: Snapshot, list: T[], o: ListDiffOptions<T>): ListDiff<T> {
	const changes: Array<ListChange<T>> = [];
	const current = new Map<string, { sig: string; time?: number; change: boolean }>();
	for (const item of list) {
		const key = o.keyOf(item);
		if (key === undefined || current.has(key)) continue;
		const sig = o.signature(item);
		const time = o.timeOf?.(item);
		const before = Object.prototype.hasOwnProperty.call(previous.seen, key)
			? previous.seen[key]
			: undefined;
		const forgotten =
			before === undefined &&
			previous.floor !== undefined &&
			time !== undefined &&
			time <= previous.floor;
		const change = before === undefined ? !forgotten : before !== sig;
		current.set(key, { sig, time, change: change && !forgotten });
		if (change && !forgotten) changes.push({ key, item, previous: before });
	}
	return {
		changes,
		commit(delivered) {
			const kept: Array<{ key: string; sig: string; time?: number; order: number }> = [];
			let order = 0;
			for (const [key, c] of current) {
				order++;
				if (c.change && !delivered.has(key)) {
					const before = previous.seen[key];
					if (before !== undefined) kept.push({ key, sig: before, time: c.time, order });
					continue;
				}
				const before = Object.prototype.hasOwnProperty.call(previous.seen, key);
				// a forgotten key stays forgotten (below the floor)
				if (!before && !c.change) continue;
				kept.push({ key, sig: c.sig, time: c.time, order });
			}
			let floor = previous.floor;
			if (kept.length > o.cap) {
				const byAge = [...kept].sort(
					(a, b) => (a.time ?? Infinity) - (b.time ?? Infinity) || a.order - b.order,
				);
				const forget = byAge.slice(0, kept.length - o.cap);
				for (const f of forget)
					if (f.time !== undefined) floor = Math.max(floor ?? -Infinity, f.time);
				const gone = new Set(forget.map((f) => f.key));
				return {
					seen: Object.fromEntries(kept.filter((k) => !gone.has(k.key)).map((k) => [k.key, k.sig])),
					...(floor !== undefined ? { floor } : {}),
				};
			}
			return {
				seen: Object.fromEntries(kept.map((k) => [k.key, k.sig])),
				...(floor !== undefined ? { floor } : {}),
			};
		},
	};
}
