// Create or Update: conditional update (`PUT [type]?[search]`): the one resource matching the
// search is replaced, none → created, several → an error (never a guess). Idempotent, so repeated
// automatically after a lost answer.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { conditionParam, parseQuery, resourceBody, resourceTypeParam } from '../../helpers/resource';
import { fhirRequest, preconditionFailed, resourceItem, RETURN_REPRESENTATION, writtenResource } from '../../helpers/write';
import { bodyProperties, conditionProperty, resourceTypeProperty, simplifyProperty } from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['upsert'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to create or update, e.g. Patient.'),
	conditionProperty(show, 'The search that finds the resource to update, e.g. identifier=http://clinic.example/mrn|12345: none found → created; one → replaced; several → error'),
	...bodyProperties(show, 'resource (the whole resource: elements left out are removed on update)'),
	simplifyProperty(show),
];

export async function execute(this: IExecuteFunctions, ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const condition = conditionParam.call(this, itemIndex);
	const body = resourceBody.call(this, itemIndex, type);
	await assertSupports.call(this, ctx.capabilities, type, 'conditional-update', itemIndex);
	const what = `Create or update ${type} (${condition.slice(0, 200)})`;
	const res = await fhirRequest.call(this, ctx, {
		method: 'PUT',
		path: [type],
		qs: parseQuery(condition),
		body,
		headers: RETURN_REPRESENTATION,
		retry: true,
		okStatuses: [412],
		what,
		itemIndex,
	});
	if (res.status === 412) {
		throw preconditionFailed.call(this, res, what, `several ${type} resources match ${condition}, so it is not clear which one to update`, 'Make the search match at most one resource (e.g. by identifier with its system), or clean up the duplicates.', itemIndex);
	}
	return [resourceItem(writtenResource(res, type), itemIndex, this.getNodeParameter('simplify', itemIndex, false) as boolean)];
}
