// Cancel Appointment: FHIR = status cancelled (JSON Patch where declared, else an update with
// If-Match; the server frees the Slot); eMedicalPractice = DELETE of the appointment (its Standard
// API has no status update), sent once.
import type { INodeProperties } from 'n8n-workflow';
import { appointmentIdProperty, empPatientLocator } from '../../descriptions/appointment';
import { schedulingOperation } from '../../helpers/scheduling';

export const description: INodeProperties[] = [
	empPatientLocator(
		['cancel'],
		true,
		'The patient whose appointment is cancelled (From List, or the pid)',
	),
	appointmentIdProperty(
		['cancel'],
		'The appointment to cancel: its FHIR Appointment ID, or its eMedicalPractice ID (eid), e.g. {{ $json.id }} after Book Appointment',
	),
];

export const execute = schedulingOperation('cancel');
