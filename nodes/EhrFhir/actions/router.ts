// Dispatches each input item to its operation; honours "Continue On Fail" per item.
import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import * as getPatient from './patient/get.operation';
import * as listImmunizations from './immunization/list.operation';
import { operationContext, type OperationContext } from './common';

type Run = (this: IExecuteFunctions, ctx: OperationContext, itemIndex: number) => Promise<INodeExecutionData[]>;

const OPERATIONS: Record<string, Record<string, Run>> = {
	patient: { get: getPatient.execute },
	immunization: { list: listImmunizations.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	let ctx: OperationContext | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			const run = OPERATIONS[resource]?.[operation];
			if (!run) {
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, { itemIndex: i });
			}
			ctx ??= await operationContext.call(this);
			out.push(...(await run.call(this, ctx, i)));
		} catch (error) {
			if (this.continueOnFail()) {
				const e = error as Error & { description?: string };
				out.push({ json: { error: e.message, ...(e.description ? { description: e.description } : {}) }, pairedItem: { item: i } });
				continue;
			}
			if (error instanceof NodeApiError || error instanceof NodeOperationError) {
				if (error.context.itemIndex === undefined) error.context.itemIndex = i;
				// already a NodeApiError / NodeOperationError with a readable message: keep it as is
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
				throw error;
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
	}
	return [out];
}
