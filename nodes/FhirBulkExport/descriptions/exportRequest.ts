// The export request of Bulk Export and Start Export: level, group, resource types, _since, and
// the kick-off options (read by helpers/params.ts → readExportRequest).
import type { INodeProperties } from 'n8n-workflow';
import { showFor } from './show';

/** The resource types offered in the Resource Types list (others go into More Resource Types). */
export const COMMON_TYPES = [
	'AllergyIntolerance',
	'CarePlan',
	'CareTeam',
	'Condition',
	'Coverage',
	'Device',
	'DiagnosticReport',
	'DocumentReference',
	'Encounter',
	'Goal',
	'Immunization',
	'Location',
	'Medication',
	'MedicationRequest',
	'Observation',
	'Organization',
	'Patient',
	'Practitioner',
	'PractitionerRole',
	'Procedure',
	'Provenance',
];

export const exportRequestProperties: INodeProperties[] = [
	{
		displayName: 'Export Level',
		name: 'level',
		type: 'options',
		options: [
			{
				name: 'System (All Data)',
				value: 'system',
				description: '[base]/$export',
			},
			{
				name: 'All Patients',
				value: 'patient',
				description: '[base]/Patient/$export',
			},
			{
				name: 'Group',
				value: 'group',
				description: '[base]/Group/{ID}/$export',
			},
		],
		default: 'patient',
		displayOptions: showFor(['bulkExport', 'startExport']),
	},
	{
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. group-1',
		displayOptions: {
			show: { operation: ['bulkExport', 'startExport'], level: ['group'] },
		},
	},
	{
		displayName: 'Resource Types',
		name: 'types',
		type: 'multiOptions',
		options: COMMON_TYPES.map((t) => ({ name: t, value: t })),
		default: [],
		description: 'Resource types to export (_type). Empty = every type the server exports.',
		displayOptions: showFor(['bulkExport', 'startExport']),
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2025-01-01T00:00:00Z',
		description:
			"Only resources changed at or after this instant (_since). Use the previous run's transactionTime for incremental exports.",
		displayOptions: showFor(['bulkExport', 'startExport']),
	},
	{
		displayName: 'Export Options',
		name: 'exportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor(['bulkExport', 'startExport']),
		options: [
			{
				displayName: 'Elements',
				name: 'elements',
				type: 'string',
				default: '',
				placeholder: 'e.g. id,name,Immunization.vaccineCode',
				description: 'Comma-separated elements to include (_elements)',
			},
			{
				displayName: 'Extra Parameters',
				name: 'extraParameters',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Any other kick-off parameter as name and value',
				options: [
					{
						displayName: 'Parameter',
						name: 'parameter',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
							},
						],
					},
				],
			},
			{
				displayName: 'Include Associated Data',
				name: 'includeAssociatedData',
				type: 'multiOptions',
				options: [
					{
						name: 'Latest Provenance Resources',
						value: 'LatestProvenanceResources',
					},
					{
						name: 'Relevant Provenance Resources',
						value: 'RelevantProvenanceResources',
					},
				],
				default: [],
			},
			{
				displayName: 'Kick-Off Method',
				name: 'method',
				type: 'options',
				options: [
					{ name: 'Automatic (POST When Patients Are Given)', value: 'auto' },
					{ name: 'GET', value: 'GET' },
					{ name: 'POST (Parameters Body)', value: 'POST' },
				],
				default: 'auto',
			},
			{
				displayName: 'More Resource Types',
				name: 'moreTypes',
				type: 'string',
				default: '',
				placeholder: 'e.g. MedicationDispense,ServiceRequest',
				description: 'Comma-separated resource types not in the list above',
			},
			{
				displayName: 'Output Format',
				name: 'outputFormat',
				type: 'string',
				default: 'application/fhir+ndjson',
				description: 'Value of _outputFormat (empty = leave it out)',
			},
			{
				displayName: 'Patient References',
				name: 'patients',
				type: 'string',
				default: '',
				placeholder: 'e.g. Patient/123, Patient/456',
				description:
					'Comma-separated patients to export (sent as patient parameters in a POST kick-off; Patient or Group level only)',
			},
			{
				displayName: 'Type Filters',
				name: 'typeFilters',
				type: 'string',
				typeOptions: { multipleValues: true },
				default: [],
				placeholder: 'e.g. Immunization?status=completed',
				description: 'FHIR search queries limiting a type (_typeFilter), one per entry',
			},
			{
				displayName: 'Until',
				name: 'until',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2025-06-30T23:59:59Z',
				description: 'Only resources changed at or before this instant (_until)',
			},
		],
	},
];
