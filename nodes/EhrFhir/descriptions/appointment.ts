// The Appointment resource's Operation dropdown and fields. Which fields show depends on the
// credential: eMedicalPractice books through its Standard API (patient, provider, facility, date,
// start time), every other vendor through FHIR Slots. The descriptions are what an AI tool reads.
import type { INodeProperties } from 'n8n-workflow';
import { returnAllLimitProperties } from '../../shared/descriptions';
import { patientLocator } from './patient';

export const EMP_CREDENTIAL = 'eMedicalPracticeOAuth2Api';

type Show = Record<string, string[]>;

const on = (operation: string[]): Show => ({ resource: ['appointment'], operation });
/** shown for these operations with an eMedicalPractice credential */
export const empOnly = (operation: string[]) => ({
	show: { ...on(operation), authentication: [EMP_CREDENTIAL] },
});
/** shown for these operations with any other credential (FHIR scheduling) */
export const fhirOnly = (operation: string[]) => ({
	show: on(operation),
	hide: { authentication: [EMP_CREDENTIAL] },
});

export const appointmentOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['appointment'] } },
	options: [
		{
			name: 'Book Appointment',
			value: 'book',
			action: 'Book an appointment',
			description:
				'Book an appointment for a patient: in a free FHIR Slot, or (eMedicalPractice) with a provider at a date and time; never booked twice',
		},
		{
			name: 'Cancel Appointment',
			value: 'cancel',
			action: 'Cancel an appointment',
			description:
				'Cancel an appointment (FHIR: status cancelled, the slot is free again; eMedicalPractice: the appointment is removed)',
		},
		{
			name: 'Find Free Slots',
			value: 'findSlots',
			action: 'Find free appointment slots',
			description:
				'List the free Slots of a practitioner or schedule between two dates (FHIR servers with Schedules and Slots)',
		},
		{
			name: 'Get Appointment',
			value: 'get',
			action: 'Get an appointment',
			description: 'Get one appointment by ID',
		},
		{
			name: 'Get Many Appointments',
			value: 'list',
			action: 'Get many appointments',
			description: 'List appointments, by patient, practitioner or provider, and dates',
		},
		{
			name: 'Reschedule Appointment',
			value: 'reschedule',
			action: 'Reschedule an appointment',
			description:
				'Move an appointment to another slot or time; the new time is taken before the old one is given up',
		},
	],
	default: 'book',
};

/** The eMedicalPractice patient (From List searches the Standard API; By ID takes the pid). */
export function empPatientLocator(
	operation: string[],
	required: boolean,
	description: string,
): INodeProperties {
	return {
		displayName: 'Patient',
		name: 'empPatient',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required,
		description,
		displayOptions: empOnly(operation),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a patient…',
				typeOptions: {
					searchListMethod: 'searchEmpPatients',
					searchable: true,
					searchFilterRequired: false,
				},
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[A-Za-z0-9._-]+$',
							errorMessage: 'A patient ID (pid, e.g. 12) has letters, digits, ".", "_" or "-" only',
						},
					},
				],
			},
		],
	};
}

export function providerProperty(
	operation: string[],
	name: string,
	required: boolean,
	description: string,
): INodeProperties {
	return {
		displayName: required ? 'Provider Name or ID' : 'New Provider Name or ID',
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getEmpProviders' },
		// IDs from expressions (a webhook's body) are not checked against the loaded list
		allowArbitraryValues: true,
		default: '',
		required,
		description: `${description}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
		displayOptions: empOnly(operation),
	};
}

/** The FHIR patient (the shared Patient locator) for Book; hidden with an eMedicalPractice credential. */
export const fhirPatient: INodeProperties[] = patientLocator(
	on(['book']),
	'The patient to book the appointment for (FHIR Patient ID, or From List)',
).map((p) => ({
	...p,
	displayOptions: {
		...p.displayOptions,
		hide: {
			...p.displayOptions?.hide,
			authentication: [...(p.displayOptions?.hide?.authentication ?? []), EMP_CREDENTIAL],
		},
	},
}));

export const slotFilters: INodeProperties[] = [
	{
		displayName: 'Practitioner Name or ID',
		name: 'practitioner',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getPractitioners' },
		// IDs from expressions (a webhook's body) are not checked against the loaded list
		allowArbitraryValues: true,
		default: '',
		description:
			'Whose free slots to find (a FHIR Practitioner ID); empty = every practitioner. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: fhirOnly(['findSlots']),
	},
	{
		displayName: 'Schedule Name or ID',
		name: 'schedule',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSchedules', loadOptionsDependsOn: ['practitioner'] },
		// IDs from expressions (a webhook's body) are not checked against the loaded list
		allowArbitraryValues: true,
		default: '',
		description:
			'Only the slots of this Schedule (a FHIR Schedule ID; the list shows the chosen practitioner\'s schedules); empty = all of the practitioner\'s schedules. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: fhirOnly(['findSlots']),
	},
	{
		displayName: 'From',
		name: 'slotFrom',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'The earliest slot start to return (a date, or a date and time)',
		displayOptions: fhirOnly(['findSlots']),
	},
	{
		displayName: 'To',
		name: 'slotTo',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'Slots starting before this are returned (a date, or a date and time)',
		displayOptions: fhirOnly(['findSlots']),
	},
	...returnAllLimitProperties(on(['findSlots'])),
];

export function appointmentIdProperty(operation: string[], description: string): INodeProperties {
	return {
		displayName: 'Appointment ID',
		name: 'appointmentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 42',
		description,
		displayOptions: { show: on(operation) },
	};
}

export function slotIdProperty(
	name: string,
	operation: string[],
	description: string,
): INodeProperties {
	return {
		displayName: name === 'slotId' ? 'Slot ID' : 'New Slot ID',
		name,
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. slot-pr-0001-20261202-0900',
		description,
		displayOptions: fhirOnly(operation),
	};
}

/** OpenEMR's appointment statuses (list `apptstat`). */
export const EMP_STATUSES = [
	{ name: 'None (-)', value: '-' },
	{ name: 'Pending (^)', value: '^' },
	{ name: 'Reminder Done (*)', value: '*' },
	{ name: 'Chart Pulled (+)', value: '+' },
	{ name: 'Arrived (@)', value: '@' },
	{ name: 'Checked Out (>)', value: '>' },
];

export const empBookFields: INodeProperties[] = [
	providerProperty(
		['book'],
		'provider',
		true,
		'The provider (practitioner) the patient sees (pc_aid)',
	),
	{
		displayName: 'Facility Name or ID',
		name: 'facility',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getEmpFacilities' },
		// IDs from expressions (a webhook's body) are not checked against the loaded list
		allowArbitraryValues: true,
		default: '',
		required: true,
		description:
			'Where the appointment takes place (also its billing location). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Category ID',
		name: 'categoryId',
		type: 'string',
		default: '5',
		required: true,
		description:
			"The calendar category's ID (pc_catid), e.g. 5 = Office Visit, 9 = Established Patient, 10 = New Patient in a default eMedicalPractice / OpenEMR set-up",
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: 'Office Visit',
		required: true,
		description: 'The title shown in the calendar (pc_title)',
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Date',
		name: 'date',
		type: 'dateTime',
		default: '',
		required: true,
		description:
			'The day of the appointment (YYYY-MM-DD; a time in it is ignored — use Start Time)',
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Start Time',
		name: 'startTime',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 09:30',
		description: "When it starts, HH:MM in 24-hour time, in the practice's time zone",
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Duration (Minutes)',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 15,
		required: true,
		description: 'How long it lasts, in minutes (sent to eMedicalPractice in seconds)',
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Status',
		name: 'appointmentStatus',
		type: 'options',
		options: EMP_STATUSES,
		default: '-',
		description: "The appointment's status in the calendar (pc_apptstatus)",
		displayOptions: empOnly(['book']),
	},
	{
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		default: '',
		description: 'A note on the appointment (pc_hometext), e.g. the reason for the visit',
		displayOptions: empOnly(['book']),
	},
];

export const empRescheduleFields: INodeProperties[] = [
	{
		displayName: 'New Date',
		name: 'newDate',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'The new day (YYYY-MM-DD)',
		displayOptions: empOnly(['reschedule']),
	},
	{
		displayName: 'New Start Time',
		name: 'newStartTime',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 14:00',
		description: 'The new start time, HH:MM in 24-hour time',
		displayOptions: empOnly(['reschedule']),
	},
	{
		displayName: 'New Duration (Minutes)',
		name: 'newDuration',
		type: 'number',
		default: 0,
		description: 'The new length in minutes; 0 keeps the length of the old appointment',
		displayOptions: empOnly(['reschedule']),
	},
	providerProperty(
		['reschedule'],
		'newProvider',
		false,
		'Another provider for the new time; empty keeps the provider',
	),
];

const refuseIfBusy: INodeProperties = {
	displayName: 'Refuse If Provider Is Busy',
	name: 'refuseIfBusy',
	type: 'boolean',
	default: true,
	description:
		"Whether to read the provider's appointments that day first and refuse a time that overlaps one, before anything is posted (eMedicalPractice itself accepts overlaps)",
};

/** The Options of the Appointment operations (each shows the ones that apply). */
export const appointmentOptions: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'appointmentOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: empOnly(['book', 'reschedule']),
		options: [refuseIfBusy],
	},
	{
		displayName: 'Options',
		name: 'appointmentOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: empOnly(['cancel']),
		options: [
			{
				displayName: 'Treat Already Removed as Success',
				name: 'alreadyRemovedOk',
				type: 'boolean',
				default: false,
				description:
					'Whether an appointment that is not there (removed already, e.g. by an earlier run) counts as cancelled instead of an error',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'appointmentOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: fhirOnly(['book']),
		options: [
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				default: '',
				description: 'The reason for the visit, shown to the practice (Appointment.description)',
			},
			{
				displayName: 'Comment',
				name: 'comment',
				type: 'string',
				default: '',
				description: 'A note on the appointment (Appointment.comment)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'appointmentOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: fhirOnly(['cancel']),
		options: [
			{
				displayName: 'Cancellation Reason',
				name: 'cancellationReason',
				type: 'string',
				default: '',
				description: 'Why it is cancelled (Appointment.cancelationReason text)',
			},
		],
	},
];

export const listFilters: INodeProperties[] = [
	empPatientLocator(
		['list'],
		false,
		'Only the appointments of this patient; empty = every patient',
	),
	...returnAllLimitProperties(on(['list'])),
	{
		displayName: 'Filters',
		name: 'appointmentFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: empOnly(['list']),
		options: [
			{
				displayName: 'From',
				name: 'from',
				type: 'dateTime',
				default: '',
				description: 'The first day (YYYY-MM-DD)',
			},
			{
				displayName: 'Provider ID',
				name: 'provider',
				type: 'string',
				default: '',
				description: "Only this provider's appointments (pc_aid)",
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'The last day (YYYY-MM-DD), included',
			},
		],
	},
	{
		displayName: 'Filters',
		name: 'appointmentFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: fhirOnly(['list']),
		options: [
			{
				displayName: 'From',
				name: 'from',
				type: 'dateTime',
				default: '',
				description: 'Appointments starting at or after this (a date, or a date and time)',
			},
			{
				displayName: 'Patient ID',
				name: 'patientId',
				type: 'string',
				default: '',
				description: "Only this patient's appointments (a FHIR Patient ID)",
			},
			{
				displayName: 'Practitioner ID',
				name: 'practitioner',
				type: 'string',
				default: '',
				description: 'Only appointments with this practitioner (a FHIR Practitioner ID)',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'string',
				default: '',
				placeholder: 'e.g. booked',
				description: 'Only appointments with this status (booked, cancelled, …; comma = or)',
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'Appointments starting before this',
			},
		],
	},
];
