// FHIR Bulk Export, Files output: an export with no files (a nightly `_since` run with nothing
// new, a `_typeFilter` matching nothing) still outputs one item per input item, carrying the
// manifest's transactionTime, so a workflow can keep it as the next `_since` and downstream
// nodes run.
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { setBulkOptions, runBulk } from './helpers';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

describe('FHIR Bulk Export node: an export without files', () => {
	let sb: Sandbox;
	const run = (p: INodeParameters, extra: Parameters<typeof runBulk>[2] = {}) => runBulk(sb, p, extra);
	const lastSeq = () => sb.app.requests.at(-1)?.seq ?? 0;
	const newRequests = (since: number) => sb.app.requests.filter((r) => r.seq > since);

	beforeAll(async () => {
		sb = await withSandbox({ patients: 10, bulk: { resourcesPerFile: 50, pollsBeforeDone: 1, retryAfterSeconds: 0 } });
	});
	afterAll(() => sb.close());

	function expectEmptyItem(item: INodeExecutionData, itemIndex: number): void {
		expect(item.pairedItem).toEqual({ item: itemIndex });
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({ kind: 'empty', files: 0 });
		expect(item.json.transactionTime).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
		expect(String(item.json.request)).toContain('$export');
		expect(String(item.json.statusUrl)).toContain('$bulkdata-status?job=');
	}

	it('Bulk Export with a _typeFilter matching nothing: one "empty" item with transactionTime, statusUrl and request', async () => {
		const seq = lastSeq();
		const { output } = await run({ types: ['Patient'], exportOptions: { typeFilters: ['Patient?gender=no-such-gender'] } });
		expect(output[0]).toHaveLength(1);
		expectEmptyItem(output[0][0], 0);
		expect(newRequests(seq).filter((r) => r.path.includes('/bulkfiles/'))).toHaveLength(0);
		// still done with the job: it is deleted on the server
		expect(newRequests(seq).filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([202]);
	});

	it('a nightly _since run with nothing new (and no deleted file): one "empty" item per input item, each paired with it', async () => {
		await setBulkOptions(sb, { deletedCount: 0 });
		try {
			const { output } = await run(
				{ types: ['Patient', 'Immunization'], since: '2025-06-02T00:00:00Z' },
				{ items: [{ json: { run: 1 } }, { json: { run: 2 } }] },
			);
			expect(output[0]).toHaveLength(2);
			expectEmptyItem(output[0][0], 0);
			expectEmptyItem(output[0][1], 1);
			// the transactionTime is later than the _since it was asked with: the next run's _since
			expect(Date.parse(output[0][0].json.transactionTime as string)).toBeGreaterThan(Date.parse('2025-06-02T00:00:00Z'));
		} finally {
			await setBulkOptions(sb, { deletedCount: 2 });
		}
	});

	it('a _since run with nothing new but a deleted file outputs that file (it carries the transactionTime), no extra item', async () => {
		const { output } = await run({ types: ['Patient'], since: '2025-06-02T00:00:00Z' });
		expect(output[0].map((i) => i.json.kind)).toEqual(['deleted']);
		expect(typeof output[0][0].json.transactionTime).toBe('string');
	});

	it('Download Export Files with a manifest whose output is []: one "empty" item, no request', async () => {
		const seq = lastSeq();
		const manifest = {
			transactionTime: '2026-01-02T03:04:05.000Z',
			request: `${sb.url}/smart/fhir/$export?_since=2026-01-01T00:00:00Z`,
			requiresAccessToken: true,
			output: [],
			error: [],
		};
		const { output } = await run({ operation: 'downloadFiles', manifest: JSON.stringify(manifest) });
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(output[0][0].json).toEqual({ kind: 'empty', files: 0, transactionTime: manifest.transactionTime, request: manifest.request });
		expect(newRequests(seq)).toHaveLength(0);
	});
});
