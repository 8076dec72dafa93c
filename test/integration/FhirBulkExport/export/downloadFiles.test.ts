// Download Export Files: the files of a manifest given as a parameter. A manifest without files
// gives one "empty" item; an entry without a usable file URL is an error naming the entry (not a
// file silently left out); the token is never sent to a file on another origin; Resources output
// stops reading at Max Items on a file the manifest gives no count for.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { useBulkSandbox } from '../helpers';

describe('Download Export Files: the manifest', () => {
	const bulk = useBulkSandbox({ patients: 10, bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 } });
	const { run, lastSeq, newRequests } = bulk;
	const foreignRequests = (since: number) => newRequests(since).filter((r) => r.origin === 'files');

	it('a manifest whose output is []: one "empty" item, no request', async () => {
		const seq = lastSeq();
		const manifest = {
			transactionTime: '2026-01-02T03:04:05.000Z',
			request: `${bulk.sb.url}/smart/fhir/$export?_since=2026-01-01T00:00:00Z`,
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

	it('files and resources modes: an output entry without url (or with a non-URL) fails naming it; output: [] gives one "empty" item', async () => {
		const m = (await bulk.completedExport(['Patient', 'Immunization'])).manifest as { output: Array<Record<string, unknown>>; error: unknown[] };
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

	it('a manifest with requiresAccessToken: true and a file on another origin: refused, no request there, no token', async () => {
		const manifest = (await bulk.completedExport(['Patient'])).manifest as { output: Array<{ url: string }>; requiresAccessToken: boolean };
		expect(manifest.requiresAccessToken).toBe(true);
		const evil = { ...manifest, output: manifest.output.map((e) => ({ ...e, url: e.url.replace(bulk.sb.url, bulk.sb.fileUrl) })) };
		const seq = lastSeq();
		const err = (await run({ operation: 'downloadFiles', manifest: JSON.stringify(evil) }).catch((e: unknown) => e)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(/requiresAccessToken: true\): the URL is on another origin \(http:\/\/127\.0\.0\.1:\d+\) than the FHIR server .* so the access token is not sent there/);
		expect(err.message).not.toMatch(/Bearer|access_token=/);
		expect(foreignRequests(seq)).toEqual([]);
	});
});

describe('Download Export Files: Resources output, Max Items and files without a count', () => {
	const bulk = useBulkSandbox({ patients: 5 });
	let srv: http.Server;
	let files: string;
	let linesSent = 0;
	const sockets = new Set<Socket>();
	const manifest = (url: string) =>
		JSON.stringify({ transactionTime: '2025-01-01T00:00:00Z', request: 'x', requiresAccessToken: false, output: [{ type: 'Patient', url }], error: [] });

	beforeAll(async () => {
		// a file host that streams Patient lines without end (a runaway export)
		srv = http.createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
			let n = 0;
			const pump = () => {
				while (!res.destroyed) {
					linesSent++;
					if (!res.write(`${JSON.stringify({ resourceType: 'Patient', id: `p${n++}` })}\n`)) {
						res.once('drain', pump);
						return;
					}
				}
			};
			pump();
		});
		srv.on('connection', (s) => {
			sockets.add(s);
			s.on('close', () => sockets.delete(s));
		});
		await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
		files = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		for (const s of sockets) s.destroy();
		await new Promise((r) => srv.close(r));
	});

	it('an endless file without a count: a clear Max Items error, the download stopped, per input item with continueOnFail', async () => {
		const { output } = await bulk.run(
			{ operation: 'downloadFiles', outputMode: 'resources', maxItems: 50, manifest: '={{ $json.m }}' },
			{ items: [{ json: { m: manifest(`${files}/a.ndjson`) } }, { json: { m: manifest(`${files}/b.ndjson`) } }], continueOnFail: true },
		);
		expect(output[0]).toHaveLength(2);
		expect(output[0].map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const o of output[0]) expect(String(o.json.error)).toBe('The export has more than 50 resources (the Max Items limit of the Resources output)');
		await new Promise((r) => setTimeout(r, 100));
		expect(sockets.size).toBe(0);
	}, 15_000);
});
