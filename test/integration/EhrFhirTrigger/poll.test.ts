// EHR FHIR Trigger through the harness against the sandbox's FHIR stores: SMART (sorts by
// _lastUpdated: keyset paging) and eMedicalPractice (no _sort: every page read and sorted here).
// First poll from now; created / updated events from meta.versionId; two changes in the same
// second as the cursor neither lost nor repeated; more than Max Items over successive polls in
// order; Start From backfill; manual mode leaves the static data alone; filters.
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { armFault, withSandbox } from '../../helpers/sandbox';
import { seed } from '../EhrFhir/store';
import { admin, createPatient, fhir, keyOf, poller, updateResource } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	sb.app.faults.clear();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const surfaceOf = { smart: 'smart', emp: 'emp' } as const;

describe.each(['smart', 'emp'] as const)('EHR FHIR Trigger on %s', (vendor) => {
	it('first poll emits nothing; then exactly the created and updated resources, once', async () => {
		const p = poller(sb, vendor, { resourceType: 'Patient' });
		expect((await p.poll()).output).toBeNull();
		expect(p.staticData.cursor).toEqual({ cursor: expect.any(String), atCursor: [] });
		const a = await createPatient(sb, vendor, 'Alpha');
		const b = await createPatient(sb, vendor, 'Beta');
		const u = await updateResource(sb, vendor, 'Patient', 'pt-00003', { gender: 'other' });
		const items = await p.items();
		expect(items.map((i) => [i.id, i.event, (i.meta as IDataObject).versionId])).toEqual([
			[a.id, 'created', '1'],
			[b.id, 'created', '1'],
			['pt-00003', 'updated', '2'],
		]);
		expect(items[2]).toMatchObject({ resourceType: 'Patient', gender: 'other' });
		expect(u.id).toBe('pt-00003');
		expect((await p.poll()).output).toBeNull();
		// simplified items carry the event too
		await createPatient(sb, vendor, 'Gamma');
		const s = poller(
			sb,
			vendor,
			{ resourceType: 'Patient', options: { simplify: true } },
			p.staticData,
		);
		const [g] = await s.items();
		expect(g).toMatchObject({ familyName: 'Gamma', event: 'created' });
		expect(g.meta).toBeUndefined();
	});

	it('two changes in the same second as the cursor: neither lost nor repeated (gt would lose them)', async () => {
		await admin(sb, '/fhir/options', { surface: surfaceOf[vendor], lastUpdatedPrecision: 's' });
		const p = poller(sb, vendor, { resourceType: 'Patient' });
		let done = false;
		for (let attempt = 0; attempt < 5 && !done; attempt++) {
			p.staticData = {};
			expect((await p.poll()).output).toBeNull();
			// start early in a second, so the next writes share it with the first
			while (Date.now() % 1000 > 100) await sleep(10);
			const a = await createPatient(sb, vendor, `Same${attempt}`);
			const first = await p.items();
			expect(first.map(keyOf)).toEqual([`Patient/${a.id}@1`]);
			const a2 = await updateResource(sb, vendor, 'Patient', String(a.id), { gender: 'female' });
			const b = await createPatient(sb, vendor, `Other${attempt}`);
			const stamp = (r: IDataObject) => (r.meta as IDataObject).lastUpdated;
			if (stamp(a2) !== stamp(a) || stamp(b) !== stamp(a)) {
				// the second rolled over between the writes: not the boundary case, try again
				await p.items();
				continue;
			}
			done = true;
			// the sandbox models the boundary: a gt search leaves both out
			const gt = await fhir(sb, vendor, 'GET', `Patient?_lastUpdated=gt${String(stamp(a))}`);
			expect(gt.total ?? (gt.entry as unknown[] | undefined)?.length ?? 0).toBe(0);
			expect((p.staticData.cursor as IDataObject).cursor).toBe(stamp(a));
			const second = await p.items();
			expect(second.map(keyOf)).toEqual([`Patient/${a.id}@2`, `Patient/${b.id}@1`]);
			expect(second.map((i) => i.event)).toEqual(['updated', 'created']);
			expect((await p.poll()).output).toBeNull();
		}
		expect(done).toBe(true);
	});

	it('more than Max Items per Poll: delivered over successive polls in order, none skipped or doubled', async () => {
		const p = poller(sb, vendor, { resourceType: 'Observation', options: { maxItems: 100 } });
		expect((await p.poll()).output).toBeNull();
		const ids = await seed(sb, vendor, 250);
		const polls: IDataObject[][] = [];
		for (;;) {
			const got = await p.items();
			if (!got.length) break;
			polls.push(got);
			expect(polls.length).toBeLessThan(10);
		}
		expect(polls.map((x) => x.length)).toEqual([100, 100, 50]);
		const all = polls.flat();
		expect(all.map((r) => r.id)).toEqual(ids);
		const times = all.map((r) => Date.parse(String((r.meta as IDataObject).lastUpdated)));
		expect(times).toEqual([...times].sort((x, y) => x - y));
		expect(all.every((r) => r.event === 'created')).toBe(true);
	});

	it('Start From delivers the changes since that date at the first poll', async () => {
		await createPatient(sb, vendor, 'Before');
		await sleep(20);
		const from = new Date().toISOString();
		await sleep(20);
		const a = await createPatient(sb, vendor, 'After1');
		const u = await updateResource(sb, vendor, 'Patient', 'pt-00002', { gender: 'other' });
		const p = poller(sb, vendor, { resourceType: 'Patient', options: { startFrom: from } });
		expect((await p.items()).map(keyOf)).toEqual([`Patient/${a.id}@1`, `Patient/${u.id}@2`]);
		expect((await p.poll()).output).toBeNull();
	});

	it('search filters: only matching resources', async () => {
		const p = poller(sb, vendor, {
			resourceType: 'Patient',
			searchParameters: { parameter: [{ name: 'family', value: 'Wanted' }] },
		});
		expect((await p.poll()).output).toBeNull();
		await createPatient(sb, vendor, 'Other');
		const w = await createPatient(sb, vendor, 'Wanted');
		expect((await p.items()).map((i) => i.id)).toEqual([w.id]);
	});

	it('manual mode (Fetch Test Event): the newest resources, static data untouched', async () => {
		const p = poller(sb, vendor, { resourceType: 'Patient' });
		await p.poll();
		const a = await createPatient(sb, vendor, 'Newest1');
		const b = await createPatient(sb, vendor, 'Newest2');
		const before = JSON.stringify(p.staticData);
		const { output } = await p.poll({ mode: 'manual' });
		const got = output![0].map((i) => i.json);
		expect(got.length).toBeLessThanOrEqual(3);
		expect(got.slice(0, 2).map((i) => i.id)).toEqual([b.id, a.id]);
		expect(JSON.stringify(p.staticData)).toBe(before);
		// and the real poll still delivers both
		expect((await p.items()).map((i) => i.id)).toEqual([a.id, b.id]);
		const fresh = poller(sb, vendor, { resourceType: 'Patient' });
		await fresh.poll({ mode: 'manual' });
		expect(fresh.staticData).toEqual({});
	});

	it('a failing poll throws a readable error and keeps the cursor; the next poll delivers', async () => {
		const p = poller(sb, vendor, { resourceType: 'Patient' });
		await p.poll();
		const a = await createPatient(sb, vendor, 'Later');
		const before = JSON.stringify(p.staticData);
		await armFault(sb, { surface: vendor, kind: 'html-500', status: 403, times: 1 });
		await expect(p.poll()).rejects.toThrow(/Check for new or updated Patient resources failed/);
		expect(JSON.stringify(p.staticData)).toBe(before);
		sb.app.faults.clear();
		expect((await p.items()).map((i) => i.id)).toEqual([a.id]);
	});
});
