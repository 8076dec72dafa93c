// Review: the access token never leaves the FHIR server's origin during a bulk export — not for a
// file of a manifest that says requiresAccessToken: true on another origin, and not for a status
// URL (Check Export Status / Cancel Export) on another origin.
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { runBulk } from './bulk/helpers';
import type { INodeParameters } from 'n8n-workflow';

describe('review: bulk export token stays on its origin', () => {
	let sb: Sandbox;
	const run = (p: INodeParameters, extra: Parameters<typeof runBulk>[2] = {}) => runBulk(sb, p, extra);
	const lastSeq = () => sb.app.requests.at(-1)?.seq ?? 0;
	const foreignRequests = (since: number) => sb.app.requests.filter((r) => r.seq > since && r.origin === 'files');

	beforeAll(async () => {
		sb = await withSandbox({ patients: 10, bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 } });
	});
	afterAll(() => sb.close());

	async function completeManifest(): Promise<{ statusUrl: string; manifest: { output: Array<{ url: string }>; requiresAccessToken: boolean } }> {
		const started = (await run({ operation: 'startExport', level: 'system', types: ['Patient'] })).output[0][0];
		for (let n = 0; n < 10; n++) {
			const checked = (await run({ operation: 'checkStatus' }, { items: [started] })).output[0][0];
			if (checked.json.status === 'complete') return checked.json as never;
		}
		throw new Error('export did not complete');
	}

	it('a manifest with requiresAccessToken: true and a file on another origin: refused, no request there, no token', async () => {
		const { manifest } = await completeManifest();
		expect(manifest.requiresAccessToken).toBe(true);
		const evil = { ...manifest, output: manifest.output.map((e) => ({ ...e, url: e.url.replace(sb.url, sb.fileUrl) })) };
		const seq = lastSeq();
		const err = (await run({ operation: 'downloadFiles', manifest: JSON.stringify(evil) }).catch((e: unknown) => e)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(/requiresAccessToken: true\): the URL is on another origin \(http:\/\/127\.0\.0\.1:\d+\) than the FHIR server .* so the access token is not sent there/);
		expect(err.message).not.toMatch(/Bearer|access_token=/);
		expect(foreignRequests(seq)).toEqual([]);
	});

	it('Check Export Status and Cancel Export with a status URL on another origin: refused before any request', async () => {
		const { statusUrl } = await completeManifest();
		const foreign = statusUrl.replace(sb.url, sb.fileUrl);
		const seq = lastSeq();
		await expect(run({ operation: 'checkStatus' }, { items: [{ json: { statusUrl: foreign } }] })).rejects.toThrow(
			/^Bulk export status check: the URL is on another origin .* so the access token is not sent there$/,
		);
		await expect(run({ operation: 'cancelExport' }, { items: [{ json: { statusUrl: foreign } }] })).rejects.toThrow(/^Cancel bulk export: the URL is on another origin/);
		expect(foreignRequests(seq)).toEqual([]);
		// the same-origin status URL still works
		const ok = (await run({ operation: 'checkStatus' }, { items: [{ json: { statusUrl } }] })).output[0][0];
		expect(ok.json.status).toBe('complete');
	});
});
