// EHR FHIR: Get Patient and List Immunizations on onpatient (drchrono), 1upHealth,
// eMedicalPractice and any SMART on FHIR server. The user picks the credential type; the vendor
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
import { router } from './actions/router';
import { searchPatients } from './methods/listSearch';
import { optionsProperty } from './descriptions/options';
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
		subtitle: '={{ $parameter["resource"] === "patient" ? "Get Patient" : "List Immunizations" }}',
		description: 'Read patients and immunizations from an EHR or patient portal over FHIR',
		defaults: { name: 'EHR FHIR' },
		usableAsTool: true,
		inputs: MAIN_ONLY,
		outputs: MAIN_ONLY,
		credentials: credentialChoices(FHIR_CREDENTIAL_TYPES),
		properties: [
			authenticationProperty(FHIR_CREDENTIAL_TYPES, 'The EHR or portal to read from, by its kind of credential'),
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
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
						// the action is the name people search the node panel for ("Get Patient", "List Immunizations")
						// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
						action: 'Get Patient',
						description: 'Get a patient (name, birth date, contact details, MRN) by ID or FHIR URL',
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
						// the action is the name people search the node panel for ("Get Patient", "List Immunizations")
						// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
						action: 'List Immunizations',
						description: 'List the immunizations (vaccines given) of a patient, or of all patients',
					},
				],
				default: 'list',
			},
			...getPatient.description,
			...listImmunizations.description,
			optionsProperty,
		],
	};

	methods = {
		listSearch: { searchPatients },
		credentialTest: { smartBackendServicesApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
