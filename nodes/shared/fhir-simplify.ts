// "Simplify" views of the clinical resources a workflow maps most (R4): AllergyIntolerance,
// Condition, MedicationRequest, Observation (value with its unit), Encounter and Appointment, plus
// the Patient and Immunization views of ./fhir. Any other type is returned as it is.
import type { IDataObject } from 'n8n-workflow';
import { idFromReference, simplifyImmunization, simplifyPatient } from './fhir';
import { isRecord, str } from './values';

type R = Record<string, unknown>;

function rec(v: unknown): R {
	return isRecord(v) ? v : {};
}
function list(v: unknown): R[] {
	return (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter(isRecord);
}

/** The text of a CodeableConcept: its text, else the first coding's display, else its code. */
function conceptText(v: unknown): string | null {
	const c = rec(v);
	const coding = list(c.coding)[0];
	return str(c.text) ?? str(coding?.display) ?? str(coding?.code) ?? null;
}
function conceptCode(v: unknown): string | null {
	return str(list(rec(v).coding)[0]?.code) ?? null;
}
/** The first code of a CodeableConcept list (`category`, `reasonCode`). */
function firstText(v: unknown): string | null {
	return conceptText(list(v)[0]);
}
function refId(v: unknown, type = 'Patient'): string | null {
	return idFromReference(rec(v).reference, type) ?? null;
}
function refText(v: unknown): string | null {
	const r = rec(v);
	return str(r.display) ?? str(r.reference) ?? null;
}
function status(v: unknown): string | null {
	const c = rec(v);
	return str(v) ?? str(list(c.coding)[0]?.code) ?? null;
}

/** An Observation's value as one field (with its unit for a Quantity). */
function observationValue(o: R): { value: IDataObject[string]; unit: string | null } {
	const q = rec(o.valueQuantity);
	if (o.valueQuantity !== undefined)
		return {
			value: (q.value as number | undefined) ?? null,
			unit: str(q.unit) ?? str(q.code) ?? null,
		};
	if (o.valueCodeableConcept !== undefined)
		return { value: conceptText(o.valueCodeableConcept), unit: null };
	for (const k of [
		'valueString',
		'valueBoolean',
		'valueInteger',
		'valueDateTime',
		'valueTime',
		'valuePeriod',
		'valueRange',
		'valueRatio',
	]) {
		if (o[k] !== undefined) return { value: o[k] as IDataObject[string], unit: null };
	}
	return { value: null, unit: null };
}

function components(o: R): IDataObject[] {
	return list(o.component).map((c) => ({
		code: conceptCode(c.code),
		name: conceptText(c.code),
		...observationValue(c),
	}));
}

const SIMPLIFIERS: Record<string, (r: R) => IDataObject> = {
	Patient: (r) => simplifyPatient(r),
	Immunization: (r) => simplifyImmunization(r),
	AllergyIntolerance: (r) => ({
		id: str(r.id) ?? null,
		code: conceptCode(r.code),
		substance: conceptText(r.code),
		clinicalStatus: status(r.clinicalStatus),
		verificationStatus: status(r.verificationStatus),
		category: Array.isArray(r.category)
			? r.category.map(String).join(', ')
			: (str(r.category) ?? null),
		criticality: str(r.criticality) ?? null,
		reaction:
			list(r.reaction)
				.flatMap((x) => list(x.manifestation).map(conceptText))
				.filter(Boolean)
				.join(', ') || null,
		recordedDate: str(r.recordedDate) ?? null,
		patientId: refId(r.patient),
	}),
	Condition: (r) => ({
		id: str(r.id) ?? null,
		code: conceptCode(r.code),
		name: conceptText(r.code),
		clinicalStatus: status(r.clinicalStatus),
		verificationStatus: status(r.verificationStatus),
		category: firstText(r.category),
		onset: str(r.onsetDateTime) ?? str(r.onsetString) ?? null,
		abatement: str(r.abatementDateTime) ?? str(r.abatementString) ?? null,
		recordedDate: str(r.recordedDate) ?? null,
		patientId: refId(r.subject),
	}),
	MedicationRequest: (r) => ({
		id: str(r.id) ?? null,
		status: str(r.status) ?? null,
		intent: str(r.intent) ?? null,
		medicationCode: conceptCode(r.medicationCodeableConcept),
		medication: conceptText(r.medicationCodeableConcept) ?? refText(r.medicationReference),
		dosage: str(list(r.dosageInstruction)[0]?.text) ?? null,
		authoredOn: str(r.authoredOn) ?? null,
		requester: refText(r.requester),
		patientId: refId(r.subject),
	}),
	Observation: (r) => ({
		id: str(r.id) ?? null,
		status: str(r.status) ?? null,
		category: firstText(r.category),
		code: conceptCode(r.code),
		name: conceptText(r.code),
		...observationValue(r),
		...(r.component !== undefined ? { components: components(r) } : {}),
		interpretation: firstText(r.interpretation),
		effective:
			str(r.effectiveDateTime) ??
			str(rec(r.effectivePeriod).start) ??
			str(r.effectiveInstant) ??
			null,
		issued: str(r.issued) ?? null,
		patientId: refId(r.subject),
	}),
	Encounter: (r) => ({
		id: str(r.id) ?? null,
		status: str(r.status) ?? null,
		class: str(rec(r.class).code) ?? str(rec(r.class).display) ?? null,
		type: firstText(r.type),
		reason: firstText(r.reasonCode),
		start: str(rec(r.period).start) ?? null,
		end: str(rec(r.period).end) ?? null,
		location: refText(list(r.location)[0]?.location),
		practitioner: refText(list(r.participant)[0]?.individual),
		patientId: refId(r.subject),
	}),
	Appointment: (r) => {
		const actors = list(r.participant).map((p) => rec(p.actor));
		return {
			id: str(r.id) ?? null,
			status: str(r.status) ?? null,
			type: conceptText(r.appointmentType),
			serviceType: firstText(r.serviceType),
			description: str(r.description) ?? null,
			start: str(r.start) ?? null,
			end: str(r.end) ?? null,
			minutesDuration: typeof r.minutesDuration === 'number' ? r.minutesDuration : null,
			patientId: refId(actors.find((a) => /(?:^|\/)Patient\//.test(String(a.reference ?? '')))),
			practitioner:
				actors
					.filter((a) => /Practitioner\//.test(String(a.reference ?? '')))
					.map((a) => str(a.display) ?? str(a.reference))[0] ?? null,
		};
	},
};

/** True when the type has a Simplify view. */
export function canSimplify(type: string): boolean {
	return type in SIMPLIFIERS;
}

/** The Simplify view of a resource of any type (unchanged when its type has none). */
export function simplifyResource(resource: unknown): IDataObject {
	const r = rec(resource);
	const simplify = SIMPLIFIERS[String(r.resourceType)];
	return simplify ? { resourceType: r.resourceType as string, ...simplify(r) } : (r as IDataObject);
}
