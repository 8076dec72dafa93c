// EHR FHIR: Get Patient, List Immunizations, Patient Everything, Appointments (book, cancel,
// reschedule, free slots), every FHIR REST interaction on
// any resource type (FHIR Resource) and Batch / Transaction (Bundle) on onpatient (drchrono),
// 1upHealth, eMedicalPractice and any SMART on FHIR server, where the server declares them. The user picks the credential type; the vendor
// profile (../shared/vendors) says everything vendor-specific; every request goes through
// ../shared/http and lists through ../shared/pagination.
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as getPatient from './actions/patient/get.operation';
import * as listImmunizations from './actions/immunization/list.operation';
import * as patientEverything from './actions/patient/everything.operation';
import * as resourceGet from './actions/resource/get.operation';
import * as resourceGetVersion from './actions/resource/get-version.operation';
import * as resourceSearch from './actions/resource/search.operation';
import * as resourceCreate from './actions/resource/create.operation';
import * as resourceUpdate from './actions/resource/update.operation';
import * as resourcePatch from './actions/resource/patch.operation';
import * as resourceDelete from './actions/resource/delete.operation';
import * as resourceCreateIfNoneExists from './actions/resource/create-if-none-exists.operation';
import * as resourceUpsert from './actions/resource/upsert.operation';
import * as resourceHistory from './actions/resource/history.operation';
import * as bundleBatch from './actions/bundle/batch.operation';
import * as bundleTransaction from './actions/bundle/transaction.operation';
import * as appointmentBook from './actions/appointment/book.operation';
import * as appointmentCancel from './actions/appointment/cancel.operation';
import * as appointmentReschedule from './actions/appointment/reschedule.operation';
import * as appointmentFindSlots from './actions/appointment/find-slots.operation';
import * as appointmentGet from './actions/appointment/get.operation';
import * as appointmentList from './actions/appointment/list.operation';
import * as customApiCall from './actions/customApiCall/request.operation';
import { appointmentOperations, appointmentOptions } from './descriptions/appointment';
import {
	getEmpFacilities,
	getEmpProviders,
	getPractitioners,
	getSchedules,
	searchEmpPatients,
} from './methods/scheduling';
import { bundleOperations, resourceOperations } from './descriptions/operations';
import { router } from './actions/router';
import { searchPatients } from './methods/listSearch';
import { optionsProperty } from './descriptions/options';
import { getResourceTypes, getSearchParameters } from './methods/loadOptions';
import { authenticationProperty, credentialChoices } from '../shared/credential-types';
import { smartBackendServicesApiTest } from '../shared/backend-services-test';
import { FHIR_CREDENTIAL_TYPES } from '../shared/vendors';

/** one main input, one main output (two lint rules disagree on how to spell it inline) */
const MAIN_ONLY = [NodeConnectionTypes.Main];

export class EhrFhir implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'EHR FHIR',
		name: 'ehrFhir',
		icon: { light: 'file:ehrFhir.svg', dark: 'file:ehrFhir.dark.svg' },
		group: ['transform'],
		version: 1,
		documentationUrl: 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#ehr-fhir',
		subtitle:
			'={{ (({"patient:get":"Get Patient","patient:everything":"Patient Everything","immunization:list":"List Immunizations","resource:create":"Create","resource:createIfNoneExists":"Create If None Exists","resource:upsert":"Create or Update","resource:delete":"Delete","resource:get":"Get","resource:search":"Get Many","resource:getVersion":"Get Version","resource:history":"History","resource:patch":"Patch","resource:update":"Update","bundle:batch":"Batch","bundle:transaction":"Transaction","appointment:book":"Book Appointment","appointment:cancel":"Cancel Appointment","appointment:reschedule":"Reschedule Appointment","appointment:findSlots":"Find Free Slots","appointment:get":"Get Appointment","appointment:list":"Get Many Appointments"})[$parameter["resource"] + ":" + $parameter["operation"]] || ($parameter["operation"] === "__CUSTOM_API_CALL__" ? "Custom API Call" : "")) + ($parameter["resource"] === "resource" && $parameter["resourceType"] ? ": " + $parameter["resourceType"] : "") + ($parameter["operation"] === "__CUSTOM_API_CALL__" && $parameter["path"] ? ": " + $parameter["method"] + " " + $parameter["path"] : "") }}',
		description:
			'Read and write any FHIR resource (patients, immunizations, observations, …) on an EHR or patient portal',
		defaults: { name: 'EHR FHIR' },
		usableAsTool: true,
		inputs: MAIN_ONLY,
		outputs: MAIN_ONLY,
		credentials: credentialChoices(FHIR_CREDENTIAL_TYPES),
		properties: [
			authenticationProperty(
				FHIR_CREDENTIAL_TYPES,
				'The EHR or portal to use, by its kind of credential',
			),
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Appointment',
						value: 'appointment',
						description:
							'Book, cancel and reschedule appointments (FHIR Slots, or the eMedicalPractice Standard API)',
					},
					{
						name: 'Bundle (Batch / Transaction)',
						value: 'bundle',
						description: 'Send every input item as one entry of a Batch or Transaction',
					},
					{
						name: 'FHIR Resource',
						value: 'resource',
						description: 'Any resource type: get, search, create, update, patch, delete, history',
					},
					{ name: 'Immunization', value: 'immunization' },
					{ name: 'Patient', value: 'patient' },
				],
				default: 'patient',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['patient'] } },
				options: [
					{
						name: 'Get',
						value: 'get',
						action: 'Get patient',
						description: 'Get a patient (name, birth date, contact details, MRN) by ID or FHIR URL',
					},
					{
						name: 'Patient Everything',
						value: 'everything',
						action: 'Get everything in a patient record',
						description:
							"Every resource of the patient's record ($everything, all pages), where the server supports it",
					},
				],
				default: 'get',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['immunization'] } },
				options: [
					{
						name: 'List',
						value: 'list',
						action: 'List immunizations',
						description: 'List the immunizations (vaccines given) of a patient, or of all patients',
					},
				],
				default: 'list',
			},
			resourceOperations,
			bundleOperations,
			// n8n adds "Custom API Call" (__CUSTOM_API_CALL__) to the Resource list: its one operation,
			// named so that n8n adds no second one
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['__CUSTOM_API_CALL__'] } },
				options: [
					{
						name: 'Custom API Call',
						value: '__CUSTOM_API_CALL__',
						action: 'Send a request to the FHIR server',
						description:
							"Send any request (a path under the credential's FHIR base URL) with the credential's authentication",
					},
				],
				default: '__CUSTOM_API_CALL__',
			},
			appointmentOperations,
			...getPatient.description,
			...patientEverything.description,
			...listImmunizations.description,
			...resourceGet.description,
			...resourceGetVersion.description,
			...resourceSearch.description,
			...resourceCreate.description,
			...resourceUpdate.description,
			...resourcePatch.description,
			...resourceDelete.description,
			...resourceCreateIfNoneExists.description,
			...resourceUpsert.description,
			...resourceHistory.description,
			...bundleBatch.description,
			...bundleTransaction.description,
			...appointmentFindSlots.description,
			...appointmentBook.description,
			...appointmentCancel.description,
			...appointmentReschedule.description,
			...appointmentGet.description,
			...appointmentList.description,
			...appointmentOptions,
			...customApiCall.description,
			optionsProperty,
		],
	};

	methods = {
		listSearch: { searchPatients, searchEmpPatients },
		credentialTest: { smartBackendServicesApiTest },
		loadOptions: {
			getResourceTypes,
			getSearchParameters,
			getEmpProviders,
			getEmpFacilities,
			getPractitioners,
			getSchedules,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
