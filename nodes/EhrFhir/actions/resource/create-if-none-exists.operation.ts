// Create If None Exists: conditional create (`POST [type]` with If-None-Exist): the resource is
// created only when no resource matches the search; one match is the answer; several are an
// error. Idempotent, so repeated automatically after a lost answer.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { conditionParam, resourceBody, resourceTypeParam } from '../../helpers/resource';
import { guardedWrite } from '../../helpers/write';
import { SEVERAL_HINT } from '../../descriptions/resource';
import {
	bodyProperties,
	conditionProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['createIfNoneExists'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to create, e.g. Patient.'),
	conditionProperty(
		show,
		'The search that finds the resource if it already exists (sent as If-None-Exist), e.g. identifier=http://clinic.example/mrn|12345: none found → created; one → that one is returned; several → error',
	),
	...bodyProperties(show, 'resource to create'),
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const condition = conditionParam.call(this, itemIndex);
	const body = resourceBody.call(this, itemIndex, type);
	await assertSupports.call(this, ctx.capabilities, type, 'conditional-create', itemIndex);
	const what = `Create ${type} if none exists (${condition.slice(0, 200)})`;
	return await guardedWrite.call(
		this,
		ctx,
		type,
		{
			method: 'POST',
			path: [type],
			body,
			headers: { 'If-None-Exist': condition },
			retry: true,
			what,
			itemIndex,
		},
		{
			reason: `several ${type} resources match ${condition}, so it is not clear which one is meant`,
			hint: SEVERAL_HINT,
		},
	);
}
