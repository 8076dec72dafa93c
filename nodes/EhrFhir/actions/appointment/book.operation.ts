// Book Appointment: FHIR = a conditional create of an Appointment in a free Slot (a retry finds
// the first booking); eMedicalPractice = one POST to the Standard API, the provider's day checked
// first, a lost answer settled by reading the patient's appointments (helpers/scheduling).
import type { INodeProperties } from 'n8n-workflow';
import {
	empBookFields,
	empPatientLocator,
	fhirPatient,
	slotIdProperty,
} from '../../descriptions/appointment';
import { schedulingOperation } from '../../helpers/scheduling';

export const description: INodeProperties[] = [
	slotIdProperty(
		'slotId',
		['book'],
		'The free Slot to book (its FHIR id, e.g. {{ $json.id }} after Find Free Slots); start, end and practitioner come from the Slot and its Schedule',
	),
	...fhirPatient,
	empPatientLocator(
		['book'],
		true,
		'The patient to book the appointment for (From List, or the pid)',
	),
	...empBookFields,
];

export const execute = schedulingOperation('book');
