// nodes/shared/fhir.ts (simplify, references, local filters) and nodes/shared/vendors.ts.
import { NodeOperationError } from 'n8n-workflow';
import { createDataset, toVersion } from '../../sandbox/data';
import {
	PATIENT_URL_REGEX,
	idFromReference,
	immunizationMatches,
	simplifyImmunization,
	simplifyPatient,
} from '../../nodes/shared/fhir';
import { parseDate } from '../../nodes/shared/values';
import { getVendorProfile, FHIR_CREDENTIAL_TYPES } from '../../nodes/shared/vendors';

const ds = createDataset({ seed: 7, patients: 3 });

describe('simplifyPatient', () => {
	it('reads R4, STU3 and DSTU2 alike', () => {
		const p = ds.patient('pt-00001')!;
		for (const v of ['r4', 'stu3', 'dstu2'] as const) {
			expect(simplifyPatient(toVersion(p, v))).toEqual({
				id: 'pt-00001',
				givenName: p.name[0].given.join(' '),
				familyName: p.name[0].family,
				birthDate: p.birthDate,
				gender: p.gender,
				phone: p.telecom.find((t) => t.system === 'phone')!.value,
				email: p.telecom.find((t) => t.system === 'email')!.value,
				addressLines: p.address[0].line,
				city: p.address[0].city,
				postalCode: p.address[0].postalCode,
				mrn: p.identifier[0].value,
				identifiers: [{ system: p.identifier[0].system, value: p.identifier[0].value }],
			});
		}
	});

	it('copes with a sparse Patient and prefers the official name and an MR identifier', () => {
		expect(
			simplifyPatient({
				resourceType: 'Patient',
				id: 'x',
				name: [
					{ use: 'nickname', given: ['Bob'] },
					{ use: 'official', family: 'Smith', given: ['Robert', 'J'] },
				],
				identifier: [
					{ system: 'urn:ssn', value: '1' },
					{ type: { coding: [{ code: 'MR' }] }, value: 'M-9' },
				],
			}),
		).toEqual({
			id: 'x',
			givenName: 'Robert J',
			familyName: 'Smith',
			birthDate: null,
			gender: null,
			phone: null,
			email: null,
			addressLines: [],
			city: null,
			postalCode: null,
			mrn: 'M-9',
			identifiers: [
				{ system: 'urn:ssn', value: '1' },
				{ system: null, value: 'M-9' },
			],
		});
	});
});

describe('simplifyImmunization', () => {
	it('reads R4, STU3 and DSTU2 alike (date, performer, not-done)', () => {
		const imms = ds.immunizations('pt-00002');
		const notDone = imms.find((i) => i.status === 'not-done') ?? imms[0];
		for (const imm of [imms[0], notDone]) {
			const want = {
				id: imm.id,
				vaccineCode: imm.vaccineCode.coding[0].code,
				vaccineName: imm.vaccineCode.text,
				date: imm.occurrenceDateTime,
				status: imm.status,
				lotNumber: imm.lotNumber,
				performer: imm.performer[0].actor.display,
				patientId: 'pt-00002',
			};
			expect(simplifyImmunization(imm)).toEqual(want);
			expect(simplifyImmunization(toVersion(imm, 'stu3'))).toEqual(want);
			expect(simplifyImmunization(toVersion(imm, 'dstu2'))).toEqual(want);
		}
	});
});

describe('helpers', () => {
	it('idFromReference', () => {
		expect(idFromReference('Patient/pt-1')).toBe('pt-1');
		expect(idFromReference('https://h/fhir/Patient/pt-1/_history/3')).toBe('pt-1');
		expect(idFromReference('pt-1')).toBe('pt-1');
		expect(idFromReference('Group/1')).toBeUndefined();
	});

	it('PATIENT_URL_REGEX takes the id from a FHIR URL only', () => {
		const re = new RegExp(PATIENT_URL_REGEX);
		expect(re.exec('https://fhir.example.org/r4/Patient/123')?.[1]).toBe('123');
		expect(re.exec('https://x/emp/fhir/r4/patient/pt-00002/_history/1')?.[1]).toBe('pt-00002');
		expect(re.exec('https://x/fhir/Patient/abc?_format=json')?.[1]).toBe('abc');
		expect(re.exec('https://x/fhir/Observation/1')).toBeNull();
		expect(re.exec('Patient/1')).toBeNull();
	});

	it('parseDate days and the local filter (inclusive whole days, UTC)', () => {
		expect(parseDate('2024-03-05T00:00:00')?.day).toBe('2024-03-05');
		expect(parseDate('')).toBeUndefined();
		const imm = {
			resourceType: 'Immunization',
			status: 'completed',
			occurrenceDateTime: '2020-05-31T23:59:00Z',
		};
		expect(immunizationMatches(imm, { from: '2020-05-31', to: '2020-05-31' })).toBe(true);
		expect(immunizationMatches(imm, { from: '2020-06-01' })).toBe(false);
		expect(immunizationMatches(imm, { to: '2020-05-30' })).toBe(false);
		expect(immunizationMatches(imm, { statuses: ['not-done'] })).toBe(false);
		expect(
			immunizationMatches(
				{ ...imm, status: 'completed', notGiven: true },
				{ statuses: ['not-done'] },
			),
		).toBe(true);
	});
});

describe('vendor profiles', () => {
	it('one profile per FHIR credential type, base URLs from the credential fields', () => {
		expect(FHIR_CREDENTIAL_TYPES).toEqual([
			'onpatientOAuth2Api',
			'oneUpHealthApi',
			'eMedicalPracticeOAuth2Api',
			'smartOnFhirOAuth2Api',
			'smartBackendServicesApi',
		]);
		expect(
			getVendorProfile('onpatientOAuth2Api', { apiHost: 'https://drchrono.com/' }).fhirBaseUrl,
		).toBe('https://drchrono.com/onpatient_api/fhir');
		const up = getVendorProfile('oneUpHealthApi', {
			apiHost: 'https://api.1up.health',
			fhirVersion: 'stu3',
		});
		expect([up.fhirBaseUrl, up.fhirVersion, up.pageSizeParam, up.maxPageSize]).toEqual([
			'https://api.1up.health/stu3',
			'stu3',
			'_count',
			100,
		]);
		const emp = getVendorProfile('eMedicalPracticeOAuth2Api', {
			serverUrl: 'https://e.example:8443',
		});
		expect([emp.fhirBaseUrl, emp.pageSizeParam, emp.immunizations.dateFilter]).toEqual([
			'https://e.example:8443/fhir/r4',
			undefined,
			false,
		]);
		expect(
			getVendorProfile('smartBackendServicesApi', { fhirBaseUrl: 'https://s/fhir/' }).fhirBaseUrl,
		).toBe('https://s/fhir');
		expect(getVendorProfile('onpatientOAuth2Api', { apiHost: 'https://d' }).pageSizeParam).toBe(
			'page-size',
		);
	});

	it('a credential without a usable URL gives a NodeOperationError that says what to fix', () => {
		expect(() => getVendorProfile('smartOnFhirOAuth2Api', { fhirBaseUrl: '' })).toThrow(
			NodeOperationError,
		);
		expect(() => getVendorProfile('smartOnFhirOAuth2Api', { fhirBaseUrl: '' })).toThrow(
			'The credential (smartOnFhirOAuth2Api) has no FHIR base URL: open the credential and fill it in',
		);
		expect(() => getVendorProfile('eMedicalPracticeOAuth2Api', { serverUrl: 'ftp://x' })).toThrow(
			'The credential (eMedicalPracticeOAuth2Api): server URL must use https:// (plain http is only allowed for 127.0.0.1, localhost or [::1]); got "ftp://x".',
		);
	});

	it('plain http is refused except on loopback, before any request', () => {
		expect(() =>
			getVendorProfile('eMedicalPracticeOAuth2Api', { serverUrl: 'http://emr.example.com:8443' }),
		).toThrow(
			'The credential (eMedicalPracticeOAuth2Api): server URL must use https:// (plain http is only allowed for 127.0.0.1, localhost or [::1]); got "http://emr.example.com:8443".',
		);
		expect(
			getVendorProfile('smartOnFhirOAuth2Api', { fhirBaseUrl: 'http://127.0.0.1:4010/smart/fhir' })
				.fhirBaseUrl,
		).toBe('http://127.0.0.1:4010/smart/fhir');
		expect(
			getVendorProfile('smartOnFhirOAuth2Api', { fhirBaseUrl: 'http://localhost:4010/smart/fhir/' })
				.fhirBaseUrl,
		).toBe('http://localhost:4010/smart/fhir');
		expect(() =>
			getVendorProfile('smartOnFhirOAuth2Api', { fhirBaseUrl: 'https://user:pw@s.example/fhir' }),
		).toThrow('must not contain a user name or password');
	});
});
