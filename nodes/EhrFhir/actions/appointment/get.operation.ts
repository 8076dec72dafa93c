// Get Appointment: one appointment by ID (FHIR Appointment, or eMedicalPractice's by eid).
import type { INodeProperties } from 'n8n-workflow';
import { appointmentIdProperty, empPatientLocator } from '../../descriptions/appointment';
import { schedulingOperation } from '../../helpers/scheduling';

export const description: INodeProperties[] = [
	appointmentIdProperty(
		['get'],
		'The appointment: its FHIR Appointment ID, or its eMedicalPractice ID (eid)',
	),
	empPatientLocator(
		['get'],
		false,
		'The patient the appointment belongs to (optional: reads it through the patient)',
	),
];

export const execute = schedulingOperation('get');
