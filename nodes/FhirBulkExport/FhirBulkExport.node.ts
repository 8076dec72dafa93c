// FHIR Bulk Export: population exports (FHIR Bulk Data Access IG v2) from eMedicalPractice or any
// SMART on FHIR server, streamed into n8n binary data with flat memory. One file per action in
// actions/; the export lifecycle (kick-off, status, manifest, downloads) in ../shared/bulk/.
import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as bulkExport from './actions/bulkExport';
import * as cancelExport from './actions/cancelExport';
import * as checkStatus from './actions/checkStatus';
import * as downloadFiles from './actions/downloadFiles';
import * as getPublicJwks from './actions/getPublicJwks';
import * as startExport from './actions/startExport';
import { exportProperties, manifestProperty, optionsProperty, outputProperties, statusUrlProperty } from './actions/common';

// one constant: the two lint plugins disagree on NodeConnectionTypes.Main vs 'main' inline
const MAIN = [NodeConnectionTypes.Main];

type Run = (ctx: IExecuteFunctions, credentialType: string, itemIndex: number) => Promise<INodeExecutionData[]>;

const ROUTER: Record<string, Run> = {
	bulkExport: bulkExport.execute,
	startExport: startExport.execute,
	checkStatus: checkStatus.execute,
	downloadFiles: downloadFiles.execute,
	cancelExport: cancelExport.execute,
	getPublicJwks: getPublicJwks.execute,
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
		subtitle: '={{$parameter["operation"]}}',
		description: 'Export whole populations from eMedicalPractice or any SMART on FHIR server (FHIR Bulk Data) as NDJSON files',
		defaults: { name: 'FHIR Bulk Export' },
		usableAsTool: true,
		inputs: MAIN,
		outputs: MAIN,
		credentials: [
			{
				name: 'smartBackendServicesApi',
				required: true,
				displayOptions: {
					show: { authentication: ['smartBackendServicesApi'] },
				},
			},
			{
				name: 'eMedicalPracticeOAuth2Api',
				required: true,
				displayOptions: {
					show: { authentication: ['eMedicalPracticeOAuth2Api'] },
				},
			},
			{
				name: 'smartOnFhirOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['smartOnFhirOAuth2Api'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'SMART Backend Services (System)',
						value: 'smartBackendServicesApi',
					},
					{
						name: 'eMedicalPractice OAuth2',
						value: 'eMedicalPracticeOAuth2Api',
					},
					{
						name: 'SMART on FHIR OAuth2 (User Login)',
						value: 'smartOnFhirOAuth2Api',
					},
				],
				default: 'smartBackendServicesApi',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Export', value: 'export', description: 'FHIR Bulk Data exports ($export)' },
					{ name: 'Client Key', value: 'key', description: 'The SMART Backend Services key of the credential' },
				],
				default: 'export',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['export'] } },
				options: [
					{
						name: 'Bulk Export',
						value: 'bulkExport',
						action: 'Bulk export and download the files',
						description: 'Start an export, wait for it and output its files',
					},
					{
						name: 'Cancel Export',
						value: 'cancelExport',
						action: 'Cancel export and delete its files',
						description: 'Delete a running or finished export job on the server',
					},
					{
						name: 'Check Export Status',
						value: 'checkStatus',
						action: 'Check export status once',
						description: 'Ask once whether an export is finished; returns the manifest when it is',
					},
					{
						name: 'Download Export Files',
						value: 'downloadFiles',
						action: 'Download export files of a manifest',
						description: 'Download the files a manifest lists',
					},
					{
						name: 'Start Export',
						value: 'startExport',
						action: 'Start export and return the status URL',
						description: 'Kick off an export without waiting',
					},
				],
				default: 'bulkExport',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['key'] } },
				options: [
					{
						name: 'Get Public JWKS',
						value: 'getPublicJwks',
						action: 'Get public JWKS of the credential',
						description: 'Output the public key set to register with the server',
					},
				],
				default: 'getPublicJwks',
			},
			...exportProperties,
			statusUrlProperty,
			manifestProperty,
			...outputProperties,
			optionsProperty,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				const credentialType = this.getNodeParameter('authentication', i) as string;
				const run = ROUTER[operation];
				if (!run) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, { itemIndex: i });
				out.push(...(await run(this, credentialType, i)));
			} catch (error) {
				const e =
					error instanceof NodeApiError || error instanceof NodeOperationError
						? error
						: new NodeOperationError(this.getNode(), error as Error, {
								itemIndex: i,
							});
				if (this.continueOnFail()) {
					out.push({
						json: {
							error: e.message,
							...(e.description ? { errorDescription: e.description } : {}),
						},
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
