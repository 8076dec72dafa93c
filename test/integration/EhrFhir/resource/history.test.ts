// EHR FHIR node, FHIR Resource → History, through the harness against the sandbox's FHIR stores:
// the versions of one resource (newest first, a delete included) and the changes to a type across
// pages (Return All and Limit), where declared; refused before any request where not.
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import { RES, dataRequestsSince, observation, runStore, seed, vendorsWhere } from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

describe.each(vendorsWhere('history'))('%s', (vendor) => {
	it('History of one resource: every version, newest first, the delete included', async () => {
		const [c] = await runStore(sb, vendor, {
			...RES('create'),
			resourceType: 'Observation',
			body: JSON.stringify(observation('pt-00001')),
		});
		const id = String(c.json.id);
		for (const status of ['amended', 'corrected']) {
			await runStore(sb, vendor, {
				...RES('update'),
				resourceType: 'Observation',
				resourceId: id,
				body: JSON.stringify(observation('pt-00001', { status })),
			});
		}
		await runStore(sb, vendor, { ...RES('delete'), resourceType: 'Observation', resourceId: id });
		const out = await runStore(sb, vendor, {
			...RES('history'),
			resourceType: 'Observation',
			historyOf: 'resource',
			resourceId: id,
			returnAll: true,
		});
		expect(out.map((i) => [i.json.deleted ?? false, i.json.status ?? null])).toEqual([
			[true, null],
			[false, 'corrected'],
			[false, 'amended'],
			[false, 'final'],
		]);
		expect(out[0].json).toMatchObject({ resourceType: 'Observation', id, deleted: true });
		const two = await runStore(sb, vendor, {
			...RES('history'),
			resourceType: 'Observation',
			historyOf: 'resource',
			resourceId: id,
			returnAll: false,
			limit: 2,
		});
		expect(two).toHaveLength(2);
	});

	it('History of one resource over several pages (250 versions): every version once, not taken for a repeated page', async () => {
		const [c] = await runStore(sb, vendor, {
			...RES('create'),
			resourceType: 'Observation',
			body: JSON.stringify(observation('pt-00002')),
		});
		const id = String(c.json.id);
		const items = Array.from({ length: 249 }, (_, n) => ({
			json: { body: observation('pt-00002', { status: n % 2 ? 'amended' : 'corrected' }) },
		}));
		await runStore(
			sb,
			vendor,
			{
				...RES('update'),
				resourceType: 'Observation',
				resourceId: id,
				body: '={{ JSON.stringify($json.body) }}',
			},
			items,
		);
		const out = await runStore(sb, vendor, {
			...RES('history'),
			resourceType: 'Observation',
			historyOf: 'resource',
			resourceId: id,
			returnAll: true,
		});
		expect(out).toHaveLength(250);
		expect(new Set(out.map((i) => (i.json.meta as { versionId: string }).versionId)).size).toBe(
			250,
		);
	});

	it('History of a type reads every page (Return All) or stops at the Limit', async () => {
		const seeded = await seed(sb, vendor, 230, 'pt-00004');
		const before = sb.app.requests.length;
		const all = await runStore(sb, vendor, {
			...RES('history'),
			resourceType: 'Observation',
			historyOf: 'type',
			returnAll: true,
		});
		expect(all.map((i) => i.json.id).sort()).toEqual([...seeded].sort());
		expect(dataRequestsSince(sb, before).length).toBe(3); // pages of 100
		const some = await runStore(sb, vendor, {
			...RES('history'),
			resourceType: 'Observation',
			historyOf: 'type',
			returnAll: false,
			limit: 150,
		});
		expect(some.map((i) => i.json.id)).toEqual(all.slice(0, 150).map((i) => i.json.id));
	});
});

describe.each(vendorsWhere('history', false))('%s (no history declared)', (vendor) => {
	it('both kinds are refused before any request', async () => {
		const before = sb.app.requests.length;
		const one = await failure(
			runStore(sb, vendor, {
				...RES('history'),
				resourceType: 'Patient',
				historyOf: 'resource',
				resourceId: 'pt-00001',
				returnAll: true,
			}),
		);
		expect(one.message).toBe(
			'This server does not support the history of a resource on Patient: nothing was sent',
		);
		const type = await failure(
			runStore(sb, vendor, {
				...RES('history'),
				resourceType: 'Patient',
				historyOf: 'type',
				returnAll: true,
			}),
		);
		expect(type.message).toBe(
			'This server does not support the history of a type on Patient: nothing was sent',
		);
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});
