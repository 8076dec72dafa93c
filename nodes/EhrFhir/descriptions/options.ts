// The Options collection of every EHR FHIR operation: the bounds of each request, read by
// helpers/limits.ts.
import type { INodeProperties } from 'n8n-workflow';
import { optionsCollection } from '../../shared/descriptions';

/** the request bounds, in every Options collection of the node */
export const limitOptions: INodeProperties[] = [
	{
		displayName: 'Max Response Size (MB)',
		name: 'maxResponseSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 64,
		description: 'Refuse an answer (one page of a list) larger than this once decompressed',
	},
	{
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 120,
		description:
			'Stop a request whose whole answer has not arrived after this long (a server that answers very slowly)',
	},
];

/** The Options collection of every operation but Search, which has its own with these in it. */
export const optionsProperty: INodeProperties = {
	...optionsCollection(limitOptions),
	displayOptions: { hide: { resource: ['resource'], operation: ['search'] } },
};
