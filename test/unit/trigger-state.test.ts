// The polling triggers' shared state logic (nodes/shared/trigger-state.ts), no network: the
// boundary cursor (ge + keys at the cursor) and the capped list snapshot.
import {
	advance,
	changeEvent,
	diffList,
	takeAfter,
	toChange,
	type BoundaryCursor,
} from '../../nodes/shared/trigger-state';

const res = (id: string, lastUpdated: string, versionId?: string) => ({
	resourceType: 'Patient',
	id,
	meta: { lastUpdated, ...(versionId ? { versionId } : {}) },
});
const T = '2026-01-01T10:00:00Z';
const T2 = '2026-01-01T10:00:01Z';
const changes = (...r: Array<ReturnType<typeof res>>) => r.map((x) => toChange(x)!);

describe('boundary cursor', () => {
	it('skips what was delivered at the cursor, keeps a new version and a new id at the same time', () => {
		const state: BoundaryCursor = { cursor: T, atCursor: ['Patient/a@1'] };
		const { take, next } = takeAfter(
			state,
			changes(
				res('a', T, '1'),
				res('a', T, '2'),
				res('b', T, '1'),
				res('old', '2025-12-31T00:00:00Z', '1'),
			),
			10,
		);
		expect(take.map((c) => c.key)).toEqual(['Patient/a@2', 'Patient/b@1']);
		expect(next).toEqual({ cursor: T, atCursor: ['Patient/a@1', 'Patient/a@2', 'Patient/b@1'] });
	});

	it('moves only over what it returns: the rest (same second included) comes next time, in order', () => {
		const all = changes(res('c', T2, '1'), res('a', T, '1'), res('b', T, '1'), res('d', T2, '3'));
		let state: BoundaryCursor = { cursor: '2025-01-01T00:00:00Z', atCursor: [] };
		const got: string[] = [];
		for (let i = 0; i < 4; i++) {
			const r = takeAfter(state, all, 1);
			got.push(...r.take.map((c) => c.key));
			state = r.next;
		}
		expect(got).toEqual(['Patient/a@1', 'Patient/b@1', 'Patient/c@1', 'Patient/d@3']);
		expect(takeAfter(state, all, 10).take).toEqual([]);
		expect(state).toEqual({ cursor: T2, atCursor: ['Patient/c@1', 'Patient/d@3'] });
	});

	it('a later time starts a new boundary set; an earlier one changes nothing', () => {
		const s = advance({ cursor: T, atCursor: ['x'] }, toChange(res('a', T2, '1'))!);
		expect(s).toEqual({ cursor: T2, atCursor: ['Patient/a@1'] });
		expect(advance(s, toChange(res('z', T, '1'))!)).toBe(s);
	});

	it('resources without id or lastUpdated are not changes', () => {
		expect(toChange({ resourceType: 'Patient', meta: { lastUpdated: T } })).toBeUndefined();
		expect(toChange({ resourceType: 'Patient', id: 'a' })).toBeUndefined();
		expect(toChange(res('a', 'yesterday'))).toBeUndefined();
	});

	it('event: version 1 created, higher updated, none or opaque: changed', () => {
		expect(changeEvent(res('a', T, '1'))).toBe('created');
		expect(changeEvent(res('a', T, '7'))).toBe('updated');
		expect(changeEvent(res('a', T))).toBe('changed');
		expect(changeEvent(res('a', T, 'W/abc'))).toBe('changed');
	});
});

describe('list snapshot', () => {
	type Item = { id: string; v: number; t: number };
	const opts = {
		keyOf: (r: Item) => r.id,
		signature: (r: Item) => String(r.v),
		timeOf: (r: Item) => r.t,
		cap: 3,
	};
	it('new and changed keys; undelivered changes come again', () => {
		const first = diffList({ seen: {} }, [{ id: 'a', v: 1, t: 1 }], opts);
		const s1 = first.commit(new Set(first.changes.map((c) => c.key)));
		expect(s1).toEqual({ seen: { a: '1' } });
		const list = [
			{ id: 'a', v: 2, t: 5 },
			{ id: 'b', v: 1, t: 6 },
		];
		const d = diffList(s1, list, opts);
		expect(d.changes.map((c) => [c.key, c.previous])).toEqual([
			['a', '1'],
			['b', undefined],
		]);
		const s2 = d.commit(new Set(['a']));
		expect(s2).toEqual({ seen: { a: '2' } });
		expect(diffList(s2, list, opts).changes.map((c) => c.key)).toEqual(['b']);
	});

	it('past the cap the oldest are forgotten below a floor, and not reported again', () => {
		const list = [1, 2, 3, 4, 5].map((t) => ({ id: `k${t}`, v: 1, t }));
		const d = diffList({ seen: {} }, list, opts);
		const s = d.commit(new Set(d.changes.map((c) => c.key)));
		expect(Object.keys(s.seen)).toEqual(['k3', 'k4', 'k5']);
		expect(s.floor).toBe(2);
		const again = diffList(s, list, opts);
		expect(again.changes).toEqual([]);
		expect(again.commit(new Set())).toEqual(s);
		// a forgotten one that changes (newer time) is reported
		const changed = diffList(s, [...list.slice(1), { id: 'k1', v: 2, t: 9 }], opts);
		expect(changed.changes.map((c) => c.key)).toEqual(['k1']);
	});
});
