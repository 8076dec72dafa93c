// Property blocks the FHIR Resource, Bundle and Patient Everything operations share.
import type { INodeProperties } from 'n8n-workflow';

type Show = Record<string, string[]>;

/** Resource Type: loaded from the server's CapabilityStatement, or an expression. */
export function resourceTypeProperty(
	show: Show,
	description = 'The FHIR resource type, e.g. Observation. The list shows the types the server declares in its CapabilityStatement.',
): INodeProperties {
	return {
		displayName: 'Resource Type Name or ID',
		name: 'resourceType',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getResourceTypes' },
		default: '',
		required: true,
		description: `${description} Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>`,
		displayOptions: { show },
	};
}

/** Resource ID: an ID of the chosen type, or the full URL on the credential's server. */
export function resourceIdProperty(show: Show, description: string): INodeProperties {
	return {
		displayName: 'Resource ID',
		name: 'resourceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. obs-00001',
		description: `${description}: its ID (e.g. obs-00001), or its full URL on the credential's FHIR server (e.g. https://fhir.example.org/r4/Observation/obs-00001).`,
		displayOptions: { show },
	};
}

/** Body From + Body: the resource to send, from a JSON field or the input item. */
export function bodyProperties(show: Show, what: string): INodeProperties[] {
	return [
		{
			displayName: 'Body From',
			name: 'bodyFrom',
			type: 'options',
			options: [
				{
					name: 'JSON Field',
					value: 'json',
					description: 'The resource as JSON in the Body field (expressions allowed)',
				},
				{
					name: 'Input Item',
					value: 'item',
					description: 'The JSON of the input item is the resource',
				},
			],
			default: 'json',
			description: `Where the ${what} comes from`,
			displayOptions: { show },
		},
		{
			displayName: 'Body',
			name: 'body',
			type: 'json',
			default: '{\n  "resourceType": ""\n}',
			required: true,
			description: `The ${what}: a FHIR resource as JSON whose "resourceType" is the chosen type, checked before anything is sent`,
			displayOptions: { show: { ...show, bodyFrom: ['json'] } },
		},
	];
}

/** The search that finds the one existing resource (conditional create / update). */
export function conditionProperty(show: Show, description: string): INodeProperties {
	return {
		displayName: 'Match By (Search)',
		name: 'condition',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. identifier=http://clinic.example/mrn|12345',
		description,
		displayOptions: { show },
	};
}

/** Simplify for the operations that return resources of the chosen type. */
export function simplifyProperty(show: Show): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: false,
		description:
			'Whether to return flat fields instead of the full FHIR resource, for Patient, Immunization, AllergyIntolerance, Condition, MedicationRequest, Observation (value with unit), Encounter and Appointment (other types are returned as they are)',
		displayOptions: { show },
	};
}

/** An optional version for If-Match: the write fails when the resource changed since. */
export function ifMatchProperty(show: Show): INodeProperties {
	return {
		displayName: 'Only If Version',
		name: 'ifMatch',
		type: 'string',
		default: '',
		placeholder: 'e.g. 3',
		description:
			'The version ID (meta.versionId) the resource must still have (sent as If-Match); when it changed meanwhile the server refuses with 412 and nothing is written. Empty: no check.',
		displayOptions: { show },
	};
}

/** What to do when a conditional write matches several resources. */
export const SEVERAL_HINT =
	'Make the search match at most one resource (e.g. by identifier with its system), or clean up the duplicates.';
