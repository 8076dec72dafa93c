// Start Export: the kick-off only; returns the status URL for Check Export Status (e.g. after
// n8n's Wait node) so long exports do not keep an execution busy.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { kickOff } from '../../../shared/bulk/kickoff';
import { fhirBaseFor } from '../../../shared/bulk/origin';
import { toItems } from '../../../shared/runner';
import type { OperationContext } from '../../helpers/context';
import { readExportRequest } from '../../helpers/params';

/** Its properties are shared with Bulk Export (descriptions/exportRequest.ts). */
export const description: INodeProperties[] = [];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const base = await fhirBaseFor(this, ctx.credentialType);
	const req = readExportRequest(this, i);
	const k = await kickOff(this, ctx.credentialType, base, req, i);
	return toItems(
		{
			statusUrl: k.statusUrl,
			kickoffUrl: k.kickoffUrl,
			method: k.method,
			level: req.level,
			startedAt: new Date().toISOString(),
		},
		i,
	);
}
