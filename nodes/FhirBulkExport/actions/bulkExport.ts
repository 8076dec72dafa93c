// Bulk Export: kick-off, poll until the manifest is ready, follow partial manifests, then output
// the files (binary NDJSON), the resources, or the manifest only.
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { fhirBaseFor, kickOff } from '../../shared/bulk/kickoff';
import { cancelExport, pollUntilComplete } from '../../shared/bulk/status';
import type { Ctx } from '../../shared/bulk/types';
import { fullManifest, outputForManifest, readExportRequest, readRunOptions } from './common';

export async function execute(ctx: Ctx, credentialType: string, i: number): Promise<INodeExecutionData[]> {
	const base = await fhirBaseFor(ctx, credentialType);
	const req = readExportRequest(ctx, i);
	const run = readRunOptions(ctx, i);
	const k = await kickOff(ctx, credentialType, base, req, i);
	ctx.logger.info(`Bulk export started: ${k.method} ${k.kickoffUrl}`);
	let items: INodeExecutionData[];
	try {
		const first = await pollUntilComplete(ctx, credentialType, k.statusUrl, run.poll);
		const manifest = await fullManifest(ctx, credentialType, first, k.statusUrl, i);
		items = await outputForManifest(ctx, credentialType, manifest, { statusUrl: k.statusUrl }, i);
	} catch (e) {
		throw withStatusUrl(ctx, e, k.statusUrl, i);
	}
	// the IG lets a client signal with DELETE that it is done with the files (not in manifest
	// mode: someone else downloads them)
	if (run.deleteAfterDownload && ctx.getNodeParameter('outputMode', i, 'files') !== 'manifest') {
		try {
			await cancelExport(ctx, credentialType, k.statusUrl, i);
		} catch (e) {
			ctx.logger.warn(`Bulk export: the files were downloaded but deleting the job failed: ${(e as Error).message}`);
		}
	}
	return items;
}

/**
 * An error after the kick-off: unless the job was deleted, it is still on the server (a finished
 * one with its files), so the error names its status URL — a long export is not lost to a failed
 * download or a broken status answer.
 */
function withStatusUrl(ctx: Ctx, e: unknown, statusUrl: string, i: number): Error {
	const err =
		e instanceof NodeApiError || e instanceof NodeOperationError ? e : new NodeOperationError(ctx.getNode(), e as Error, { itemIndex: i });
	if (err.message.includes(statusUrl) || /deleted on the server|already gone|job is gone/.test(err.message)) return err;
	const note = `The export job may still be on the server: continue with Check Export Status and Download Export Files using the status URL ${statusUrl}, or remove it with Cancel Export.`;
	err.description = err.description ? `${err.description} ${note}` : note;
	return err;
}
