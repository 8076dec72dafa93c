// Transaction: every input item is one entry of one Transaction Bundle (`POST [base]`): all entries
// are written or none; each output item is the entry's response, paired with its input item.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sendBundle } from '../../helpers/bundle';
import { entryProperties } from '../../descriptions/bundle';
import type { OperationContext } from '../../helpers/context';

export const description: INodeProperties[] = entryProperties({
	resource: ['bundle'],
	operation: ['transaction'],
});

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await sendBundle.call(this, ctx, 'transaction', itemIndex);
}
