// Simplify views of the clinical resources (nodes/shared/fhir-simplify.ts): the flat fields of
// AllergyIntolerance, Condition, MedicationRequest, Observation (Quantity with its unit, a coded
// value, components), Encounter and Appointment; Patient and Immunization through their own
// views; any other type unchanged.
import { canSimplify, simplifyResource } from '../../nodes/shared/fhir-simplify';
import { simplifyImmunization, simplifyPatient } from '../../nodes/shared/fhir';

const code = (system: string, c: string, display: string, text?: string) => ({
	coding: [{ system, code: c, display }],
	...(text ? { text } : {}),
});
const status = (c: string) => ({ coding: [{ code: c }] });

describe('simplifyResource', () => {
	it('AllergyIntolerance', () => {
		expect(
			simplifyResource({
				resourceType: 'AllergyIntolerance',
				id: 'a1',
				clinicalStatus: status('active'),
				verificationStatus: status('confirmed'),
				category: ['food'],
				criticality: 'high',
				code: code('http://snomed.info/sct', '91935009', 'Peanut allergy', 'Peanuts'),
				reaction: [
					{
						manifestation: [
							code('http://snomed.info/sct', '39579001', 'Anaphylaxis'),
							{ text: 'Hives' },
						],
					},
				],
				recordedDate: '2024-01-02',
				patient: { reference: 'Patient/p1' },
			}),
		).toEqual({
			resourceType: 'AllergyIntolerance',
			id: 'a1',
			code: '91935009',
			substance: 'Peanuts',
			clinicalStatus: 'active',
			verificationStatus: 'confirmed',
			category: 'food',
			criticality: 'high',
			reaction: 'Anaphylaxis, Hives',
			recordedDate: '2024-01-02',
			patientId: 'p1',
		});
	});

	it('Condition', () => {
		expect(
			simplifyResource({
				resourceType: 'Condition',
				id: 'c1',
				clinicalStatus: status('active'),
				category: [
					code(
						'http://terminology.hl7.org/CodeSystem/condition-category',
						'problem-list-item',
						'Problem List Item',
					),
				],
				code: code('http://snomed.info/sct', '38341003', 'Hypertensive disorder'),
				onsetDateTime: '2020-05-01',
				subject: { reference: 'https://fhir.example/Patient/p2' },
			}),
		).toEqual({
			resourceType: 'Condition',
			id: 'c1',
			code: '38341003',
			name: 'Hypertensive disorder',
			clinicalStatus: 'active',
			verificationStatus: null,
			category: 'Problem List Item',
			onset: '2020-05-01',
			abatement: null,
			recordedDate: null,
			patientId: 'p2',
		});
	});

	it('MedicationRequest', () => {
		expect(
			simplifyResource({
				resourceType: 'MedicationRequest',
				id: 'm1',
				status: 'active',
				intent: 'order',
				medicationCodeableConcept: code(
					'http://www.nlm.nih.gov/research/umls/rxnorm',
					'197361',
					'Amlodipine 5 MG Oral Tablet',
				),
				dosageInstruction: [{ text: '1 tablet daily' }],
				authoredOn: '2024-02-03',
				requester: { display: 'Dr. Who' },
				subject: { reference: 'Patient/p3' },
			}),
		).toEqual({
			resourceType: 'MedicationRequest',
			id: 'm1',
			status: 'active',
			intent: 'order',
			medicationCode: '197361',
			medication: 'Amlodipine 5 MG Oral Tablet',
			dosage: '1 tablet daily',
			authoredOn: '2024-02-03',
			requester: 'Dr. Who',
			patientId: 'p3',
		});
	});

	it('Observation: a Quantity with its unit, a coded value, components', () => {
		const base = {
			resourceType: 'Observation',
			id: 'o1',
			status: 'final',
			code: code('http://loinc.org', '8867-4', 'Heart rate'),
			subject: { reference: 'Patient/p1' },
			effectiveDateTime: '2024-05-01T10:00:00Z',
		};
		expect(
			simplifyResource({
				...base,
				valueQuantity: { value: 72, unit: 'beats/minute', code: '/min' },
			}),
		).toMatchObject({
			code: '8867-4',
			name: 'Heart rate',
			value: 72,
			unit: 'beats/minute',
			effective: '2024-05-01T10:00:00Z',
			patientId: 'p1',
		});
		expect(simplifyResource({ ...base, valueCodeableConcept: { text: 'Positive' } })).toMatchObject(
			{ value: 'Positive', unit: null },
		);
		const bp = simplifyResource({
			...base,
			code: code('http://loinc.org', '85354-9', 'Blood pressure'),
			component: [
				{
					code: code('http://loinc.org', '8480-6', 'Systolic'),
					valueQuantity: { value: 120, unit: 'mm[Hg]' },
				},
				{
					code: code('http://loinc.org', '8462-4', 'Diastolic'),
					valueQuantity: { value: 80, unit: 'mm[Hg]' },
				},
			],
		});
		expect(bp).toMatchObject({
			value: null,
			components: [
				{ code: '8480-6', name: 'Systolic', value: 120, unit: 'mm[Hg]' },
				{ code: '8462-4', name: 'Diastolic', value: 80, unit: 'mm[Hg]' },
			],
		});
	});

	it('Encounter and Appointment', () => {
		expect(
			simplifyResource({
				resourceType: 'Encounter',
				id: 'e1',
				status: 'finished',
				class: { code: 'AMB' },
				type: [{ text: 'Checkup' }],
				reasonCode: [{ text: 'Cough' }],
				period: { start: '2024-01-01T09:00:00Z', end: '2024-01-01T09:30:00Z' },
				location: [{ location: { display: 'Room 1' } }],
				participant: [{ individual: { reference: 'Practitioner/d1', display: 'Dr. A' } }],
				subject: { reference: 'Patient/p1' },
			}),
		).toEqual({
			resourceType: 'Encounter',
			id: 'e1',
			status: 'finished',
			class: 'AMB',
			type: 'Checkup',
			reason: 'Cough',
			start: '2024-01-01T09:00:00Z',
			end: '2024-01-01T09:30:00Z',
			location: 'Room 1',
			practitioner: 'Dr. A',
			patientId: 'p1',
		});
		expect(
			simplifyResource({
				resourceType: 'Appointment',
				id: 'ap1',
				status: 'booked',
				serviceType: [{ text: 'General practice' }],
				start: '2024-06-01T10:00:00Z',
				end: '2024-06-01T10:15:00Z',
				minutesDuration: 15,
				participant: [
					{ actor: { reference: 'Practitioner/d1', display: 'Dr. A' } },
					{ actor: { reference: 'Patient/p1' } },
				],
			}),
		).toEqual({
			resourceType: 'Appointment',
			id: 'ap1',
			status: 'booked',
			type: null,
			serviceType: 'General practice',
			description: null,
			start: '2024-06-01T10:00:00Z',
			end: '2024-06-01T10:15:00Z',
			minutesDuration: 15,
			patientId: 'p1',
			practitioner: 'Dr. A',
		});
	});

	it('Patient and Immunization through their own views; other types unchanged', () => {
		const p = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Lee', given: ['Ann'] }] };
		expect(simplifyResource(p)).toEqual({ resourceType: 'Patient', ...simplifyPatient(p) });
		const i = {
			resourceType: 'Immunization',
			id: 'i1',
			status: 'completed',
			vaccineCode: { text: 'Flu' },
		};
		expect(simplifyResource(i)).toEqual({
			resourceType: 'Immunization',
			...simplifyImmunization(i),
		});
		const other = { resourceType: 'Basic', id: 'b1', code: { text: 'x' } };
		expect(simplifyResource(other)).toBe(other);
		expect(['Observation', 'Basic'].map(canSimplify)).toEqual([true, false]);
	});
});
