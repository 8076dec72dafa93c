// The Operation parameter: the node has no Resource parameter, so saved workflows hold only these
// operation values (actions/router.ts maps each to its resource folder).
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** one option per action; `action` is the action's name as people search for it */
const OPERATIONS: INodePropertyOptions[] = [
	{
		name: 'ASAP Subscribe',
		value: 'asapSubscribe',
		action: 'ASAP subscribe',
		description:
			'Put an appointment on the ASAP list, to be told by email when an earlier time becomes free',
	},
	{
		name: 'ASAP Unsubscribe',
		value: 'asapUnsubscribe',
		action: 'ASAP unsubscribe',
		description: 'Take an appointment off the ASAP list',
	},
	{
		name: 'Book Appointment',
		value: 'book',
		action: 'Book appointment',
		description: 'Book an appointment: insurance, category, type, then a free slot',
	},
	{
		name: 'Cancel Appointment',
		value: 'cancel',
		action: 'Cancel appointment',
		description: 'Cancel an appointment by ID; its slot becomes free',
	},
	{
		name: 'Find Availabilities',
		value: 'findAvailabilities',
		action: 'Find availabilities',
		description: 'List free slots for an appointment type, one item per slot',
	},
	{
		name: 'Get Appointment',
		value: 'get',
		action: 'Get appointment',
		description: "Get one of the patient's appointments by ID",
	},
	{
		name: 'Get Earlier Availability',
		value: 'getEarlierAvailability',
		action: 'Get earlier availability',
		description: 'Find an earlier free slot for an appointment on the ASAP list',
	},
	{
		name: 'Get Profile',
		value: 'getProfile',
		action: 'Get profile',
		description: "Get the patient's portal profile",
	},
	{
		name: 'List Appointments',
		value: 'list',
		action: 'List appointments',
		description: "List the patient's appointments",
	},
	{
		name: 'Reschedule Appointment',
		value: 'reschedule',
		action: 'Reschedule appointment',
		description: 'Move an appointment to another free slot of the same type; the ID stays the same',
	},
];

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: OPERATIONS,
	default: 'book',
};
