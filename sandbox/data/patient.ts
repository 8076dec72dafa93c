// One synthetic R4 Patient, generated from (seed, patient index) alone.
import { DAY, REF, YEAR, isoDate, isoSeconds } from './dates';
import { pad, patientId } from './ids';
import { pick, rngFor } from './rng';
import { FAMILY, GIVEN_FEMALE, GIVEN_MALE, PLACES, STREETS } from './tables';
import { MRN_SYSTEM, type FhirPatient } from './types';

/** PRNG streams of one patient: its own fields, its immunizations, its immunization count. */
export const STREAM_PATIENT = 1;
export const STREAM_IMMS = 2;
export const STREAM_COUNT = 3;

/**
 * The first draws of a patient's stream: gender and birth instant (midnight UTC), which its
 * immunizations also need, plus the generator positioned after them for the remaining fields.
 */
export function patientCore(
	seed: number,
	i: number,
): { r: () => number; gender: FhirPatient['gender']; birthMs: number } {
	const r = rngFor(seed, i, STREAM_PATIENT);
	const g = r();
	const gender: FhirPatient['gender'] = g < 0.49 ? 'female' : g < 0.98 ? 'male' : 'other';
	const ageYears = r() < 0.25 ? 1 + r() * 16 : 18 + r() * 72;
	const birthMs = Math.floor((REF - ageYears * YEAR) / DAY) * DAY;
	return { r, gender, birthMs };
}

/** The Patient at index `i` (id `pt-00001` for index 0). */
export function buildPatient(seed: number, i: number): FhirPatient {
	const { r, gender, birthMs } = patientCore(seed, i);
	const id = patientId(i + 1);
	const first = pick(
		r,
		gender === 'male'
			? GIVEN_MALE
			: gender === 'female'
				? GIVEN_FEMALE
				: r() < 0.5
					? GIVEN_MALE
					: GIVEN_FEMALE,
	);
	const middle = r() < 0.5 ? pick(r, gender === 'male' ? GIVEN_MALE : GIVEN_FEMALE) : undefined;
	const family = pick(r, FAMILY);
	const [city, state, postalCode] = pick(r, PLACES);
	const line = [`${100 + Math.floor(r() * 9800)} ${pick(r, STREETS)}`];
	if (r() < 0.2) line.push(`Apt ${1 + Math.floor(r() * 30)}${pick(r, ['A', 'B', 'C', 'D'])}`);
	const phone = `555-${pad(200 + Math.floor(r() * 800), 3)}-${pad(Math.floor(r() * 10000), 4)}`;
	const emailLocal = `${first}.${family}`
		.toLowerCase()
		.normalize('NFD')
		.replace(/[^a-z.]/g, '');
	const mrn = `MRN${1_000_000 + ((i * 7919 + (seed >>> 0)) % 9_000_000)}`;
	const lastUpdated = isoSeconds(REF - Math.floor(r() * 3 * 365 * DAY));
	return {
		resourceType: 'Patient',
		id,
		meta: { lastUpdated, versionId: '1' },
		identifier: [
			{
				use: 'usual',
				type: {
					coding: [
						{
							system: 'http://terminology.hl7.org/CodeSystem/v2-0203',
							code: 'MR',
							display: 'Medical record number',
						},
					],
					text: 'MRN',
				},
				system: MRN_SYSTEM,
				value: mrn,
			},
		],
		active: true,
		name: [{ use: 'official', family, given: middle ? [first, middle] : [first] }],
		telecom: [
			{ system: 'phone', value: phone, use: r() < 0.7 ? 'mobile' : 'home' },
			{ system: 'email', value: `${emailLocal}${i + 1}@example.com`, use: 'home' },
		],
		gender,
		birthDate: isoDate(birthMs),
		address: [{ use: 'home', line, city, state, postalCode, country: 'US' }],
	};
}
