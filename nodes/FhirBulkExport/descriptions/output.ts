// The output of a finished export (Bulk Export, Download Export Files): files as binary data,
// one item per resource, or the manifest only (shaped by helpers/output.ts).
import type { INodeProperties } from 'n8n-workflow';
import { showFor } from './show';

export const outputProperties: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'outputMode',
		type: 'options',
		options: [
			{
				name: 'Files (Binary NDJSON)',
				value: 'files',
				description:
					'One item per file, the NDJSON streamed into binary data; an export without files gives one item with kind "empty" and the transactionTime',
			},
			{
				name: 'Resources',
				value: 'resources',
				description: 'One item per FHIR resource (small exports only)',
			},
			{
				name: 'Manifest Only',
				value: 'manifest',
				description: 'One item with the manifest; download the files elsewhere',
			},
		],
		default: 'files',
		displayOptions: showFor(['bulkExport', 'downloadFiles']),
	},
	{
		displayName: 'Max Items',
		name: 'maxItems',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10000,
		description:
			'Fail rather than output more resources than this (use Files output for large exports)',
		displayOptions: {
			show: {
				operation: ['bulkExport', 'downloadFiles'],
				outputMode: ['resources'],
			},
		},
	},
];
