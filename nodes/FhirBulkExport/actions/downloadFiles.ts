// Download Export Files: from a manifest (Check Export Status output), as binary NDJSON files,
// resources, or the manifest only.
import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { normaliseManifest } from '../../shared/bulk/status';
import type { Ctx } from '../../shared/bulk/types';
import { outputForManifest } from './common';

export async function execute(ctx: Ctx, credentialType: string, i: number): Promise<INodeExecutionData[]> {
	let raw = ctx.getNodeParameter('manifest', i) as unknown;
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			raw = undefined;
		}
	}
	const manifest = normaliseManifest(raw);
	if (!manifest) {
		throw new NodeOperationError(ctx.getNode(), 'Manifest is not a bulk export manifest (no "output" list)', {
			itemIndex: i,
			description: 'Pass the manifest from Check Export Status, e.g. {{ JSON.stringify($json.manifest) }}.',
		});
	}
	return await outputForManifest(ctx, credentialType, manifest, {}, i);
}
