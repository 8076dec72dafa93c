// Bulk Export: kick-off, poll until the manifest is ready, follow partial manifests, then output
// the files (binary NDJSON), the resources, or the manifest only.
import type { INodeExecutionData } from 'n8n-workflow';
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
	const first = await pollUntilComplete(ctx, credentialType, k.statusUrl, run.poll);
	const manifest = await fullManifest(ctx, credentialType, first, k.statusUrl, i);
	const items = await outputForManifest(ctx, credentialType, manifest, { statusUrl: k.statusUrl }, i);
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
