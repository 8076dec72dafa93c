// Review: when a one-step Bulk Export fails after the kick-off (a file download, a broken status
// answer), the error names the job's status URL, so a finished export is not lost: Check Export
// Status and Download Export Files continue with it.
import { withSandbox, armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { jobs, runBulk } from './bulk/helpers';
import type { INodeParameters } from 'n8n-workflow';

describe('review: Bulk Export failures keep the status URL', () => {
	let sb: Sandbox;
	const run = (p: INodeParameters, extra: Parameters<typeof runBulk>[2] = {}) => runBulk(sb, p, extra);

	beforeAll(async () => {
		sb = await withSandbox({ patients: 20, bulk: { resourcesPerFile: 50, pollsBeforeDone: 1, retryAfterSeconds: 0 } });
	});
	afterAll(() => sb.close());
	afterEach(async () => {
		await fetch(`${sb.url}/_admin/faults`, { method: 'DELETE' });
	});

	it('a file download that fails for good: the error names the status URL, and the files are downloaded with it afterwards', async () => {
		await armFault(sb, { surface: 'smart', kind: 'truncate-ndjson', pathContains: 'Patient-1.ndjson' });
		const err = (await run({ types: ['Patient'], options: { fileRetries: 0 } }).catch((e: unknown) => e)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(/Patient-1\.ndjson: the file ends in the middle of line \d+ \(truncated download\)/);
		const statusUrl = /status URL (\S+), or remove it/.exec(err.description ?? '')?.[1];
		expect(statusUrl).toContain('$bulkdata-status?job=');
		expect(err.description).not.toMatch(/Bearer|access_token/);
		const checked = (await run({ operation: 'checkStatus' }, { items: [{ json: { statusUrl } }] })).output[0][0];
		expect(checked.json.status).toBe('complete');
		const files = (await run({ operation: 'downloadFiles' }, { items: [checked] })).output[0];
		expect(files.reduce((a, f) => a + (f.json.lines as number), 0)).toBe(20);
	});

	it('a status answer that is an HTML page while polling: the error names the status URL too', async () => {
		await armFault(sb, { surface: 'smart', kind: 'html-200', pathContains: '$bulkdata-status' });
		const err = (await run({ types: ['Patient'] }).catch((e: unknown) => e)) as Error & { description?: string };
		expect(err.message).toMatch(/HTML page/);
		expect(err.description).toMatch(/status URL \S+\$bulkdata-status\?job=\S+, or remove it with Cancel Export/);
		expect((await jobs(sb)).length).toBeGreaterThan(0);
	});
});
