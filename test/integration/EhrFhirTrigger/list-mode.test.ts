// EHR FHIR Trigger on onpatient, whose `{results, next}` lists have no `_lastUpdated` search
// (vendor profile `lastUpdatedSearch: false`): every poll reads the whole Immunization list (all
// pages) and compares it with the snapshot in static data. Changes come from the sandbox's admin
// route (onpatient has no write API).
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { withSandbox } from '../../helpers/sandbox';
import { admin, poller } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox({ patients: 12 });
});
afterAll(() => sb.close());
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
});

const listRequests = (from: number) =>
	sb.app.requests.slice(from).filter((r) => r.path.endsWith('/onpatient_api/fhir/Immunization'));

describe('EHR FHIR Trigger on onpatient (list mode)', () => {
	it('first poll remembers the list; then exactly the new and the updated immunization, once', async () => {
		const p = poller(sb, 'onpatient', { resourceType: 'Immunization' });
		const from = sb.app.requests.length;
		expect((await p.poll()).output).toBeNull();
		// every page was read, without _lastUpdated
		const reqs = listRequests(from);
		expect(reqs.length).toBeGreaterThan(1);
		expect(reqs.every((r) => !/_lastUpdated|_sort/.test(r.query))).toBe(true);
		const seen = (p.staticData.snapshot as { seen: IDataObject }).seen;
		const created = await admin(sb, '/onpatient/immunizations', { patient: 'pt-00002' });
		const updated = await admin(sb, '/onpatient/immunizations', {
			id: 'imm-00004-002',
			lotNumber: 'LOT-CHANGED',
		});
		expect(Object.keys(seen)).toContain('Immunization/imm-00004-002');
		const items = await p.items();
		// in change order: the creation first (same-millisecond ties keep list order)
		expect(items.map((i) => [i.id, i.event])).toEqual([
			[created.id, 'created'],
			['imm-00004-002', 'updated'],
		]);
		expect(Object.keys(seen).length).toBeGreaterThan(20);
		expect(items.find((i) => i.id === updated.id)).toMatchObject({
			lotNumber: 'LOT-CHANGED',
			meta: { versionId: '2' },
		});
		expect((await p.poll()).output).toBeNull();
	});

	it('Max Items per Poll: the rest comes with the next polls, none skipped or doubled', async () => {
		const p = poller(sb, 'onpatient', { resourceType: 'Immunization', options: { maxItems: 2 } });
		await p.poll();
		const made: string[] = [];
		for (let i = 0; i < 5; i++)
			made.push(String((await admin(sb, '/onpatient/immunizations', { patient: 'pt-00003' })).id));
		const polls: string[][] = [];
		for (let i = 0; i < 5; i++) {
			const got = (await p.items()).map((x) => String(x.id));
			if (!got.length) break;
			polls.push(got);
		}
		expect(polls.map((x) => x.length)).toEqual([2, 2, 1]);
		expect(polls.flat().sort()).toEqual([...made].sort());
	});

	it('a type onpatient cannot list is refused with a readable error', async () => {
		const p = poller(sb, 'onpatient', { resourceType: 'Patient' });
		await expect(p.poll()).rejects.toThrow(
			'onpatient (drchrono) cannot list Patient resources, so the trigger cannot watch them',
		);
		expect(p.staticData).toEqual({});
	});

	it('manual mode: the newest immunizations, nothing remembered', async () => {
		const p = poller(sb, 'onpatient', { resourceType: 'Immunization' });
		const c = await admin(sb, '/onpatient/immunizations', { patient: 'pt-00005' });
		const { output } = await p.poll({ mode: 'manual' });
		expect(output![0][0].json.id).toBe(c.id);
		expect(p.staticData).toEqual({});
	});
});
