// MyPatientPortal (samedi patient portal): book, cancel and reschedule appointments, find
// availabilities, the ASAP list, the patient's profile. One file per action in actions/,
// dropdowns in methods/, every HTTP call through ../shared/transport.
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as asap from './actions/asap';
import * as book from './actions/book';
import * as cancel from './actions/cancel';
import * as findAvailabilities from './actions/findAvailabilities';
import * as getAppointment from './actions/getAppointment';
import * as getProfile from './actions/getProfile';
import * as listAppointments from './actions/listAppointments';
import * as reschedule from './actions/reschedule';
import { toItems, type ActionResult } from './actions/common';
import * as loadOptions from './methods/loadOptions';
import { nodeError } from './transport';

/** one main input, one main output */
const MAIN_ONLY = [NodeConnectionTypes.Main];

type Run = (this: IExecuteFunctions, itemIndex: number) => Promise<ActionResult>;

/** one option per action; `action` is the action's name as people search for it */
const OPERATIONS: INodePropertyOptions[] = [
	{ name: 'ASAP Subscribe', value: 'asapSubscribe', action: 'ASAP Subscribe', description: 'Put an appointment on the ASAP list, to be told by email when an earlier time becomes free' },
	{ name: 'ASAP Unsubscribe', value: 'asapUnsubscribe', action: 'ASAP Unsubscribe', description: 'Take an appointment off the ASAP list' },
	{ name: 'Book Appointment', value: 'book', action: 'Book Appointment', description: 'Book an appointment: insurance, category, type, then a free slot' },
	{ name: 'Cancel Appointment', value: 'cancel', action: 'Cancel Appointment', description: 'Cancel an appointment by ID; its slot becomes free' },
	{ name: 'Find Availabilities', value: 'findAvailabilities', action: 'Find Availabilities', description: 'List free slots for an appointment type, one item per slot' },
	{ name: 'Get Appointment', value: 'get', action: 'Get Appointment', description: "Get one of the patient's appointments by ID" },
	{ name: 'Get Earlier Availability', value: 'getEarlierAvailability', action: 'Get Earlier Availability', description: 'Find an earlier free slot for an appointment on the ASAP list' },
	{ name: 'Get Profile', value: 'getProfile', action: 'Get Profile', description: "Get the patient's portal profile" },
	{ name: 'List Appointments', value: 'list', action: 'List Appointments', description: "List the patient's appointments" },
	{ name: 'Reschedule Appointment', value: 'reschedule', action: 'Reschedule Appointment', description: 'Move an appointment to another free slot of the same type; the ID stays the same' },
];

const ROUTER: Record<string, Run> = {
	book: book.execute,
	cancel: cancel.execute,
	reschedule: reschedule.execute,
	findAvailabilities: findAvailabilities.execute,
	get: getAppointment.execute,
	list: listAppointments.execute,
	getProfile: getProfile.execute,
	asapSubscribe: asap.subscribe,
	asapUnsubscribe: asap.unsubscribe,
	getEarlierAvailability: asap.earlier,
};

export class MyPatientPortal implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MyPatientPortal',
		name: 'myPatientPortal',
		icon: { light: 'file:myPatientPortal.svg', dark: 'file:myPatientPortal.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Book, cancel and reschedule appointments in a practice\'s MyPatientPortal (samedi patient portal)',
		defaults: { name: 'MyPatientPortal' },
		usableAsTool: true,
		inputs: MAIN_ONLY,
		outputs: MAIN_ONLY,
		credentials: [{ name: 'myPatientPortalOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: OPERATIONS,
				default: 'book',
			},
			...book.description,
			...cancel.description,
			...reschedule.description,
			...findAvailabilities.description,
			...getAppointment.description,
			...listAppointments.description,
			...getProfile.description,
			...asap.subscribeDescription,
			...asap.unsubscribeDescription,
			...asap.earlierDescription,
		],
	};

	methods = {
		loadOptions: {
			getInsurances: loadOptions.getInsurances,
			getAppointmentCategories: loadOptions.getAppointmentCategories,
			getAppointmentTypes: loadOptions.getAppointmentTypes,
			getAvailabilities: loadOptions.getAvailabilities,
			getRescheduleAvailabilities: loadOptions.getRescheduleAvailabilities,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				const run = ROUTER[operation];
				if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex: i });
				out.push(...toItems(await run.call(this, i), i));
			} catch (error) {
				const e = nodeError(this.getNode(), error, i);
				if (this.continueOnFail()) {
					out.push({
						json: { error: e.message, ...(e.description ? { errorDescription: e.description } : {}) },
						pairedItem: { item: i },
					});
					continue;
				}
				throw e;
			}
		}
		return [out];
	}
}
