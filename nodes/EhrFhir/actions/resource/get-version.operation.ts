// Get Version (vread): one version of a resource, `GET [type]/[id]/_history/[version]`.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { resourceRefParam, resourceTypeParam, versionParam } from '../../helpers/resource';
import { readResource } from '../../helpers/read';
import {
	resourceIdProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['getVersion'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show),
	resourceIdProperty(show, 'The resource whose version to get'),
	{
		displayName: 'Version ID',
		name: 'versionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 2',
		description:
			'The version to read (meta.versionId of that version, or the version number in an ETag such as W/"2")',
		displayOptions: { show },
	},
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const ref = resourceRefParam.call(this, itemIndex, ctx.profile.fhirBaseUrl, type);
	const version = versionParam.call(this, itemIndex, 'versionId', true);
	await assertSupports.call(this, ctx.capabilities, type, 'vread', itemIndex);
	return [await readResource.call(this, ctx, { ...ref, version }, itemIndex)];
}
