// History: the versions of one resource (`[type]/[id]/_history`) or of every resource of a type
// (`[type]/_history`), newest first, Return All / Limit through the one pagination code.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { readLimit } from '../../../shared/values';
import { returnAllLimitProperties } from '../../../shared/descriptions';
import { joinUrl } from '../../../shared/http';
import { assertSupports } from '../../helpers/capabilities';
import { resourceRefParam, resourceTypeParam } from '../../helpers/resource';
import { readList } from '../../helpers/search';
import { shownId } from '../../helpers/patient';
import {
	resourceIdProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['history'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show),
	{
		displayName: 'Of',
		name: 'historyOf',
		type: 'options',
		options: [
			{ name: 'One Resource', value: 'resource', description: 'Every version of one resource' },
			{
				name: 'All Resources of the Type',
				value: 'type',
				description: 'Every change to any resource of the type',
			},
		],
		default: 'resource',
		displayOptions: { show },
	},
	resourceIdProperty({ ...show, historyOf: ['resource'] }, 'The resource whose versions to list'),
	...returnAllLimitProperties(show),
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { profile } = ctx;
	const type = resourceTypeParam.call(this, itemIndex);
	const ofType = this.getNodeParameter('historyOf', itemIndex, 'resource') === 'type';
	const ref = ofType
		? undefined
		: resourceRefParam.call(this, itemIndex, profile.fhirBaseUrl, type);
	const limit = readLimit(this, itemIndex, 'versions');
	await assertSupports.call(
		this,
		ctx.capabilities,
		type,
		ofType ? 'history-type' : 'history-instance',
		itemIndex,
	);
	const what = ref ? `History of ${type}/${shownId(ref.id)}` : `History of ${type}`;
	const qs = profile.pageSizeParam
		? {
				[profile.pageSizeParam]:
					limit === Infinity ? profile.pageSize : Math.min(limit, profile.maxPageSize),
			}
		: undefined;
	const url = ref
		? joinUrl(profile.fhirBaseUrl, type, ref.id, '_history')
		: joinUrl(profile.fhirBaseUrl, type, '_history');
	return await readList.call(
		this,
		ctx,
		{ method: 'GET', url, qs, headers: { Accept: profile.accept } },
		{
			limit,
			simplify: this.getNodeParameter('simplify', itemIndex, false) as boolean,
			included: 'separate',
			history: true,
			what,
			itemIndex,
		},
	);
}
