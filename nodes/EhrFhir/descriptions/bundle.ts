// The Bundle entry of each input item (Batch and Transaction).
import type { INodeProperties } from 'n8n-workflow';
import { bodyProperties } from './resource';

export function entryProperties(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Method',
			name: 'method',
			type: 'options',
			options: [
				{ name: 'DELETE', value: 'DELETE', description: 'Delete the resource at the URL' },
				{ name: 'GET', value: 'GET', description: 'Read the resource at the URL, or search' },
				{ name: 'POST', value: 'POST', description: 'Create the resource (URL: its type)' },
				{
					name: 'PUT',
					value: 'PUT',
					description:
						'Replace the resource at the URL, or create or update by a search (Patient?identifier=…)',
				},
			],
			default: 'POST',
			description:
				"What this item's entry does; evaluated per item, so an expression can choose it from the item",
			displayOptions: { show },
		},
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder:
				'e.g. Patient, Patient/pt-00001 or Patient?identifier=http://clinic.example/mrn|123',
			description:
				"The entry's URL relative to the FHIR base: a type (create), Type/ID (update, delete, read) or Type?search (conditional update, search)",
			displayOptions: { show },
		},
		...bodyProperties({ ...show, method: ['POST', 'PUT'] }, 'resource of the entry').map((p) =>
			p.name === 'bodyFrom' ? { ...p, default: 'item' } : p,
		),
		{
			displayName: 'Entry Options',
			name: 'entryOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Full URL',
					name: 'fullUrl',
					type: 'string',
					default: '',
					placeholder: 'e.g. urn:uuid:0b7c4b9e-1f0a-4c1e-9d3a-5f6e7a8b9c0d',
					description:
						"The entry's fullUrl: a urn:uuid other entries of the same transaction use as a reference to the resource this entry creates",
				},
				{
					displayName: 'If None Exist',
					name: 'ifNoneExist',
					type: 'string',
					default: '',
					placeholder: 'e.g. identifier=http://clinic.example/mrn|123',
					description:
						'For POST: create only when no resource matches this search (conditional create)',
				},
				{
					displayName: 'Only If Version',
					name: 'ifMatch',
					type: 'string',
					default: '',
					placeholder: 'e.g. 3',
					description: 'For PUT and DELETE: the version ID the resource must still have (If-Match)',
				},
			],
		},
	];
}
