// The per-item runner every node's actions/router.ts uses (contract: docs/DEVELOPING.md →
// "Per-item runner"). It loops over the input items, runs the operation the item asks for, and
// gives every node the same behaviour on failure:
//   - Continue On Fail: one error item `{ error, description? }` paired with the failed input item;
//   - otherwise the error is thrown with `itemIndex` in its context; a NodeApiError or
//     NodeOperationError is kept as it is (its message is already readable), anything else is
//     wrapped in a NodeOperationError.
// Every output item carries `pairedItem` (the operation's own, or the input item's).
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

/** the value n8n's loader adds to Resource / Operation lists of nodes with an OAuth2 credential */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/** One operation: runs for one input item and returns its output items. */
export type Operation<C> = (
	this: IExecuteFunctions,
	ctx: C,
	itemIndex: number,
) => Promise<INodeExecutionData[]>;

/** Operations by resource and operation value, as the node's parameters name them. */
export type OperationTable<C> = Record<string, Record<string, Operation<C>>>;

export interface RunnerOptions<C> {
	/** the operations */
	operations: OperationTable<C>;
	/** the resource of an item (nodes without a Resource parameter map the operation to its folder) */
	resource(this: IExecuteFunctions, itemIndex: number, operation: string): string;
	/** what every operation of this execution needs; made once, at the first item that runs */
	context(this: IExecuteFunctions, itemIndex: number): Promise<C>;
}

/** The error as n8n shows it, with `itemIndex`; a NodeApiError / NodeOperationError is kept. */
export function itemError(
	node: INode,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/**
 * The Continue On Fail item of a failed input item: the same shape in every node. The error
 * itself rides on the item too: n8n's "Continue (using error output)" sends an item to the error
 * output when it carries `error` (or when its json has only error/message/details keys, which a
 * `description` breaks).
 */
export function errorItem(
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	return { json, error, pairedItem: { item: itemIndex } };
}

/** Output items from plain JSON (one object or a list), paired with the input item. */
export function toItems(
	result: IDataObject | IDataObject[],
	itemIndex: number,
): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

export async function runPerItem<C>(
	fn: IExecuteFunctions,
	o: RunnerOptions<C>,
): Promise<INodeExecutionData[][]> {
	const items = fn.getInputData();
	const out: INodeExecutionData[] = [];
	let ctx: C | undefined;
	let made = false;
	for (let i = 0; i < items.length; i++) {
		try {
			// no Operation when n8n's Custom API Call is the chosen Resource (the list is hidden)
			const operation = fn.getNodeParameter('operation', i, '') as string;
			const resource = o.resource.call(fn, i, operation);
			const run = o.operations[resource]?.[operation];
			if (!run && (operation === CUSTOM_API_CALL || resource === CUSTOM_API_CALL)) {
				throw new NodeOperationError(
					fn.getNode(),
					'Custom API Call is not available on this node',
					{
						itemIndex: i,
						description:
							"For a request of your own, use n8n's HTTP Request node; this node's own actions are listed under Operation.",
					},
				);
			}
			if (!run) {
				throw new NodeOperationError(
					fn.getNode(),
					`The operation "${operation}" of "${resource}" is not supported`,
					{ itemIndex: i },
				);
			}
			if (!made) {
				ctx = await o.context.call(fn, i);
				made = true;
			}
			for (const item of await run.call(fn, ctx as C, i)) {
				item.pairedItem ??= { item: i };
				out.push(item);
			}
		} catch (error) {
			const e = itemError(fn.getNode(), error, i);
			if (fn.continueOnFail()) {
				out.push(errorItem(e, i));
				continue;
			}
			throw e;
		}
	}
	return [out];
}
