// nodes/shared/runner.ts without a network: dispatch by resource and operation, the one
// Continue On Fail item shape, itemIndex on every thrown error, pairedItem on every output item,
// one context per execution.
import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';
import {
	errorItem,
	itemError,
	runPerItem,
	toItems,
	type OperationTable,
} from '../../nodes/shared/runner';

const NODE: INode = {
	id: '1',
	name: 'Test',
	type: 'test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function fakeContext(
	items: INodeExecutionData[],
	params: Array<Record<string, unknown>>,
	continueOnFail = false,
): IExecuteFunctions {
	return {
		getInputData: () => items,
		getNodeParameter: (name: string, i: number) => params[i][name],
		getNode: () => NODE,
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
}

describe('runPerItem', () => {
	let contexts = 0;
	const ops: OperationTable<{ n: number }> = {
		thing: {
			echo: async (ctx, i) => [{ json: { i, ctx: ctx.n } }],
			two: async (_ctx, i) => toItems([{ a: i }, { b: i }], i),
			plain: async () => {
				throw new Error('plain failure');
			},
			api: async () => {
				throw new NodeApiError(
					NODE,
					{ message: 'x' },
					{ message: 'vendor said no', description: 'Do this next.' },
				);
			},
			ownIndex: async () => {
				throw new NodeOperationError(NODE, 'already indexed', { itemIndex: 7 });
			},
			unpaired: async () => [{ json: { x: 1 } }],
		},
	};
	const options = {
		operations: ops,
		resource: () => 'thing',
		context: async () => ({ n: ++contexts }),
	};
	beforeEach(() => {
		contexts = 0;
	});

	it('runs each item through its operation, pairs every output item, makes the context once', async () => {
		const fn = fakeContext(
			[{ json: {} }, { json: {} }, { json: {} }],
			[{ operation: 'echo' }, { operation: 'two' }, { operation: 'unpaired' }],
		);
		const [out] = await runPerItem(fn, options);
		expect(out).toEqual([
			{ json: { i: 0, ctx: 1 }, pairedItem: { item: 0 } },
			{ json: { a: 1 }, pairedItem: { item: 1 } },
			{ json: { b: 1 }, pairedItem: { item: 1 } },
			{ json: { x: 1 }, pairedItem: { item: 2 } },
		]);
		expect(contexts).toBe(1);
	});

	it('an unknown operation is a NodeOperationError naming it, with the itemIndex', async () => {
		const fn = fakeContext(
			[{ json: {} }, { json: {} }],
			[{ operation: 'echo' }, { operation: 'nope' }],
		);
		const err = (await runPerItem(fn, options).catch((e) => e)) as NodeOperationError;
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(err.message).toBe('The operation "nope" of "thing" is not supported');
		expect(err.context.itemIndex).toBe(1);
	});

	it("n8n's Custom API Call entry on a node that has no such action: a clear error naming what to use", async () => {
		const fn = fakeContext([{ json: {} }], [{ operation: '__CUSTOM_API_CALL__' }]);
		const err = (await runPerItem(fn, options).catch((e) => e)) as NodeOperationError;
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(err.message).toBe('Custom API Call is not available on this node');
		expect(err.description).toMatch(/HTTP Request node/);
		expect(err.context.itemIndex).toBe(0);
	});

	it('without Continue On Fail: a plain Error is wrapped with the itemIndex; a NodeApiError is kept and gets it', async () => {
		const plain = (await runPerItem(
			fakeContext([{ json: {} }, { json: {} }], [{ operation: 'echo' }, { operation: 'plain' }]),
			options,
		).catch((e) => e)) as NodeOperationError;
		expect(plain).toBeInstanceOf(NodeOperationError);
		expect(plain.message).toBe('plain failure');
		expect(plain.context.itemIndex).toBe(1);

		const api = (await runPerItem(
			fakeContext([{ json: {} }, { json: {} }], [{ operation: 'echo' }, { operation: 'api' }]),
			options,
		).catch((e) => e)) as NodeApiError;
		expect(api).toBeInstanceOf(NodeApiError);
		expect(api.message).toBe('vendor said no');
		expect(api.context.itemIndex).toBe(1);

		const own = (await runPerItem(
			fakeContext([{ json: {} }], [{ operation: 'ownIndex' }]),
			options,
		).catch((e) => e)) as NodeOperationError;
		expect(own.context.itemIndex).toBe(7);
	});

	it('with Continue On Fail: one { error, description? } item per failed input item, paired with it, and the run goes on', async () => {
		const fn = fakeContext(
			[{ json: {} }, { json: {} }, { json: {} }],
			[{ operation: 'api' }, { operation: 'plain' }, { operation: 'echo' }],
			true,
		);
		const [out] = await runPerItem(fn, options);
		expect(out).toEqual([
			{
				json: { error: 'vendor said no', description: 'Do this next.' },
				error: expect.any(Error),
				pairedItem: { item: 0 },
			},
			{ json: { error: 'plain failure' }, error: expect.any(Error), pairedItem: { item: 1 } },
			{ json: { i: 2, ctx: 1 }, pairedItem: { item: 2 } },
		]);
	});

	it('itemError and errorItem are the pieces the runner uses', () => {
		const e = itemError(NODE, new Error('boom'), 3);
		expect(e.context.itemIndex).toBe(3);
		expect(errorItem(e, 3)).toEqual({
			json: { error: 'boom' },
			error: expect.any(Error),
			pairedItem: { item: 3 },
		});
	});
});
