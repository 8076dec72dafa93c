// FHIR Bulk Export behind a proxy that answers 429 / 503 with an HTML page (Content-Type
// text/html): the kick-off is sent again after the wait and the status polling backs off, exactly
// as for JSON answers; the export completes with every file. (Sandbox switch html-500 with a status.)
import { armFault } from '../../../helpers/sandbox';
import { useBulkSandbox } from '../helpers';

describe('FHIR Bulk Export with HTML 429 / 503 answers', () => {
	const bulk = useBulkSandbox({
		patients: 10,
		bulk: { resourcesPerFile: 50, pollsBeforeDone: 2, retryAfterSeconds: 0 },
	});

	it('the kick-off and the status checks are waited out; the export completes', async () => {
		await armFault(bulk.sb, [
			{
				surface: 'smart',
				kind: 'html-500',
				status: 503,
				retryAfter: '0',
				pathContains: '/$export',
			},
			{
				surface: 'smart',
				kind: 'html-500',
				status: 503,
				retryAfter: '0',
				pathContains: '$bulkdata-status',
			},
			{
				surface: 'smart',
				kind: 'html-500',
				status: 429,
				retryAfter: '0',
				pathContains: '$bulkdata-status',
				after: 1,
			},
		]);
		const seq = bulk.lastSeq();
		const { output, logs } = await bulk.run({ types: ['Patient'] });
		expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(10);
		const log = bulk.newRequests(seq);
		expect(log.filter((r) => r.path.endsWith('/$export')).map((r) => r.status)).toEqual([503, 202]);
		const polls = log
			.filter((r) => r.path.endsWith('$bulkdata-status') && r.method === 'GET')
			.map((r) => r.status);
		expect(polls[0]).toBe(503);
		expect(polls).toContain(429);
		expect(polls.at(-1)).toBe(200);
		expect(logs.some((l) => /temporary failure \(HTTP 503: HTTP 503\)/.test(l.message))).toBe(true);
		expect(logs.some((l) => /rate-limited \(HTTP 429\); slowing down/.test(l.message))).toBe(true);
	});
});
