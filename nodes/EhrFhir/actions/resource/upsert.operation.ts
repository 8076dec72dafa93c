// Create or Update: conditional update (`PUT [type]?[search]`): the one resource matching the
// search is replaced, none → created, several → an error (never a guess). Idempotent, so repeated
// automatically after a lost answer.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import {
	conditionParam,
	parseQuery,
	resourceBody,
	resourceTypeParam,
} from '../../helpers/resource';
import { guardedWrite } from '../../helpers/write';
import { SEVERAL_HINT } from '../../descriptions/resource';
import {
	bodyProperties,
	conditionProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['upsert'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to create or update, e.g. Patient.'),
	conditionProperty(
		show,
		'The search that finds the resource to update, e.g. identifier=http://clinic.example/mrn|12345: none found → created; one → replaced; several → error',
	),
	...bodyProperties(show, 'resource (the whole resource: elements left out are removed on update)'),
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
	await assertSupports.call(this, ctx.capabilities, type, 'conditional-update', itemIndex);
	const what = `Create or update ${type} (${condition.slice(0, 200)})`;
	return await guardedWrite.call(
		this,
		ctx,
		type,
		{ method: 'PUT', path: [type], qs: parseQuery(condition), body, retry: true, what, itemIndex },
		{
			reason: `several ${type} resources match ${condition}, so it is not clear which one to update`,
			hint: SEVERAL_HINT,
		},
	);
}
