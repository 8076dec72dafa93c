// Review: a manifest entry without a usable file URL is an error naming the entry, not a file
// silently left out of the output; an empty export (output: []) is no error (one "empty" item).
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { runBulk } from './bulk/helpers';
import type { INodeParameters } from 'n8n-workflow';

describe('review: bulk manifest entries without a URL', () => {
	let sb: Sandbox;
	const run = (p: INodeParameters, extra: Parameters<typeof runBulk>[2] = {}) => runBulk(sb, p, extra);
	beforeAll(async () => {
		sb = await withSandbox({ patients: 10, bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 } });
	});
	afterAll(() => sb.close());

	async function manifest(): Promise<{ output: Array<Record<string, unknown>>; error: unknown[] }> {
		const started = (await run({ operation: 'startExport', level: 'system', types: ['Patient', 'Immunization'] })).output[0][0];
		for (let n = 0; n < 10; n++) {
			const checked = (await run({ operation: 'checkStatus' }, { items: [started] })).output[0][0];
			if (checked.json.status === 'complete') return checked.json.manifest as never;
		}
		throw new Error('export did not complete');
	}

	it('files and resources modes: an output entry without url (or with a non-URL) fails naming it; output: [] gives one "empty" item', async () => {
		const m = await manifest();
		expect(m.output.length).toBeGreaterThan(1);
		const broken = { ...m, output: m.output.map((e, n) => (n === 1 ? { ...e, url: undefined } : e)) };
		await expect(run({ operation: 'downloadFiles', manifest: JSON.stringify(broken) })).rejects.toThrow(
			`The bulk export manifest's output entry 2 (${String(m.output[1].type)}) has no file URL, so its file cannot be downloaded`,
		);
		const notUrl = { ...m, output: m.output.map((e, n) => (n === 0 ? { ...e, url: 42 } : e)) };
		await expect(run({ operation: 'downloadFiles', outputMode: 'resources', maxItems: 100000, manifest: JSON.stringify(notUrl) })).rejects.toThrow(
			/output entry 1 \(Patient\) has no file URL/,
		);
		const empty = await run({ operation: 'downloadFiles', manifest: JSON.stringify({ ...m, output: [], error: [] }) });
		expect(empty.output[0].map((i) => i.json.kind)).toEqual(['empty']);
	});
});
