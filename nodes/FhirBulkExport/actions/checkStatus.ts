// Check Export Status: one status request. In progress → the progress and the suggested wait;
// complete → the whole manifest (partial manifests merged) and its transactionTime.
import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { checkStatus } from '../../shared/bulk/status';
import { clampWait } from '../../shared/bulk/status';
import type { Ctx } from '../../shared/bulk/types';
import { fullManifest, readRunOptions } from './common';

export function statusUrlOf(ctx: Ctx, i: number): string {
	const url = String(ctx.getNodeParameter('statusUrl', i, '') ?? '').trim();
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), 'Status URL is missing or not a URL', {
			itemIndex: i,
			description: 'Pass the statusUrl that Start Export returned, e.g. {{ $json.statusUrl }}.',
		});
	}
	return url;
}

export async function execute(ctx: Ctx, credentialType: string, i: number): Promise<INodeExecutionData[]> {
	const statusUrl = statusUrlOf(ctx, i);
	const run = readRunOptions(ctx, i);
	const r = await checkStatus(ctx, credentialType, statusUrl, i);
	if (r.kind === 'complete') {
		const manifest = await fullManifest(ctx, credentialType, r.manifest, statusUrl, i);
		return [
			{
				json: {
					statusUrl,
					status: 'complete',
					transactionTime: manifest.transactionTime,
					manifest: manifest as unknown as Record<string, never>,
				},
				pairedItem: { item: i },
			},
		];
	}
	const wait = clampWait(r.retryAfter, run.poll.minWaitMs, run.poll);
	if (r.kind === 'in-progress') ctx.logger.info(`Bulk export in progress${r.progress ? `: ${r.progress}` : ''}`);
	return [
		{
			json: {
				statusUrl,
				status: r.kind,
				progress: r.kind === 'in-progress' ? (r.progress ?? null) : null,
				message: r.kind === 'transient' ? r.message : null,
				retryAfterSeconds: Math.round(wait.ms / 1000),
			},
			pairedItem: { item: i },
		},
	];
}
