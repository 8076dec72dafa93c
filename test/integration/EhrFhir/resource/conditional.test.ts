// EHR FHIR node, FHIR Resource → Create If None Exists (If-None-Exist) and Create or Update
// (conditional update `PUT Type?search`), through the harness against the sandbox's FHIR stores:
// twice → one resource, several matches → a clear error and nothing written, refused before any
// request where the server does not declare conditional writes (eMedicalPractice).
import { NodeApiError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import { RES, dataRequestsSince, patientWithMrn, runStore, storeCount, vendorsWhere } from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

const MRN = 'http://clinic.example/mrn';

describe.each(vendorsWhere('conditional'))('%s', (vendor) => {
	it('Create If None Exists twice → one resource (the second answer is the existing one)', async () => {
		const start = await storeCount(sb, vendor, 'Patient');
		const params = { ...RES('createIfNoneExists'), resourceType: 'Patient', condition: `identifier=${MRN}|c-1`, body: JSON.stringify(patientWithMrn('c-1')) };
		const [first] = await runStore(sb, vendor, params);
		const [second] = await runStore(sb, vendor, params);
		expect(second.json.id).toBe(first.json.id);
		expect(second.json).toMatchObject({ resourceType: 'Patient', meta: { versionId: '1' } });
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start + 1);
		const sent = sb.app.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Patient'));
		expect(sent[sent.length - 1].headers['if-none-exist']).toBe(`identifier=${MRN}|c-1`);
	});

	it('Create or Update twice → one resource, updated the second time', async () => {
		const start = await storeCount(sb, vendor, 'Patient');
		const upsert = (family: string) =>
			runStore(sb, vendor, { ...RES('upsert'), resourceType: 'Patient', condition: `identifier=${MRN}|u-1`, body: JSON.stringify(patientWithMrn('u-1', family)) });
		const [first] = await upsert('First');
		const [second] = await upsert('Second');
		expect(second.json.id).toBe(first.json.id);
		expect(second.json).toMatchObject({ name: [{ family: 'Second' }], meta: { versionId: '2' } });
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start + 1);
	});

	it('several matches → a clear error, nothing written (both operations)', async () => {
		for (const json of [patientWithMrn('dup'), patientWithMrn('dup')]) {
			await runStore(sb, vendor, { ...RES('create'), resourceType: 'Patient', body: JSON.stringify(json) });
		}
		const start = await storeCount(sb, vendor, 'Patient');
		const cc = await failure(runStore(sb, vendor, { ...RES('createIfNoneExists'), resourceType: 'Patient', condition: `identifier=${MRN}|dup`, body: JSON.stringify(patientWithMrn('dup')) }));
		expect(cc).toBeInstanceOf(NodeApiError);
		expect(cc.httpCode).toBe('412');
		expect(cc.message).toMatch(new RegExp(`^Create Patient if none exists \\(identifier=${MRN}\\|dup\\) failed: several Patient resources match identifier=${MRN}\\|dup, so it is not clear which one is meant; nothing was written`));
		const up = await failure(runStore(sb, vendor, { ...RES('upsert'), resourceType: 'Patient', condition: `identifier=${MRN}|dup`, body: JSON.stringify(patientWithMrn('dup', 'X')) }));
		expect(up.message).toMatch(/failed: several Patient resources match .*, so it is not clear which one to update; nothing was written/);
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start);
	});
});

describe.each(vendorsWhere('conditional', false))('%s (no conditional writes declared)', (vendor) => {
	it('both are refused before any request', async () => {
		const before = sb.app.requests.length;
		const cc = await failure(runStore(sb, vendor, { ...RES('createIfNoneExists'), resourceType: 'Patient', condition: `identifier=${MRN}|x`, body: JSON.stringify(patientWithMrn('x')) }));
		expect(cc.message).toBe('This server does not support conditional create (If-None-Exist) on Patient: nothing was sent');
		const up = await failure(runStore(sb, vendor, { ...RES('upsert'), resourceType: 'Patient', condition: `identifier=${MRN}|x`, body: JSON.stringify(patientWithMrn('x')) }));
		expect(up.message).toBe('This server does not support conditional update (create or update by a search) on Patient: nothing was sent');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});

describe('an empty search', () => {
	it('is refused before any request', async () => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, 'smart', { ...RES('upsert'), resourceType: 'Patient', condition: ' ', body: JSON.stringify(patientWithMrn('x')) }));
		expect(e.message).toBe('No search given to find the existing resource');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});
