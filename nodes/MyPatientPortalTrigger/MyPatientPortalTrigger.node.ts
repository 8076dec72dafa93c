// MyPatientPortal Trigger: starts a workflow when the connected patient's appointments change
// (booked, cancelled, rescheduled, status changed) or an earlier slot opens for an appointment on
// the ASAP list, by polling the portal API and comparing with a snapshot (helpers/poll.ts).
import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { EVENTS, pollAppointments } from './helpers/poll';

/** one main output (two lint rules disagree on how to spell it inline) */
const MAIN_ONLY = [NodeConnectionTypes.Main];

export class MyPatientPortalTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MyPatientPortal Trigger',
		name: 'myPatientPortalTrigger',
		icon: {
			light: 'file:myPatientPortalTrigger.svg',
			dark: 'file:myPatientPortalTrigger.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		documentationUrl: 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#mypatientportal-trigger',
		subtitle: '={{ ($parameter["events"] || []).length + " appointment event(s)" }}',
		description:
			"Starts the workflow when the patient's appointments are booked, cancelled, moved or change status, or an earlier slot opens",
		defaults: { name: 'MyPatientPortal Trigger' },
		polling: true,
		inputs: [],
		outputs: MAIN_ONLY,
		credentials: [{ name: 'myPatientPortalOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{
						name: 'Appointment Booked',
						value: EVENTS.booked,
						description: 'A new appointment appears in the list',
					},
					{
						name: 'Appointment Cancelled',
						value: EVENTS.cancelled,
						description: 'An appointment was cancelled (by the patient or the practice)',
					},
					{
						name: 'Appointment Rescheduled',
						value: EVENTS.rescheduled,
						description: 'The start time of an appointment changed',
					},
					{
						name: 'Appointment Status Changed',
						value: EVENTS.statusChanged,
						description: 'The status changed to anything but cancelled (e.g. confirmed)',
					},
					{
						name: 'Earlier Availability Found',
						value: EVENTS.earlier,
						description:
							'For appointments on the ASAP list: the portal offers an earlier slot (each slot once)',
					},
				],
				default: [EVENTS.booked, EVENTS.cancelled, EVENTS.rescheduled, EVENTS.statusChanged],
				description: 'The changes that start the workflow',
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollAppointments.call(this);
	}
}
