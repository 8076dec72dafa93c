// Cancel Export: DELETE on the status URL; the server stops the job and removes its files.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { cancelExport } from '../../../shared/bulk/status';
import { toItems } from '../../../shared/runner';
import type { OperationContext } from '../../helpers/context';
import { statusUrlOf } from '../../helpers/params';

/** Its one property, the status URL, is shared with Check Export Status (descriptions/statusUrl.ts). */
export const description: INodeProperties[] = [];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const statusUrl = statusUrlOf(this, i);
	const r = await cancelExport(this, ctx.credentialType, statusUrl, i);
	return toItems(
		{
			statusUrl,
			cancelled: r.status !== 404,
			alreadyGone: r.status === 404,
			status: r.status,
		},
		i,
	);
}
