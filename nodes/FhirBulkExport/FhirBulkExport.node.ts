// FHIR Bulk Export: population exports (FHIR Bulk Data Access IG v2) from eMedicalPractice or any
// SMART on FHIR server, streamed into n8n binary data with flat memory. actions/router.ts runs
// one file per operation in actions/<resource>/; the export lifecycle (kick-off, status,
// manifest, downloads) lives in ../shared/bulk/.
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeProperties,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as bulkExport from './actions/export/bulkExport.operation';
import * as cancelExport from './actions/export/cancelExport.operation';
import * as checkStatus from './actions/export/checkStatus.operation';
import * as downloadFiles from './actions/export/downloadFiles.operation';
import * as startExport from './actions/export/startExport.operation';
import * as getPublicJwks from './actions/key/getPublicJwks.operation';
import { router } from './actions/router';
import { exportRequestProperties } from './descriptions/exportRequest';
import { optionsProperty } from './descriptions/options';
import { outputProperties } from './descriptions/output';
import { statusUrlProperty } from './descriptions/statusUrl';
import { authenticationProperty } from '../shared/credential-types';
import { smartBackendServicesApiTest } from '../shared/backend-services-test';

/** The credential types a bulk export can run with (the first is the default). */
const BULK_CREDENTIAL_TYPES = [
	'smartBackendServicesApi',
	'eMedicalPracticeOAuth2Api',
	'smartOnFhirOAuth2Api',
];

// one constant: the two lint plugins disagree on NodeConnectionTypes.Main vs 'main' inline
const MAIN = [NodeConnectionTypes.Main];

const EXPORT_OPERATIONS: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['export'] } },
	options: [
		{
			name: 'Bulk Export',
			value: 'bulkExport',
			action: 'Bulk export',
			description: 'Start an export, wait for it and output its files',
		},
		{
			name: 'Cancel Export',
			value: 'cancelExport',
			action: 'Cancel export',
			description: 'Delete a running or finished export job on the server',
		},
		{
			name: 'Check Export Status',
			value: 'checkStatus',
			action: 'Check export status',
			description: 'Ask once whether an export is finished; returns the manifest when it is',
		},
		{
			name: 'Download Export Files',
			value: 'downloadFiles',
			action: 'Download export files',
			description: 'Download the files a manifest lists',
		},
		{
			name: 'Start Export',
			value: 'startExport',
			action: 'Start export',
			description: 'Kick off an export without waiting',
		},
	],
	default: 'bulkExport',
};

const KEY_OPERATIONS: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['key'] } },
	options: [
		{
			name: 'Get Public JWKS',
			value: 'getPublicJwks',
			action: 'Get public JWKS',
			description: 'Output the public key set to register with the server',
		},
	],
	default: 'getPublicJwks',
};

export class FhirBulkExport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'FHIR Bulk Export',
		name: 'fhirBulkExport',
		icon: {
			light: 'file:fhirBulkExport.svg',
			dark: 'file:fhirBulkExport.dark.svg',
		},
		group: ['transform'],
		version: 1,
		documentationUrl: 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#fhir-bulk-export',
		subtitle:
			'={{ ({"bulkExport":"Bulk Export","cancelExport":"Cancel Export","checkStatus":"Check Export Status","downloadFiles":"Download Export Files","startExport":"Start Export","getPublicJwks":"Get Public JWKS"})[$parameter["operation"]] }}',
		description:
			'Export whole populations from eMedicalPractice or any SMART on FHIR server (FHIR Bulk Data) as NDJSON files',
		defaults: { name: 'FHIR Bulk Export' },
		usableAsTool: true,
		inputs: MAIN,
		outputs: MAIN,
		// what credentialChoices(BULK_CREDENTIAL_TYPES) gives, written out so that the linter sees
		// which node tests the SMART Backend Services credential (testedBy)
		credentials: [
			{
				name: 'smartBackendServicesApi',
				required: true,
				displayOptions: { show: { authentication: ['smartBackendServicesApi'] } },
				testedBy: 'smartBackendServicesApiTest',
			},
			{
				name: 'eMedicalPracticeOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['eMedicalPracticeOAuth2Api'] } },
			},
			{
				name: 'smartOnFhirOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['smartOnFhirOAuth2Api'] } },
			},
		],
		properties: [
			authenticationProperty(BULK_CREDENTIAL_TYPES),
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Export', value: 'export', description: 'FHIR Bulk Data exports ($export)' },
					{
						name: 'Client Key',
						value: 'key',
						description: 'The SMART Backend Services key of the credential',
					},
				],
				default: 'export',
			},
			EXPORT_OPERATIONS,
			KEY_OPERATIONS,
			// in the order the editor shows them: an operation's own properties next to the shared
			// ones it is shown with
			...exportRequestProperties, // Bulk Export, Start Export
			...bulkExport.description,
			...startExport.description,
			statusUrlProperty, // Check Export Status, Cancel Export
			...checkStatus.description,
			...cancelExport.description,
			...downloadFiles.description, // the manifest, above the output of its files
			...outputProperties, // Bulk Export, Download Export Files
			optionsProperty, // Bulk Export, Download Export Files, Check Export Status
			...getPublicJwks.description,
		],
	};

	methods = {
		credentialTest: { smartBackendServicesApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
