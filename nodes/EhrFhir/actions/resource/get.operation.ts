// Get: one resource of any type, by ID or by its URL on the credential's server (a URL with
// `/_history/<v>` reads that version).
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { resourceRefParam, resourceTypeParam } from '../../helpers/resource';
import { readResource } from '../../helpers/read';
import {
	resourceIdProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['get'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show),
	resourceIdProperty(show, 'The resource to get'),
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const ref = resourceRefParam.call(this, itemIndex, ctx.profile.fhirBaseUrl, type);
	await assertSupports.call(
		this,
		ctx.capabilities,
		type,
		ref.version ? 'vread' : 'read',
		itemIndex,
	);
	return [await readResource.call(this, ctx, ref, itemIndex)];
}
