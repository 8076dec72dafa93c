// The status URL of a started export (Check Export Status, Cancel Export).
import type { INodeProperties } from 'n8n-workflow';
import { showFor } from './show';

export const statusUrlProperty: INodeProperties = {
	displayName: 'Status URL',
	name: 'statusUrl',
	type: 'string',
	default: '={{ $json.statusUrl }}',
	required: true,
	description: 'The Content-Location URL returned by Start Export',
	displayOptions: showFor(['checkStatus', 'cancelExport']),
};
