// Get Many Appointments: FHIR `Appointment?patient=&actor=&date=&status=` (all pages up to the
// limit); eMedicalPractice the patient's (or every) appointment, filtered by provider and days.
import type { INodeProperties } from 'n8n-workflow';
import { listFilters } from '../../descriptions/appointment';
import { schedulingOperation } from '../../helpers/scheduling';

export const description: INodeProperties[] = listFilters;

export const execute = schedulingOperation('list');
