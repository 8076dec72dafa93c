// The EHR FHIR Trigger's parameters: credential, event, resource type (the EHR FHIR node's
// CapabilityStatement dropdown), search filters and options.
import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty } from '../../shared/credential-types';
import { FHIR_CREDENTIAL_TYPES } from '../../shared/vendors';
import { searchParameterValues } from '../../EhrFhir/actions/resource/search.operation';

/** Max Items per Poll when the option is not set */
export const DEFAULT_MAX_ITEMS = 100;
/** how many resources "Fetch Test Event" shows */
export const SAMPLE_SIZE = 3;

export const properties: INodeProperties[] = [
	authenticationProperty(
		FHIR_CREDENTIAL_TYPES,
		'The EHR or portal to watch, by its kind of credential',
	),
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'New or Updated Resource',
				value: 'resourceChanged',
				description: 'A resource of the type was created or changed since the last poll',
			},
		],
		default: 'resourceChanged',
	},
	{
		displayName: 'Resource Type Name or ID',
		name: 'resourceType',
		type: 'options',
		noDataExpression: true,
		typeOptions: { loadOptionsMethod: 'getResourceTypes' },
		default: 'Patient',
		required: true,
		description:
			'The FHIR resource type to watch, e.g. Patient or Immunization (the list comes from the server\'s CapabilityStatement). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Search Filters',
		name: 'searchParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Search Filter',
		default: {},
		description:
			'Only resources matching all of these search parameters (none: every resource of the type the credential may read)',
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: searchParameterValues,
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Max Items per Poll',
				name: 'maxItems',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_ITEMS,
				description:
					'The most resources one poll delivers; the rest follow with the next polls, oldest change first',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: false,
				description:
					'Whether to return flat fields instead of the full FHIR resource (Patient, Immunization, Observation, …)',
			},
			{
				displayName: 'Start From',
				name: 'startFrom',
				type: 'dateTime',
				default: '',
				description:
					'Deliver the changes made since this date when the trigger starts (first activation, or after Resource Type or Search Filters changed); empty: only changes made after it starts',
			},
		],
	},
];
