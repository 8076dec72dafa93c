// Property blocks several MyPatientPortal operations show: the appointment id, the
// insurance → category → type dropdowns and the Search From/To window.
import type { INodeProperties } from 'n8n-workflow';

export function appointmentIdField(
	operations: string[],
	description = 'The ID of the appointment, as returned by Book Appointment or List Appointments',
): INodeProperties {
	return {
		displayName: 'Appointment ID',
		name: 'appointmentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. xbCuVVTNU6rT6E5m8p6Y8h7opzfo',
		description,
		displayOptions: { show: { operation: operations } },
	};
}

/** insurance → category → type dropdowns, each depending on the ones above it */
export function bookingChoiceFields(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName: 'Insurance Name or ID',
			name: 'insuranceId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getInsurances' },
			// IDs from expressions (a webhook's body) are not checked against the loaded list
			allowArbitraryValues: true,
			required: true,
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: show,
		},
		{
			displayName: 'Appointment Category Name or ID',
			name: 'appointmentCategoryId',
			type: 'options',
			typeOptions: {
				loadOptionsMethod: 'getAppointmentCategories',
				loadOptionsDependsOn: ['insuranceId'],
			},
			// IDs from expressions (a webhook's body) are not checked against the loaded list
			allowArbitraryValues: true,
			required: true,
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: show,
		},
		{
			displayName: 'Appointment Type Name or ID',
			name: 'appointmentTypeId',
			type: 'options',
			typeOptions: {
				loadOptionsMethod: 'getAppointmentTypes',
				loadOptionsDependsOn: ['insuranceId', 'appointmentCategoryId'],
			},
			// IDs from expressions (a webhook's body) are not checked against the loaded list
			allowArbitraryValues: true,
			required: true,
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: show,
		},
	];
}

/** Search From / Search To: the window the availabilities are listed in */
export function windowFields(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName: 'Search From',
			name: 'from',
			type: 'dateTime',
			default: '',
			description: 'Only availabilities starting at or after this time (empty: from now)',
			displayOptions: show,
		},
		{
			displayName: 'Search To',
			name: 'to',
			type: 'dateTime',
			default: '',
			description: 'Only availabilities starting at or before this time (empty: no limit)',
			displayOptions: show,
		},
	];
}
