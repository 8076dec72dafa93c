// EHR FHIR node, FHIR Resource → Create If None Exists (conditional create, If-None-Exist),
// through the harness against the sandbox's FHIR stores: twice → one resource (the second answer
// is the existing one), several matches → a clear error and nothing written, refused before any
// request where the server declares no conditional create (eMedicalPractice), an empty search
// refused.
import { NodeApiError } from 'n8n-workflow';
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

const create = (mrn: string) => ({
	...RES('createIfNoneExists'),
	resourceType: 'Patient',
	condition: `identifier=${MRN}|${mrn}`,
	body: JSON.stringify(patientWithMrn(mrn)),
});

describe.each(vendorsWhere('conditional'))('%s', (vendor) => {
	it('twice → one resource (the second answer is the existing one)', async () => {
		const start = await storeCount(sb, vendor, 'Patient');
		const [first] = await runStore(sb, vendor, create('c-1'));
		const [second] = await runStore(sb, vendor, create('c-1'));
		expect(second.json.id).toBe(first.json.id);
		expect(second.json).toMatchObject({ resourceType: 'Patient', meta: { versionId: '1' } });
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start + 1);
		const sent = sb.app.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Patient'));
		expect(sent[sent.length - 1].headers['if-none-exist']).toBe(`identifier=${MRN}|c-1`);
	});

	it('several matches → a clear error, nothing written', async () => {
		await createPatients(sb, vendor, ['dup', 'dup']);
		const start = await storeCount(sb, vendor, 'Patient');
		const e = await failure(runStore(sb, vendor, create('dup')));
		expect(e).toBeInstanceOf(NodeApiError);
		expect(e.httpCode).toBe('412');
		expect(e.message).toMatch(
			new RegExp(
				`^Create Patient if none exists \\(identifier=${MRN}\\|dup\\) failed: several Patient resources match identifier=${MRN}\\|dup, so it is not clear which one is meant; nothing was written`,
			),
		);
		expect(await storeCount(sb, vendor, 'Patient')).toBe(start);
	});
});

describe.each(vendorsWhere('conditional', false))(
	'%s (no conditional create declared)',
	(vendor) => {
		it('is refused before any request', async () => {
			const before = sb.app.requests.length;
			const e = await failure(runStore(sb, vendor, create('x')));
			expect(e.message).toBe(
				'This server does not support conditional create (If-None-Exist) on Patient: nothing was sent',
			);
			expect(dataRequestsSince(sb, before)).toEqual([]);
		});
	},
);

describe('a lost answer', () => {
	it('smart: repeated automatically (idempotent): the second attempt answers the patient the first created', async () => {
		const start = await storeCount(sb, 'smart', 'Patient');
		sb.app.faults.add({
			surface: 'smart',
			kind: 'reset',
			method: 'POST',
			pathContains: '/Patient',
		});
		const before = sb.app.requests.length;
		const [out] = await runStore(sb, 'smart', create('lost-1'));
		expect(out.json).toMatchObject({
			resourceType: 'Patient',
			identifier: [{ system: MRN, value: 'lost-1' }],
		});
		expect(
			dataRequestsSince(sb, before)
				.filter((r) => r.method === 'POST')
				.map((r) => r.fault ?? r.status),
		).toEqual(['reset', 200]);
		expect(await storeCount(sb, 'smart', 'Patient')).toBe(start + 1);
	});
});

describe('an empty search', () => {
	it('is refused before any request', async () => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, 'smart', { ...create('x'), condition: ' ' }));
		expect(e.message).toBe('No search given to find the existing resource');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});
