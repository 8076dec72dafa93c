// Patch: `PATCH [type]/[id]` with a JSON Patch document, optionally only if the resource is still
// at a version (If-Match).
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSupports } from '../../helpers/capabilities';
import {
	etagOf,
	jsonPatchParam,
	resourceRefParam,
	resourceTypeParam,
	versionParam,
} from '../../helpers/resource';
import { guardedWrite } from '../../helpers/write';
import { shownId } from '../../helpers/patient';
import {
	ifMatchProperty,
	resourceIdProperty,
	resourceTypeProperty,
	simplifyProperty,
} from '../../descriptions/resource';
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
		description:
			'The changes as a JSON Patch document (RFC 6902): a list of operations with "op" (add, remove, replace, move, copy, test), "path" and "value"',
		displayOptions: { show },
	},
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
	const ops = jsonPatchParam.call(this, itemIndex);
	const version = versionParam.call(this, itemIndex, 'ifMatch', false);
	await assertSupports.call(this, ctx.capabilities, type, 'patch', itemIndex);
	const what = `Patch ${type}/${shownId(ref.id)}`;
	const headers: Record<string, string> = {
		'Content-Type': 'application/json-patch+json',
		...(version ? { 'If-Match': etagOf(version) } : {}),
	};
	return await guardedWrite.call(
		this,
		ctx,
		type,
		{ method: 'PATCH', path: [type, ref.id], body: ops, headers, what, itemIndex },
		{
			reason: version
				? `${type}/${shownId(ref.id)} is no longer at version ${version} (it changed meanwhile)`
				: 'the server refused a precondition',
			hint: 'Get the resource again and patch its current version.',
		},
	);
}
