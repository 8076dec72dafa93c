// EHR FHIR node, FHIR Resource → Create or Update (conditional update `PUT Type?search`), through
// the harness against the sandbox's FHIR stores: twice → one resource, updated the second time;
// several matches → a clear error and nothing written; refused before any request where the
// server declares no conditional update (eMedicalPractice).
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import {
	MRN,
	RES,
	createPatients,
	dataRequestsSince,
	patientWithMrn,
	runStore,
	storeCount,
	useStore,
	vendorsWhere,
} from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

const upsert = (mrn: string, family = 'Sync') => ({
	...RES('upsert'),
	resourceType: 'Patient',
	condition: `identifier=${MRN}|${mrn}`,
	body: JSON.stringify(patientWithMrn(mrn, family)),
});

describe.each(vendorsWhere('conditional'))('%s', (vendor) => {
	it('twice → one resource, updated the second time', async () => {
		const start = await storeCount(sb, vendor, 'Patient');
		const [first] = await runStore(sb, vendor, upsert('u-1', 'First'));
		const [second] = await runStore(sb, vendor, upsert('u-1', 'Second'));
		expect(second.json.id).toBe(first.json.id);
		expect(second.json).toMatchObject({ name: [{ family: 'Second' }], meta: { versionId: '2' } });
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start + 1);
		const put = sb.app.requests.filter((r) => r.method === 'PUT');
		expect(decodeURIComponent(put[put.length - 1].query)).toBe(`?identifier=${MRN}|u-1`);
	});

	it('several matches → a clear error, nothing written', async () => {
		await createPatients(sb, vendor, ['dup', 'dup']);
		const start = await storeCount(sb, vendor, 'Patient');
		const e = await failure(runStore(sb, vendor, upsert('dup', 'X')));
		expect(e.httpCode).toBe('412');
		expect(e.message).toMatch(
			/failed: several Patient resources match .*, so it is not clear which one to update; nothing was written/,
		);
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start);
	});
});

describe.each(vendorsWhere('conditional', false))(
	'%s (no conditional update declared)',
	(vendor) => {
		it('is refused before any request', async () => {
			const before = sb.app.requests.length;
			const e = await failure(runStore(sb, vendor, upsert('x')));
			expect(e.message).toBe(
				'This server does not support conditional update (create or update by a search) on Patient: nothing was sent',
			);
			expect(dataRequestsSince(sb, before)).toEqual([]);
		});
	},
);
