// Start Export: the kick-off only; returns the status URL for Check Export Status (e.g. after
// n8n's Wait node) so long exports do not keep an execution busy.
import type { INodeExecutionData } from 'n8n-workflow';
import { fhirBaseFor, kickOff } from '../../shared/bulk/kickoff';
import type { Ctx } from '../../shared/bulk/types';
import { readExportRequest } from './common';

export async function execute(ctx: Ctx, credentialType: string, i: number): Promise<INodeExecutionData[]> {
	const base = await fhirBaseFor(ctx, credentialType);
	const req = readExportRequest(ctx, i);
	const k = await kickOff(ctx, credentialType, base, req, i);
	return [
		{
			json: {
				statusUrl: k.statusUrl,
				kickoffUrl: k.kickoffUrl,
				method: k.method,
				level: req.level,
				startedAt: new Date().toISOString(),
			},
			pairedItem: { item: i },
		},
	];
}
