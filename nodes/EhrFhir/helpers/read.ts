// Reading one resource (read or vread) and checking the server answered with it.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { apiError, vendorMessage } from '../../shared/errors';
import { isRecord } from '../../shared/values';
import { fhirRequest, resourceItem } from './write';
import { shownId } from './patient';
import { aType, type ResourceRef } from './resource';
import type { OperationContext } from './context';

/** `GET [type]/[id]` (or `/_history/[version]`), as an output item (simplified when asked). */
export async function readResource(
	this: IExecuteFunctions,
	ctx: OperationContext,
	ref: ResourceRef,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const simplify = this.getNodeParameter('simplify', itemIndex, false) as boolean;
	const what = `Get ${ref.type}/${shownId(ref.id)}${ref.version ? ` version ${shownId(ref.version)}` : ''}`;
	const res = await fhirRequest.call(this, ctx, {
		method: 'GET',
		path: ref.version ? [ref.type, ref.id, '_history', ref.version] : [ref.type, ref.id],
		what,
		itemIndex,
	});
	const body = res.body as IDataObject | undefined;
	if (!isRecord(body) || body.resourceType !== ref.type) {
		const vendor =
			isRecord(body) && body.resourceType === 'OperationOutcome' ? vendorMessage(body) : undefined;
		const got =
			isRecord(body) && body.resourceType ? aType(String(body.resourceType)) : 'something else';
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what} failed: ${ctx.profile.vendor} answered with ${got} instead of ${aType(ref.type)}${vendor ? `: ${vendor}` : ''}`,
			hint: 'Check the resource type, the ID and the base URL in the credential.',
			itemIndex,
		});
	}
	return resourceItem(body, itemIndex, simplify);
}
