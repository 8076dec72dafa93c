// The Operation dropdowns of the FHIR Resource and Bundle resources (what an AI tool reads too).
import type { INodeProperties } from 'n8n-workflow';

export const resourceOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['resource'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a FHIR resource',
			description: 'Create a resource of any type (POST); not repeated automatically',
		},
		{
			name: 'Create If None Exists',
			value: 'createIfNoneExists',
			action: 'Create a FHIR resource if none matches a search',
			description:
				'Create a resource only when no resource matches a search (conditional create, If-None-Exist); safe to repeat',
		},
		{
			name: 'Create or Update',
			value: 'upsert',
			action: 'Create or update a FHIR resource matched by a search',
			description: 'Create a new record, or update the current one if it already exists (upsert)',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a FHIR resource',
			description: 'Delete a resource by type and ID',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a FHIR resource',
			description: 'Get a resource of any type by ID or URL',
		},
		{
			name: 'Get Many',
			value: 'search',
			action: 'Search FHIR resources',
			description: 'Search resources of any type by search parameters or a query string',
		},
		{
			name: 'Get Version',
			value: 'getVersion',
			action: 'Get a version of a FHIR resource',
			description: 'Get one earlier (or the current) version of a resource (vread)',
		},
		{
			name: 'History',
			value: 'history',
			action: 'List the versions of FHIR resources',
			description: 'List the versions of one resource, or the changes to every resource of a type',
		},
		{
			name: 'Patch',
			value: 'patch',
			action: 'Patch a FHIR resource',
			description: 'Change parts of a resource with a JSON Patch',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update a FHIR resource',
			description:
				'Replace a resource by type and ID (PUT), optionally only if it is still at a version',
		},
	],
	default: 'get',
};

export const bundleOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['bundle'] } },
	options: [
		{
			name: 'Batch',
			value: 'batch',
			action: 'Send the items as a FHIR batch',
			description:
				'Send every input item as one entry of a Batch Bundle: each entry succeeds or fails on its own',
		},
		{
			name: 'Transaction',
			value: 'transaction',
			action: 'Send the items as a FHIR transaction',
			description:
				'Send every input item as one entry of a Transaction Bundle: all entries are written, or none',
		},
	],
	default: 'transaction',
};
