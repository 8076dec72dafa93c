// Patch: `PATCH [type]/[id]` with a JSON Patch document, optionally only if the resource is still
// at a version (If-Match).
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import { etagOf, jsonPatchParam, resourceRefParam, resourceTypeParam, versionParam } from '../../helpers/resource';
import { fhirRequest, preconditionFailed, resourceItem, RETURN_REPRESENTATION, writtenResource } from '../../helpers/write';
import { shownId } from '../../helpers/patient';
import { ifMatchProperty, resourceIdProperty, resourceTypeProperty, simplifyProperty } from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['resource'], operation: ['patch'] };

export const description: INodeProperties[] = [
	resourceTypeProperty(show, 'The FHIR resource type to patch, e.g. Observation.'),
	resourceIdProperty(show, 'The resource to change'),
	{
		displayName: 'JSON Patch',
		name: 'patch',
		type: 'json',
		default: '[\n  { "op": "replace", "path": "/status", "value": "final" }\n]',
		required: true,
		description: 'The changes as a JSON Patch document (RFC 6902): a list of operations with "op" (add, remove, replace, move, copy, test), "path" and "value"',
		displayOptions: { show },
	},
	ifMatchProperty(show),
	simplifyProperty(show),
];

export async function execute(this: IExecuteFunctions, ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const type = resourceTypeParam.call(this, itemIndex);
	const ref = resourceRefParam.call(this, itemIndex, ctx.profile.fhirBaseUrl, type);
	const ops = jsonPatchParam.call(this, itemIndex);
	const version = versionParam.call(this, itemIndex, 'ifMatch', false);
	await assertSupports.call(this, ctx.capabilities, type, 'patch', itemIndex);
	const what = `Patch ${type}/${shownId(ref.id)}`;
	const res = await fhirRequest.call(this, ctx, {
		method: 'PATCH',
		path: [type, ref.id],
		body: ops,
		headers: { ...RETURN_REPRESENTATION, 'Content-Type': 'application/json-patch+json', ...(version ? { 'If-Match': etagOf(version) } : {}) },
		okStatuses: [412],
		what,
		itemIndex,
	});
	if (res.status === 412) {
		throw preconditionFailed.call(this, res, what, `${type}/${shownId(ref.id)} is no longer at version ${String(version)} (it changed meanwhile)`, 'Get the resource again and patch its current version.', itemIndex);
	}
	return [resourceItem(writtenResource(res, type), itemIndex, this.getNodeParameter('simplify', itemIndex, false) as boolean)];
}
