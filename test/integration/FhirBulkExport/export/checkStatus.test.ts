// Check Export Status (and Cancel Export, which takes the same status URL): the access token
// never leaves the FHIR server's origin, so a status URL on another origin is refused before any
// request.
import { useBulkSandbox } from '../helpers';

describe('Check Export Status and Cancel Export: a status URL on another origin', () => {
	const bulk = useBulkSandbox({
		patients: 10,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 },
	});
	const { run, lastSeq } = bulk;
	const foreignRequests = (since: number) =>
		bulk.newRequests(since).filter((r) => r.origin === 'files');

	it('Check Export Status and Cancel Export with a status URL on another origin: refused before any request', async () => {
		const { statusUrl } = (await bulk.completedExport(['Patient'])) as { statusUrl: string };
		const foreign = statusUrl.replace(bulk.sb.url, bulk.sb.fileUrl);
		const seq = lastSeq();
		await expect(
			run({ operation: 'checkStatus' }, { items: [{ json: { statusUrl: foreign } }] }),
		).rejects.toThrow(
			/^Bulk export status check: the URL is on another origin .* so the access token is not sent there$/,
		);
		await expect(
			run({ operation: 'cancelExport' }, { items: [{ json: { statusUrl: foreign } }] }),
		).rejects.toThrow(/^Cancel bulk export: the URL is on another origin/);
		expect(foreignRequests(seq)).toEqual([]);
		// the same-origin status URL still works
		const ok = (await run({ operation: 'checkStatus' }, { items: [{ json: { statusUrl } }] }))
			.output[0][0];
		expect(ok.json.status).toBe('complete');
	});
});
