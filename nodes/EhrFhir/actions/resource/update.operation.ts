// Update: `PUT [type]/[id]` with the whole resource, optionally only if it is still at a version
// (If-Match). Idempotent, so repeated automatically after a lost answer.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import {
	etagOf,
	resourceBody,
	resourceRefParam,
	resourceTypeParam,
	versionParam,
} from '../../helpers/resource';
import { guardedWrite } from '../../helpers/write';
import { shownId } from '../../helpers/patient';
import {
	bodyProperties,
	ifMatchProperty,
	resourceIdProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['update'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to update, e.g. Patient.'),
	resourceIdProperty(show, 'The resource to replace'),
	...bodyProperties(
		show,
		'new content of the resource (the whole resource: elements left out are removed)',
	),
	ifMatchProperty(show),
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const ref = resourceRefParam.call(this, itemIndex, ctx.profile.fhirBaseUrl, type);
	const body = resourceBody.call(this, itemIndex, type, ref.id);
	const version = versionParam.call(this, itemIndex, 'ifMatch', false);
	await assertSupports.call(this, ctx.capabilities, type, 'update', itemIndex);
	const what = `Update ${type}/${shownId(ref.id)}`;
	const headers: Record<string, string> = version ? { 'If-Match': etagOf(version) } : {};
	const req = {
		method: 'PUT' as const,
		path: [type, ref.id],
		body,
		headers,
		retry: true,
		what,
		itemIndex,
	};
	return await guardedWrite.call(this, ctx, type, req, {
		reason: version
			? `${type}/${shownId(ref.id)} is no longer at version ${version} (it changed meanwhile)`
			: 'the server refused a precondition',
		hint: 'Get the resource again, apply the change to its current version and update with that version.',
	});
}
