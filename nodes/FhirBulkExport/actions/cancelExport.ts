// Cancel Export: DELETE on the status URL; the server stops the job and removes its files.
import type { INodeExecutionData } from 'n8n-workflow';
import { cancelExport } from '../../shared/bulk/status';
import type { Ctx } from '../../shared/bulk/types';
import { statusUrlOf } from './checkStatus';

export async function execute(ctx: Ctx, credentialType: string, i: number): Promise<INodeExecutionData[]> {
	const statusUrl = statusUrlOf(ctx, i);
	const r = await cancelExport(ctx, credentialType, statusUrl, i);
	return [
		{
			json: {
				statusUrl,
				cancelled: r.status !== 404,
				alreadyGone: r.status === 404,
				status: r.status,
			},
			pairedItem: { item: i },
		},
	];
}
