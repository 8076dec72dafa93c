// Delete: `DELETE [type]/[id]`; outputs `{ deleted: true, resourceType, id }`. Repeated
// automatically after a lost answer (a resource already gone, 410, counts as deleted).
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { resourceRefParam, resourceTypeParam } from '../../helpers/resource';
import { fhirRequest } from '../../helpers/write';
import { shownId } from '../../helpers/patient';
import { resourceIdProperty, resourceTypeProperty } from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['delete'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to delete, e.g. Observation.'),
	resourceIdProperty(show, 'The resource to delete'),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const ref = resourceRefParam.call(this, itemIndex, ctx.profile.fhirBaseUrl, type);
	await assertSupports.call(this, ctx.capabilities, type, 'delete', itemIndex);
	await fhirRequest.call(this, ctx, {
		method: 'DELETE',
		path: [type, ref.id],
		retry: true,
		okStatuses: [410],
		what: `Delete ${type}/${shownId(ref.id)}`,
		itemIndex,
	});
	return [
		{ json: { deleted: true, resourceType: type, id: ref.id }, pairedItem: { item: itemIndex } },
	];
}
