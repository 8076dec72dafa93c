// Polling and download options (Bulk Export, Download Export Files, Check Export Status), read by
// helpers/params.ts → readRunOptions.
import type { INodeProperties } from 'n8n-workflow';
import { optionsCollection } from '../../shared/descriptions';
import { showFor } from './show';

export const optionsProperty: INodeProperties = optionsCollection(
	[
		{
			displayName: 'Accept Gzip',
			name: 'acceptGzip',
			type: 'boolean',
			default: true,
			description: 'Whether to ask for gzip-compressed files (stored uncompressed)',
		},
		{
			displayName: 'Binary Property',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'Name of the binary property that holds each file',
		},
		{
			displayName: 'Check Files Against Manifest',
			name: 'validate',
			type: 'boolean',
			default: true,
			description:
				'Whether to compare line counts with the manifest count and each resourceType with the file type',
		},
		{
			displayName: 'Concurrent Downloads',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 4,
		},
		{
			displayName: 'Delete Job After Download',
			name: 'deleteAfterDownload',
			type: 'boolean',
			default: true,
			description:
				'Whether Bulk Export deletes the job on the server once its files are downloaded (not in Manifest Only output)',
		},
		{
			displayName: 'Delete Job When Giving Up',
			name: 'cancelOnGiveUp',
			type: 'boolean',
			default: true,
			description: 'Whether to delete the export job on the server on timeout or cancellation',
		},
		{
			displayName: 'File Retries',
			name: 'fileRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 2,
			description:
				'Extra attempts for a file after a broken connection or a temporary server error',
		},
		{
			displayName: 'Include Deleted Files',
			name: 'includeDeleted',
			type: 'boolean',
			default: true,
			description: 'Whether to download the files listing deleted resources (transaction Bundles)',
		},
		{
			displayName: 'Include Error Files',
			name: 'includeErrors',
			type: 'boolean',
			default: true,
			description: 'Whether to download the error files (OperationOutcome NDJSON)',
		},
		{
			displayName: 'Max File Size (MB)',
			name: 'maxFileSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1024,
			description:
				'Stop a file that is larger than this once decompressed (a gzip file can expand a thousandfold); the file becomes an item with an error',
		},
		{
			displayName: 'Max Line Size (MB)',
			name: 'maxLineSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 16,
			description:
				'Stop a file with an NDJSON line (one resource) longer than this; the file becomes an item with an error',
		},
		{
			displayName: 'Max Response Size (MB)',
			name: 'maxResponseSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 64,
			description: 'Refuse a status or manifest answer larger than this once decompressed',
		},
		{
			displayName: 'Maximum Total Wait (Seconds)',
			name: 'maxTotalWait',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 3600,
			description:
				'Give up (and delete the job) when the export takes longer than this; every status check, manifest page and file download of the run ends by then',
		},
		{
			displayName: 'Maximum Wait Between Checks (Seconds)',
			name: 'maxWait',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 120,
			description: 'Ceiling for Retry-After; larger values (hours, timestamps) are distrusted',
		},
		{
			displayName: 'Minimum Wait Between Checks (Seconds)',
			name: 'minWait',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 2,
			description: 'Floor for Retry-After',
		},
		{
			displayName: 'Transient Error Retries',
			name: 'transientRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5,
			description:
				'Status checks answered with a temporary 5xx retried at most this many times in a row',
		},
	],
	showFor(['bulkExport', 'downloadFiles', 'checkStatus']).show,
);
