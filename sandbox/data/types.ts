// Types of the synthetic data set: the R4 resources it generates, its options and its API.

export type FhirVersion = 'r4' | 'stu3' | 'dstu2';
export type ResourceType = 'Patient' | 'Immunization';

export const MRN_SYSTEM = 'https://ehr-sandbox.example.org/fhir/sid/mrn';
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';
export const MVX_SYSTEM = 'http://hl7.org/fhir/sid/mvx';

export interface Coding {
	system?: string;
	code?: string;
	display?: string;
}
export interface CodeableConcept {
	coding?: Coding[];
	text?: string;
}
export interface Reference {
	reference?: string;
	display?: string;
}
export interface Meta {
	lastUpdated: string;
	versionId?: string;
}

export interface FhirPatient {
	resourceType: 'Patient';
	id: string;
	meta: Meta;
	identifier: Array<{ use?: string; type?: CodeableConcept; system: string; value: string }>;
	active: boolean;
	name: Array<{ use: string; family: string; given: string[] }>;
	telecom: Array<{ system: 'phone' | 'email'; value: string; use?: string }>;
	gender: 'male' | 'female' | 'other' | 'unknown';
	birthDate: string;
	address: Array<{
		use: string;
		line: string[];
		city: string;
		state: string;
		postalCode: string;
		country: string;
	}>;
}

export interface FhirImmunization {
	resourceType: 'Immunization';
	id: string;
	meta: Meta;
	status: 'completed' | 'not-done' | 'entered-in-error';
	statusReason?: CodeableConcept;
	/** always one CVX coding plus text */
	vaccineCode: { coding: Array<{ system: string; code: string; display: string }>; text: string };
	patient: Reference;
	occurrenceDateTime: string;
	recorded: string;
	primarySource: boolean;
	reportOrigin?: CodeableConcept;
	manufacturer: Reference;
	lotNumber: string;
	expirationDate: string;
	performer: Array<{ function?: CodeableConcept; actor: Reference }>;
}

export type FhirResource = FhirPatient | FhirImmunization;

export interface DatasetOptions {
	/** PRNG seed (default 42) */
	seed?: number;
	/** number of patients (default 50) */
	patients?: number;
	/** patient id → exact number of immunizations (e.g. { 'pt-00001': 10000 } for benchmarks) */
	heavyPatients?: Record<string, number>;
	/** [min, max] immunizations per ordinary patient (default [3, 15]) */
	immunizationsPerPatient?: [number, number];
}

export interface IterateOptions {
	/** only resources whose meta.lastUpdated is at or after this instant */
	since?: Date;
	/** only these patients (and their immunizations), in the given order; unknown ids are skipped */
	patientIds?: string[];
}

export interface Dataset {
	readonly seed: number;
	readonly patientCount: number;
	/** every patient id, in order (materialises the id list; use iterate() for huge sets) */
	patientIds(): string[];
	/** `pt-00001` for index 0 */
	patientIdAt(index: number): string;
	/** index of a patient id, or -1 */
	indexOf(patientId: string): number;
	patient(id: string): FhirPatient | undefined;
	patientAt(index: number): FhirPatient;
	/** R4 Immunizations of one patient, sorted by occurrenceDateTime then id ([] for unknown ids) */
	immunizations(patientId: string): FhirImmunization[];
	/** number of immunizations of one patient, without generating them (0 for unknown ids) */
	immunizationCount(patientId: string): number;
	/** one immunization by id (`imm-00001-003`), or undefined */
	immunization(id: string): FhirImmunization | undefined;
	/** total number of resources of a type (cheap: no resource is generated) */
	count(type: ResourceType): number;
	/** lazy stream of resources, one at a time, patient by patient */
	iterate(type: 'Patient', opts?: IterateOptions): Generator<FhirPatient>;
	iterate(type: 'Immunization', opts?: IterateOptions): Generator<FhirImmunization>;
	iterate(type: ResourceType, opts?: IterateOptions): Generator<FhirResource>;
}
