// Check Export Status: one status request. In progress → the progress and the suggested wait;
// complete → the whole manifest (partial manifests merged) and its transactionTime.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { checkStatus, clampWait } from '../../../shared/bulk/status';
import { toItems } from '../../../shared/runner';
import type { OperationContext } from '../../helpers/context';
import { fullManifest } from '../../helpers/output';
import { readRunOptions, statusUrlOf } from '../../helpers/params';

/** Its properties are shared (descriptions/): the status URL (with Cancel Export) and the options. */
export const description: INodeProperties[] = [];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const statusUrl = statusUrlOf(this, i);
	const run = readRunOptions(this, i);
	const r = await checkStatus(this, ctx.credentialType, statusUrl, i, run.poll);
	if (r.kind === 'complete') {
		const manifest = await fullManifest(this, ctx.credentialType, r.manifest, statusUrl, i, run);
		return toItems(
			{
				statusUrl,
				status: 'complete',
				transactionTime: manifest.transactionTime,
				manifest: manifest as unknown as IDataObject,
			},
			i,
		);
	}
	const wait = clampWait(r.retryAfter, run.poll.minWaitMs, run.poll);
	if (r.kind === 'in-progress')
		this.logger.info(`Bulk export in progress${r.progress ? `: ${r.progress}` : ''}`);
	return toItems(
		{
			statusUrl,
			status: r.kind,
			progress: r.kind === 'in-progress' ? (r.progress ?? null) : null,
			message: r.kind === 'transient' ? r.message : null,
			retryAfterSeconds: Math.round(wait.ms / 1000),
		},
		i,
	);
}
