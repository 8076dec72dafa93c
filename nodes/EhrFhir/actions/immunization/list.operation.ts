// List Immunizations: one item per immunization, for one patient or every patient the credential
// may see; dates and status filtered by the server where the vendor supports it, else locally.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { joinUrl, type ApiRequest } from '../../../shared/http';
import { paginate } from '../../../shared/pagination';
import { immunizationMatches, simplifyImmunization } from '../../../shared/fhir';
import { parseDate, readLimit } from '../../../shared/values';
import { returnAllLimitProperties } from '../../../shared/descriptions';
import { patientIdParam, shownId } from '../../helpers/patient';
import { patientLocator } from '../../descriptions/patient';
import type { OperationContext } from '../../helpers/context';
import { requestLimits } from '../../helpers/limits';

const show = { resource: ['immunization'], operation: ['list'] };

export const description: INodeProperties[] = [
	{
		displayName: 'For',
		name: 'scope',
		type: 'options',
		options: [
			{ name: 'One Patient', value: 'patient', description: 'The immunizations of one patient' },
			{
				name: 'All Patients',
				value: 'all',
				description:
					'Every immunization the credential may read (a patient login sees only that patient)',
			},
		],
		default: 'patient',
		displayOptions: { show },
	},
	...patientLocator({ ...show, scope: ['patient'] }, 'The patient whose immunizations to list'),
	...returnAllLimitProperties(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Date From',
				name: 'dateFrom',
				type: 'dateTime',
				default: '',
				description: 'Only immunizations given on or after this day',
			},
			{
				displayName: 'Date To',
				name: 'dateTo',
				type: 'dateTime',
				default: '',
				description: 'Only immunizations given on or before this day',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Completed', value: 'completed' },
					{ name: 'Entered in Error', value: 'entered-in-error' },
					{ name: 'Not Done', value: 'not-done' },
				],
				default: [],
				description: 'Only immunizations with one of these statuses',
			},
		],
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return flat fields (vaccine code and name, date, status, lot number, performer) instead of the full FHIR Immunization',
		displayOptions: { show },
	},
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { profile } = ctx;
	const scope = this.getNodeParameter('scope', itemIndex, 'patient') as string;
	// 0, a negative number or NaN is refused; a fraction (2.5) is rounded down (servers refuse it as the page size)
	const limit = readLimit(this, itemIndex, 'immunizations');
	const returnAll = limit === Infinity;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const day = (field: 'dateFrom' | 'dateTo', label: string): string | undefined => {
		const parsed = parseDate(filters[field]);
		const d = parsed === null ? null : parsed?.day;
		if (d === null) {
			const shown =
				filters[field] instanceof Date || typeof filters[field] === 'object'
					? 'the value given'
					: String(filters[field]);
			throw new NodeOperationError(
				this.getNode(),
				`${label} "${shown.slice(0, 100)}" is not a date`,
				{
					description: 'Enter a date such as 2024-05-31 (or pick one), or remove the filter.',
					itemIndex,
				},
			);
		}
		return d;
	};
	const from = day('dateFrom', 'Date From');
	const to = day('dateTo', 'Date To');
	const statuses = ((filters.status as string[] | undefined) ?? []).filter(Boolean);
	if (from && to && from > to) {
		throw new NodeOperationError(this.getNode(), `Date From (${from}) is after Date To (${to})`, {
			description: 'Swap the two dates.',
			itemIndex,
		});
	}

	const qs: ApiRequest['qs'] = {};
	let what = 'List Immunizations';
	if (scope === 'patient') {
		const id = patientIdParam.call(this, itemIndex, ctx.profile.fhirBaseUrl);
		qs[profile.immunizations.patientParam] = id;
		what = `List Immunizations of patient ${shownId(id)}`;
	} else if (!profile.immunizations.allPatients) {
		throw new NodeOperationError(
			this.getNode(),
			`${profile.vendor} cannot list the immunizations of all patients at once`,
			{
				description: 'Choose "One Patient" and give a patient ID.',
				itemIndex,
			},
		);
	}
	// server-side filters where the vendor has them; otherwise (or for a status this FHIR version
	// does not have) the node filters each page itself
	const local: { from?: string; to?: string; statuses?: string[] } = {};
	if (from || to) {
		if (profile.immunizations.dateFilter)
			qs.date = [from ? `ge${from}` : '', to ? `le${to}` : ''].filter(Boolean);
		else Object.assign(local, { from, to });
	}
	if (statuses.length) {
		const serverKnows = statuses.every((s) => profile.immunizations.statuses.includes(s));
		if (profile.immunizations.statusFilter && serverKnows) qs.status = statuses.join(',');
		else local.statuses = statuses;
	}
	const filtersLocally = Boolean(local.from || local.to || local.statuses);
	if (profile.pageSizeParam) {
		const size =
			returnAll || filtersLocally ? profile.pageSize : Math.min(limit, profile.maxPageSize);
		qs[profile.pageSizeParam] = size;
	}

	const out: INodeExecutionData[] = [];
	const pages = paginate(
		this,
		ctx.credentialType,
		{
			method: 'GET',
			url: joinUrl(profile.fhirBaseUrl, 'Immunization'),
			qs,
			headers: { Accept: profile.accept },
			what,
			itemIndex,
			...requestLimits(this, itemIndex),
		},
		{ what, itemIndex, maxPages: 5000 },
	);
	for await (const page of pages) {
		for (const entry of page.entries) {
			const resource = entry as IDataObject;
			if (resource?.resourceType !== undefined && resource.resourceType !== 'Immunization')
				continue;
			if (filtersLocally && !immunizationMatches(resource, local)) continue;
			out.push({
				json: simplify ? simplifyImmunization(resource) : resource,
				pairedItem: { item: itemIndex },
			});
			if (out.length >= limit) break;
		}
		if (out.length >= limit) break; // stops fetching further pages
	}
	return out;
}
