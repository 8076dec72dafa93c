// Download Export Files: from a manifest (Check Export Status output), as binary NDJSON files,
// resources, or the manifest only.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { showFor } from '../../descriptions/show';
import type { OperationContext } from '../../helpers/context';
import { outputForManifest } from '../../helpers/output';
import { manifestOf } from '../../helpers/params';

/** The manifest to download (the output and options properties are shared, in descriptions/). */
export const description: INodeProperties[] = [
	{
		displayName: 'Manifest',
		name: 'manifest',
		type: 'json',
		default: '={{ JSON.stringify($json.manifest) }}',
		required: true,
		description:
			'The manifest returned by Check Export Status (an object with output, error, requiresAccessToken)',
		displayOptions: showFor(['downloadFiles']),
	},
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const manifest = manifestOf(this, i);
	return await outputForManifest(this, ctx.credentialType, manifest, {}, i);
}
