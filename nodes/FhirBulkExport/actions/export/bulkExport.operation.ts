// Bulk Export: kick-off, poll until the manifest is ready, follow partial manifests, then output
// the files (binary NDJSON), the resources, or the manifest only.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { kickOff } from '../../../shared/bulk/kickoff';
import { fhirBaseFor } from '../../../shared/bulk/origin';
import { cancelExport, pollUntilComplete } from '../../../shared/bulk/status';
import { itemError } from '../../../shared/runner';
import type { OperationContext } from '../../helpers/context';
import { fullManifest, outputForManifest } from '../../helpers/output';
import { readExportRequest, readRunOptions } from '../../helpers/params';

/** Its properties are shared with other operations (descriptions/): export request, output, options. */
export const description: INodeProperties[] = [];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const { credentialType } = ctx;
	const base = await fhirBaseFor(this, credentialType);
	const req = readExportRequest(this, i);
	const run = readRunOptions(this, i);
	const k = await kickOff(this, credentialType, base, req, i);
	this.logger.info(`Bulk export started: ${k.method} ${k.kickoffUrl}`);
	let items: INodeExecutionData[];
	try {
		const first = await pollUntilComplete(this, credentialType, k.statusUrl, run.poll);
		const manifest = await fullManifest(this, credentialType, first, k.statusUrl, i, run);
		items = await outputForManifest(
			this,
			credentialType,
			manifest,
			{ statusUrl: k.statusUrl },
			i,
			run,
		);
	} catch (e) {
		throw withStatusUrl(this, e, k.statusUrl, i);
	}
	// a file that was not delivered keeps the job (and its files) on the server, for a later
	// Download Export Files with the status URL
	const failed = items.filter((it) => typeof it.json.error === 'string');
	for (const it of failed) {
		const note = `The job was kept on the server: download its files again with Check Export Status and Download Export Files using the status URL ${k.statusUrl}.`;
		it.json.description = it.json.description ? `${String(it.json.description)} ${note}` : note;
	}
	// the IG lets a client signal with DELETE that it is done with the files (not in manifest
	// mode: someone else downloads them)
	if (
		run.deleteAfterDownload &&
		failed.length === 0 &&
		this.getNodeParameter('outputMode', i, 'files') !== 'manifest'
	) {
		try {
			await cancelExport(this, credentialType, k.statusUrl, i);
		} catch (e) {
			this.logger.warn(
				`Bulk export: the files were downloaded but deleting the job failed: ${(e as Error).message}`,
			);
		}
	}
	return items;
}

/**
 * An error after the kick-off: unless the job was deleted, it is still on the server (a finished
 * one with its files), so the error names its status URL — a long export is not lost to a failed
 * download or a broken status answer.
 */
function withStatusUrl(fn: IExecuteFunctions, e: unknown, statusUrl: string, i: number): Error {
	const err = itemError(fn.getNode(), e, i);
	if (
		err.message.includes(statusUrl) ||
		/deleted on the server|already gone|job is gone/.test(err.message)
	)
		return err;
	const note = `The export job may still be on the server: continue with Check Export Status and Download Export Files using the status URL ${statusUrl}, or remove it with Cancel Export.`;
	err.description = err.description ? `${err.description} ${note}` : note;
	return err;
}
