// toVersion: an R4 resource of the data set rendered as STU3 or DSTU2.
import type { FhirImmunization, FhirPatient, FhirResource, FhirVersion } from './types';

const V2_0203_OLD = 'http://hl7.org/fhir/v2/0203';
const V2_0443_OLD = 'http://hl7.org/fhir/v2/0443';
const ACT_REASON_OLD = 'http://hl7.org/fhir/v3/ActReason';

/** A resource in some FHIR version: a plain object that keeps the R4 resourceType and id. */
export type Versioned<T extends FhirResource> = Record<string, unknown> & {
	resourceType: T['resourceType'];
	id: string;
};

/**
 * Renders an R4 resource in another FHIR version (a new object; R4 returns the input).
 * Immunization STU3: `date`, `notGiven`, `primarySource`, `practitioner[]`, `explanation`,
 * status completed | entered-in-error. DSTU2: `date`, `wasNotGiven`, `reported`,
 * `performer` (one Reference), `explanation`. Patient: code systems renamed to the old URIs.
 */
export function toVersion<T extends FhirResource>(resource: T, version: FhirVersion): Versioned<T> {
	if (version === 'r4') return resource as unknown as Versioned<T>;
	if (resource.resourceType === 'Patient') {
		const p = resource as FhirPatient;
		return {
			...p,
			identifier: p.identifier.map((idf) => ({
				...idf,
				type: idf.type && {
					...idf.type,
					coding: idf.type.coding?.map((c) => ({ ...c, system: V2_0203_OLD })),
				},
			})),
		} as unknown as Versioned<T>;
	}
	const imm = resource as FhirImmunization;
	const notGiven = imm.status === 'not-done';
	const reasonNotGiven = imm.statusReason
		? [{ coding: imm.statusReason.coding?.map((c) => ({ ...c, system: ACT_REASON_OLD })) }]
		: undefined;
	const common = {
		resourceType: 'Immunization',
		id: imm.id,
		meta: imm.meta,
		status: imm.status === 'entered-in-error' ? 'entered-in-error' : 'completed',
	};
	if (version === 'stu3') {
		const out: Record<string, unknown> = {
			...common,
			notGiven,
			vaccineCode: imm.vaccineCode,
			patient: imm.patient,
			date: imm.occurrenceDateTime,
			primarySource: imm.primarySource,
			...(imm.reportOrigin
				? {
						reportOrigin: {
							coding: [{ system: 'http://hl7.org/fhir/immunization-origin', code: 'record' }],
						},
					}
				: {}),
			manufacturer: imm.manufacturer,
			lotNumber: imm.lotNumber,
			expirationDate: imm.expirationDate,
			practitioner: imm.performer.map((p) => ({
				role: { coding: [{ system: V2_0443_OLD, code: 'AP', display: 'Administering Provider' }] },
				actor: p.actor,
			})),
		};
		if (reasonNotGiven) out.explanation = { reasonNotGiven };
		return out as Versioned<T>;
	}
	const out: Record<string, unknown> = {
		...common,
		date: imm.occurrenceDateTime,
		vaccineCode: imm.vaccineCode,
		patient: imm.patient,
		wasNotGiven: notGiven,
		reported: !imm.primarySource,
		performer: imm.performer[0]?.actor,
		manufacturer: imm.manufacturer,
		lotNumber: imm.lotNumber,
		expirationDate: imm.expirationDate,
	};
	if (reasonNotGiven) out.explanation = { reasonNotGiven };
	return out as Versioned<T>;
}
