// Search (Get Many): resources of any type by search parameters (name/value pairs, names from the
// server's CapabilityStatement) or a raw query string; Return All / Limit through the one
// pagination code; `_include` / `_revinclude`, `_elements`, `_sort`; Count Only (`_summary=count`).
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { apiError } from '../../../shared/errors';
import { readLimit } from '../../../shared/values';
import { returnAllLimitProperties } from '../../../shared/descriptions';
import { assertIncludes, assertSupports } from '../../helpers/capabilities';
import { parseQuery, resourceTypeParam } from '../../helpers/resource';
import { readList, type IncludedMode } from '../../helpers/search';
import { fhirRequest } from '../../helpers/write';
import { joinUrl, type ApiRequest } from '../../../shared/http';
import { resourceTypeProperty, simplifyProperty } from '../../descriptions/resource';
import { limitOptions } from '../../descriptions/options';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['search'] };

/** Name (from the CapabilityStatement) and value of one search parameter (also the triggers' filters). */
export const searchParameterValues: INodeProperties[] = [
	{
		displayName: 'Name or ID',
		name: 'name',
		type: 'options',
		typeOptions: {
			loadOptionsMethod: 'getSearchParameters',
			loadOptionsDependsOn: ['resourceType'],
		},
		default: '',
		description:
			'The search parameter, e.g. patient, code or date (a modifier with an expression: code:text). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		description:
			'The value in FHIR search syntax, e.g. pt-00001, http://loinc.org|8867-4 or ge2024-01-01',
	},
];

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to search, e.g. Observation.'),
	{
		displayName: 'Search By',
		name: 'searchBy',
		type: 'options',
		options: [
			{
				name: 'Search Parameters',
				value: 'parameters',
				description: "Name/value pairs, names from the server's list",
			},
			{
				name: 'Query String',
				value: 'query',
				description: 'A FHIR query string such as patient=pt-1&status=final',
			},
		],
		default: 'parameters',
		displayOptions: { show },
	},
	{
		displayName: 'Search Parameters',
		name: 'searchParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Search Parameter',
		default: {},
		description:
			'The search parameters, all of which must match (none: every resource of the type the credential may read)',
		displayOptions: { show: { ...show, searchBy: ['parameters'] } },
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: searchParameterValues,
			},
		],
	},
	{
		displayName: 'Query String',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: 'e.g. patient=pt-00001&status=final&date=ge2024-01-01',
		description:
			'The search as a FHIR query string (what follows "?" in a search URL); empty: every resource of the type',
		displayOptions: { show: { ...show, searchBy: ['query'] } },
	},
	...returnAllLimitProperties(show),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			...limitOptions,
			{
				displayName: 'Count Only',
				name: 'countOnly',
				type: 'boolean',
				default: false,
				description:
					'Whether to return one item with the number of matching resources (_summary=count) instead of the resources',
			},
			{
				displayName: 'Elements',
				name: 'elements',
				type: 'string',
				default: '',
				placeholder: 'e.g. status,code,valueQuantity',
				description: 'Only these top-level elements of each resource (_elements), comma-separated',
			},
			{
				displayName: 'Include',
				name: 'include',
				type: 'string',
				default: '',
				placeholder: 'e.g. Observation:patient',
				description:
					'Also return the resources the matches reference (_include), comma-separated for several',
			},
			{
				displayName: 'Included Resources',
				name: 'includedMode',
				type: 'options',
				options: [
					{
						name: 'Attach to the Resource',
						value: 'attach',
						description:
							'In an _included list on the resource that references them (or that they reference)',
					},
					{
						name: 'As Separate Items',
						value: 'separate',
						description: 'One item each (once), after the resource, with _includedBy naming it',
					},
				],
				default: 'attach',
				description: 'Where the resources of Include and Reverse Include go',
			},
			{
				displayName: 'Reverse Include',
				name: 'revinclude',
				type: 'string',
				default: '',
				placeholder: 'e.g. Observation:subject',
				description:
					'Also return the resources that reference the matches (_revinclude), comma-separated for several',
			},
			{
				displayName: 'Sort',
				name: 'sort',
				type: 'string',
				default: '',
				placeholder: 'e.g. -date',
				description:
					'The sort order (_sort): search parameter names, comma-separated, "-" for descending',
			},
		],
	},
	simplifyProperty(show),
];

function list(v: unknown): string[] {
	return String(v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

/** The search parameters of the item, as request parameters. */
function searchQuery(this: IExecuteFunctions, itemIndex: number): NonNullable<ApiRequest['qs']> {
	if (this.getNodeParameter('searchBy', itemIndex, 'parameters') === 'query')
		return parseQuery(String(this.getNodeParameter('query', itemIndex, '') ?? ''));
	const pairs = ((this.getNodeParameter('searchParameters', itemIndex, {}) as IDataObject)
		.parameter ?? []) as IDataObject[];
	const query = new URLSearchParams();
	for (const p of pairs) {
		const name = String(p.name ?? '').trim();
		if (!name) {
			throw new NodeOperationError(this.getNode(), 'A search parameter has no name', {
				itemIndex,
				description: 'Choose a name for every search parameter, or remove the empty one.',
			});
		}
		query.append(name, String(p.value ?? ''));
	}
	return parseQuery(query.toString());
}

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { profile } = ctx;
	const type = resourceTypeParam.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const qs = searchQuery.call(this, itemIndex);
	const countOnly = options.countOnly === true;
	const limit = countOnly ? 1 : readLimit(this, itemIndex, 'resources');
	const what = `Search ${type}`;
	await assertSupports.call(this, ctx.capabilities, type, 'search-type', itemIndex);
	if (options.elements) qs._elements = list(options.elements).join(',');
	if (options.sort) qs._sort = list(options.sort).join(',');
	for (const [which, value] of [
		['_include', options.include],
		['_revinclude', options.revinclude],
	] as const) {
		const values = list(value);
		if (!values.length) continue;
		await assertIncludes.call(this, ctx.capabilities, type, which, values, itemIndex);
		qs[which] = values;
	}
	if (countOnly) {
		qs._summary = 'count';
		const res = await fhirRequest.call(this, ctx, {
			method: 'GET',
			path: [type],
			qs,
			what,
			itemIndex,
		});
		const total = (res.body as IDataObject | undefined)?.total;
		if (typeof total !== 'number') {
			throw apiError(this.getNode(), {
				what,
				status: res.status,
				message: `${what} failed: the server did not say how many resources match (no Bundle.total)`,
				hint: 'Turn off Count Only and count the items instead.',
				itemIndex,
			});
		}
		return [{ json: { resourceType: type, total }, pairedItem: { item: itemIndex } }];
	}
	// the page size: as the user asked, else as large as the server takes (eMedicalPractice ignores it)
	if (profile.pageSizeParam && qs[profile.pageSizeParam] === undefined && qs._count === undefined) {
		qs[profile.pageSizeParam] =
			limit === Infinity ? profile.pageSize : Math.min(limit, profile.maxPageSize);
	}
	return await readList.call(
		this,
		ctx,
		{
			method: 'GET',
			url: joinUrl(profile.fhirBaseUrl, type),
			qs,
			headers: { Accept: profile.accept },
		},
		{
			limit,
			simplify: this.getNodeParameter('simplify', itemIndex, false) as boolean,
			included: (options.includedMode as IncludedMode | undefined) ?? 'attach',
			what,
			itemIndex,
		},
	);
}
