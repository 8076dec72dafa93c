// MyPatientPortal (samedi patient portal): book, cancel and reschedule appointments, find
// availabilities, the ASAP list, the patient's profile. One file per action in
// actions/<resource>/, dispatched by actions/router.ts; dropdowns in methods/; every HTTP call
// through helpers/transport.ts on ../shared/http.
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as book from './actions/appointment/book.operation';
import * as cancel from './actions/appointment/cancel.operation';
import * as reschedule from './actions/appointment/reschedule.operation';
import * as getAppointment from './actions/appointment/get.operation';
import * as listAppointments from './actions/appointment/list.operation';
import * as findAvailabilities from './actions/availability/findAvailabilities.operation';
import * as getProfile from './actions/profile/getProfile.operation';
import * as asapSubscribe from './actions/asap/asapSubscribe.operation';
import * as asapUnsubscribe from './actions/asap/asapUnsubscribe.operation';
import * as getEarlierAvailability from './actions/asap/getEarlierAvailability.operation';
import { router } from './actions/router';
import { operationProperty } from './descriptions/operation';
import { optionNames, subtitleExpression } from '../shared/descriptions';
import * as loadOptions from './methods/loadOptions';

/** one main input, one main output */
const MAIN_ONLY = [NodeConnectionTypes.Main];

export class MyPatientPortal implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MyPatientPortal',
		name: 'myPatientPortal',
		icon: { light: 'file:myPatientPortal.svg', dark: 'file:myPatientPortal.dark.svg' },
		group: ['transform'],
		version: 1,
		documentationUrl:
			'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#mypatientportal-booking-an-appointment',
		subtitle: subtitleExpression(optionNames(operationProperty), '$parameter["operation"]'),
		description:
			"Book, cancel and reschedule appointments in a practice's MyPatientPortal (samedi patient portal)",
		defaults: { name: 'MyPatientPortal' },
		usableAsTool: true,
		inputs: MAIN_ONLY,
		outputs: MAIN_ONLY,
		credentials: [{ name: 'myPatientPortalOAuth2Api', required: true }],
		properties: [
			operationProperty,
			...book.description,
			...cancel.description,
			...reschedule.description,
			...findAvailabilities.description,
			...getAppointment.description,
			...listAppointments.description,
			...getProfile.description,
			...asapSubscribe.description,
			...asapUnsubscribe.description,
			...getEarlierAvailability.description,
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
		return await router.call(this);
	}
}
