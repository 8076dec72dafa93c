// EHR FHIR node, Patient → Patient Everything (`Patient/{id}/$everything`, every page), through
// the harness against the sandbox's FHIR stores: the patient, their immunizations and what was
// written for them, on the vendors that declare $everything; refused before any request on the
// others (eMedicalPractice, onpatient).
import type { Sandbox } from '../../../../sandbox/server';
import { byId, immunizationIds } from '../fixtures';
import { failure, useFhirSandbox } from '../helpers';
import { dataRequestsSince, runStore, seed, sentSince, vendorsWhere } from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

const EVERYTHING = { resource: 'patient', operation: 'everything' };

describe.each(vendorsWhere('everything'))('%s', (vendor) => {
	it('reads every page of the record: the patient, the immunizations and the seeded observations', async () => {
		const pid = 'pt-00007';
		const observations = await seed(sb, vendor, 150, pid);
		const before = sb.app.requests.length;
		const out = await runStore(sb, vendor, { ...EVERYTHING, patientId: byId(pid) });
		const keys = out.map((i) => `${String(i.json.resourceType)}/${String(i.json.id)}`);
		expect(keys.filter((k) => k.startsWith('Patient/'))).toEqual([`Patient/${pid}`]);
		expect(keys.filter((k) => k.startsWith('Immunization/')).sort()).toEqual(
			immunizationIds(sb, pid)
				.map((id) => `Immunization/${id}`)
				.sort(),
		);
		expect(keys.filter((k) => k.startsWith('Observation/')).sort()).toEqual(
			observations.map((id) => `Observation/${id}`).sort(),
		);
		expect(new Set(keys).size).toBe(keys.length);
		expect(dataRequestsSince(sb, before).length).toBeGreaterThan(2);
		const simple = await runStore(sb, vendor, {
			...EVERYTHING,
			patientId: byId(pid),
			simplify: true,
		});
		expect(simple.find((i) => i.json.resourceType === 'Patient')?.json).toMatchObject({
			id: pid,
			resourceType: 'Patient',
		});
	});
});

describe.each(['oneup-stu3', 'oneup-dstu2'] as const)(
	'%s (no CapabilityStatement on this path: the server is asked)',
	(vendor) => {
		it('reads every page: the patient and their immunizations', async () => {
			const out = await runStore(sb, vendor, { ...EVERYTHING, patientId: byId('pt-00007') });
			const keys = out.map((i) => `${String(i.json.resourceType)}/${String(i.json.id)}`);
			expect(keys.sort()).toEqual(
				[
					'Patient/pt-00007',
					...immunizationIds(sb, 'pt-00007').map((id) => `Immunization/${id}`),
				].sort(),
			);
		});
	},
);

describe.each([...vendorsWhere('everything', false), 'onpatient' as const])('%s', (vendor) => {
	it('is refused before any request', async () => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, vendor, { ...EVERYTHING, patientId: byId('pt-00001') }));
		expect(e.message).toBe(
			'This server does not support the $everything operation on Patient: nothing was sent',
		);
		expect(vendor === 'onpatient' ? sentSince(sb, before) : dataRequestsSince(sb, before)).toEqual(
			[],
		);
	});
});
