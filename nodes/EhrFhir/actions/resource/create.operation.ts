// Create: `POST [type]` with the resource from a JSON field or the input item. Not repeated
// automatically (it is not idempotent): a lost answer is "state unknown".
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { resourceBody, resourceTypeParam } from '../../helpers/resource';
import {
	createOnce,
	resourceItem,
	RETURN_REPRESENTATION,
	writtenResource,
} from '../../helpers/write';
import {
	bodyProperties,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['create'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to create, e.g. Observation.'),
	...bodyProperties(show, 'resource to create'),
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const body = resourceBody.call(this, itemIndex, type);
	await assertSupports.call(this, ctx.capabilities, type, 'create', itemIndex);
	const res = await createOnce.call(this, ctx, {
		method: 'POST',
		path: [type],
		body,
		headers: RETURN_REPRESENTATION,
		what: `Create ${type}`,
		itemIndex,
	});
	return [
		resourceItem(
			writtenResource(res, type),
			itemIndex,
			this.getNodeParameter('simplify', itemIndex, false) as boolean,
		),
	];
}
