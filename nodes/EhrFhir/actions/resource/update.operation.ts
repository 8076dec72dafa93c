// Update: `PUT [type]/[id]` with the whole resource, optionally only if it is still at a version
// (If-Match). Idempotent, so repeated automatically after a lost answer.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { etagOf, resourceBody, resourceRefParam, resourceTypeParam, versionParam } from '../../helpers/resource';
import { fhirRequest, preconditionFailed, resourceItem, RETURN_REPRESENTATION, writtenResource } from '../../helpers/write';
import { shownId } from '../../helpers/patient';
import { bodyProperties, ifMatchProperty, resourceIdProperty, resourceTypeProperty, simplifyProperty } from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['update'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to update, e.g. Patient.'),
	resourceIdProperty(show, 'The resource to replace'),
	...bodyProperties(show, 'new content of the resource (the whole resource: elements left out are removed)'),
	ifMatchProperty(show),
	simplifyProperty(show),
];

export async function execute(this: IExecuteFunctions, ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const ref = resourceRefParam.call(this, itemIndex, ctx.profile.fhirBaseUrl, type);
	const body = resourceBody.call(this, itemIndex, type, ref.id);
	const version = versionParam.call(this, itemIndex, 'ifMatch', false);
	await assertSupports.call(this, ctx.capabilities, type, 'update', itemIndex);
	const what = `Update ${type}/${shownId(ref.id)}`;
	const res = await fhirRequest.call(this, ctx, {
		method: 'PUT',
		path: [type, ref.id],
		body,
		headers: { ...RETURN_REPRESENTATION, ...(version ? { 'If-Match': etagOf(version) } : {}) },
		retry: true,
		okStatuses: [412],
		what,
		itemIndex,
	});
	if (res.status === 412) {
		throw preconditionFailed.call(this, res, what, `${type}/${shownId(ref.id)} is no longer at version ${String(version)} (it changed meanwhile)`, 'Get the resource again, apply the change to its current version and update with that version.', itemIndex);
	}
	return [resourceItem(writtenResource(res, type), itemIndex, this.getNodeParameter('simplify', itemIndex, false) as boolean)];
}
