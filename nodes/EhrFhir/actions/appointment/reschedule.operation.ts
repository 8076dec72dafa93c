// Reschedule Appointment: FHIR = the Appointment moved to a new free Slot by an update (same id;
// the server takes the new Slot and frees the old one); eMedicalPractice = the new time booked
// first, the old appointment removed only once the new one exists (both named if that fails).
import type { INodeProperties } from 'n8n-workflow';
import {
	appointmentIdProperty,
	empPatientLocator,
	empRescheduleFields,
	slotIdProperty,
} from '../../descriptions/appointment';
import { schedulingOperation } from '../../helpers/scheduling';

export const description: INodeProperties[] = [
	empPatientLocator(
		['reschedule'],
		true,
		'The patient whose appointment moves (From List, or the pid)',
	),
	appointmentIdProperty(
		['reschedule'],
		'The appointment to move: its FHIR Appointment ID, or its eMedicalPractice ID (eid)',
	),
	slotIdProperty(
		'newSlotId',
		['reschedule'],
		'The free Slot to move the appointment to (its FHIR id, from Find Free Slots)',
	),
	...empRescheduleFields,
];

export const execute = schedulingOperation('reschedule');
