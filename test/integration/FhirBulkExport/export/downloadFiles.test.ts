// Download Export Files: the files of a manifest given as a parameter. A manifest without files
// gives one "empty" item; an entry without a usable file URL is an error naming the entry (not a
// file silently left out); the token is never sent to a file on another origin; Resources output
// stops reading at Max Items on a file the manifest gives no count for; a line without a newline
// and a gzip bomb stop at their limits in bounded memory; presigned file URLs' query values appear
// in no log line or message.
import http from 'node:http';
import type { INodeParameters } from 'n8n-workflow';
import type { AddressInfo, Socket } from 'node:net';
import {
	gzipMember,
	pump,
	repeat,
	rssMonitor,
	startHostile,
	type Hostile,
} from '../../../helpers/hostile';
import { useBulkSandbox } from '../helpers';

describe('Download Export Files: the manifest', () => {
	const bulk = useBulkSandbox({
		patients: 10,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 },
	});
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
		const { output } = await run({
			operation: 'downloadFiles',
			manifest: JSON.stringify(manifest),
		});
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(output[0][0].json).toEqual({
			kind: 'empty',
			files: 0,
			transactionTime: manifest.transactionTime,
			request: manifest.request,
		});
		expect(newRequests(seq)).toHaveLength(0);
	});

	it('files and resources modes: an output entry without url (or with a non-URL) fails naming it; output: [] gives one "empty" item', async () => {
		const m = (await bulk.completedExport(['Patient', 'Immunization'])).manifest as {
			output: Array<Record<string, unknown>>;
			error: unknown[];
		};
		expect(m.output.length).toBeGreaterThan(1);
		const broken = {
			...m,
			output: m.output.map((e, n) => (n === 1 ? { ...e, url: undefined } : e)),
		};
		await expect(
			run({ operation: 'downloadFiles', manifest: JSON.stringify(broken) }),
		).rejects.toThrow(
			`The bulk export manifest's output entry 2 (${String(m.output[1].type)}) has no file URL, so its file cannot be downloaded`,
		);
		const notUrl = { ...m, output: m.output.map((e, n) => (n === 0 ? { ...e, url: 42 } : e)) };
		await expect(
			run({
				operation: 'downloadFiles',
				outputMode: 'resources',
				maxItems: 100000,
				manifest: JSON.stringify(notUrl),
			}),
		).rejects.toThrow(/output entry 1 \(Patient\) has no file URL/);
		const empty = await run({
			operation: 'downloadFiles',
			manifest: JSON.stringify({ ...m, output: [], error: [] }),
		});
		expect(empty.output[0].map((i) => i.json.kind)).toEqual(['empty']);
	});

	it('a manifest with requiresAccessToken: true and a file on another origin: refused, no request there, no token', async () => {
		const manifest = (await bulk.completedExport(['Patient'])).manifest as {
			output: Array<{ url: string }>;
			requiresAccessToken: boolean;
		};
		expect(manifest.requiresAccessToken).toBe(true);
		const evil = {
			...manifest,
			output: manifest.output.map((e) => ({
				...e,
				url: e.url.replace(bulk.sb.url, bulk.sb.fileUrl),
			})),
		};
		const seq = lastSeq();
		const err = (await run({ operation: 'downloadFiles', manifest: JSON.stringify(evil) }).catch(
			(e: unknown) => e,
		)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(
			/requiresAccessToken: true\): the URL is on another origin \(http:\/\/127\.0\.0\.1:\d+\) than the FHIR server .* so the access token is not sent there/,
		);
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
		JSON.stringify({
			transactionTime: '2025-01-01T00:00:00Z',
			request: 'x',
			requiresAccessToken: false,
			output: [{ type: 'Patient', url }],
			error: [],
		});

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
			{
				operation: 'downloadFiles',
				outputMode: 'resources',
				maxItems: 50,
				manifest: '={{ $json.m }}',
			},
			{
				items: [
					{ json: { m: manifest(`${files}/a.ndjson`) } },
					{ json: { m: manifest(`${files}/b.ndjson`) } },
				],
				continueOnFail: true,
			},
		);
		expect(output[0]).toHaveLength(2);
		expect(output[0].map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const o of output[0])
			expect(String(o.json.error)).toBe(
				'The export has more than 50 resources (the Max Items limit of the Resources output)',
			);
		await new Promise((r) => setTimeout(r, 100));
		expect(sockets.size).toBe(0);
	}, 15_000);
});

describe('Download Export Files: bounds on hostile files (line length, decompressed size, presigned URLs)', () => {
	const bulk = useBulkSandbox({ patients: 5 });
	let host: Hostile;
	const MB = 1024 * 1024;
	const line = (id: number) => `${JSON.stringify({ resourceType: 'Patient', id: `p${id}` })}\n`;
	const SECRETS = [
		'FQoGZXIvYXdzEJrSESSIONTOKEN',
		'c0ffee5ignature0123456789',
		'SIGVALUEabcdef123',
		'TOKVALUE987654321',
		'ERRTOKENqwerty555',
	];
	const manifest = (
		output: Array<{ url: string; type?: string; count?: number }>,
		error: Array<{ url: string }> = [],
	) =>
		JSON.stringify({
			transactionTime: '2025-01-01T00:00:00Z',
			request: 'x',
			requiresAccessToken: false,
			output: output.map((o) => ({ type: 'Patient', ...o })),
			error: error.map((e) => ({ type: 'OperationOutcome', ...e })),
		});

	beforeAll(async () => {
		const longA = Buffer.alloc(MB, 'a');
		const gzA = gzipMember('a', 16 * MB);
		const gzLines = gzipMember(line(1), 16 * MB);
		host = await startHostile({
			// one line that never ends (512 MB without a newline, then the end)
			'/endless-line.ndjson': (_q, res) => {
				res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
				res.write('{"resourceType":"Patient","id":"');
				pump(res, repeat(longA, 512));
			},
			// the same line gzip-encoded: 16 MB of "a" per gzip member, 32 members (512 MB expanded)
			'/endless-line-gz.ndjson': (_q, res) => {
				res.writeHead(200, {
					'content-type': 'application/fhir+ndjson',
					'content-encoding': 'gzip',
				});
				pump(res, repeat(gzA, 32));
			},
			// a gzip bomb of valid lines: 64 members of 16 MB (1 GB expanded, ~2 MB on the wire)
			'/bomb.ndjson': (_q, res) => {
				res.writeHead(200, {
					'content-type': 'application/fhir+ndjson',
					'content-encoding': 'gzip',
				});
				pump(res, repeat(gzLines, 64));
			},
			'/ok.ndjson': (_q, res) => {
				res.writeHead(200, { 'content-type': 'application/fhir+ndjson', connection: 'close' });
				res.end(line(1) + line(2));
			},
			// a storage server that echoes the presigned query in its error
			'/s3/Patient-1.ndjson': (req, res) => {
				res.writeHead(403, { 'content-type': 'application/xml' });
				res.end(
					`<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><Url>${req.url}</Url></Error>`,
				);
			},
			'/blob/Patient-2.ndjson': (_q, res) => {
				res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
				res.end(`${line(1)}{"resourceType":"Patient","id":"cut`);
			},
			'/err/OperationOutcome.ndjson': (_q, res) => {
				res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
				res.end(
					`${JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Observation export failed' }] })}\n`,
				);
			},
		});
	});
	afterAll(() => host.close());

	async function filesWithRss(m: string, options: INodeParameters = {}) {
		const rss = rssMonitor();
		const t0 = Date.now();
		try {
			const { output, logs } = await bulk.run({ operation: 'downloadFiles', manifest: m, options });
			const peakMb = rss.stop();
			return { items: output[0], logs, ms: Date.now() - t0, peakMb, growthMb: rss.growthMb() };
		} finally {
			rss.stop();
		}
	}

	it('an NDJSON line without a newline (plain, gzip, with and without checks): stopped at 16 MB with an error naming the file, memory bounded, the good file delivered', async () => {
		for (const [path, validate] of [
			['/endless-line.ndjson', true],
			['/endless-line-gz.ndjson', true],
			['/endless-line.ndjson', false],
		] as const) {
			const r = await filesWithRss(
				manifest([{ url: `${host.url}${path}` }, { url: `${host.url}/ok.ndjson` }]),
				{ validate },
			);
			console.log(
				`[bounds] ${path} validate=${validate}: ${r.ms} ms, peak RSS ${r.peakMb} MB (+${r.growthMb} MB)`,
			);
			expect(r.growthMb).toBeLessThan(300);
			const bad = r.items.find((i) => i.json.error !== undefined)!;
			const name = path.slice(1);
			expect(bad.json.fileName).toBe(name);
			expect(bad.json.error).toBe(
				`Bulk export file check failed: ${name}: line 1 is longer than 16 MB (no newline within the limit); the download was stopped`,
			);
			expect(String(bad.json.description)).toMatch(/raise "Max Line Size \(MB\)"/);
			expect(r.items.find((i) => i.json.fileName === 'ok.ndjson')!.json.lines).toBe(2);
		}
		await new Promise((r) => setTimeout(r, 100));
		expect(host.sockets.size).toBe(0);
	}, 60_000);

	it('a gzip bomb (about 2 MB on the wire, 1 GB expanded): stopped at Max File Size with an error naming the file, memory bounded', async () => {
		const r = await filesWithRss(manifest([{ url: `${host.url}/bomb.ndjson` }]), {
			maxFileSize: 50,
		});
		console.log(
			`[bounds] gzip bomb, Max File Size 50 MB: ${r.ms} ms, peak RSS ${r.peakMb} MB (+${r.growthMb} MB)`,
		);
		expect(r.growthMb).toBeLessThan(300);
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json.error).toBe(
			'Bulk export file check failed: bomb.ndjson: the file is larger than 50 MB once decompressed; the download was stopped',
		);
		expect(String(r.items[0].json.description)).toMatch(/raise "Max File Size \(MB\)"/);
		expect(r.items[0].binary).toBeUndefined();
	}, 60_000);

	it('presigned file URLs: their query values appear in no log line, error or description (the item keeps the URL)', async () => {
		const [token, signature, sig, tok, errTok] = SECRETS;
		const m = manifest(
			[
				{
					url: `${host.url}/s3/Patient-1.ndjson?X-Amz-Security-Token=${token}&X-Amz-Signature=${signature}&X-Amz-Expires=300`,
				},
				{ url: `${host.url}/blob/Patient-2.ndjson?sig=${sig}&token=${tok}`, count: 2 },
			],
			[{ url: `${host.url}/err/OperationOutcome.ndjson?token=${errTok}` }],
		);
		const r = await bulk
			.run({ operation: 'downloadFiles', manifest: m, options: { fileRetries: 0 } })
			.catch((e: Error & { description?: string }) => e);
		const shown =
			r instanceof Error
				? `${r.message} ${r.description ?? ''}`
				: JSON.stringify(r.output[0].map((i) => ({ ...i.json, url: undefined }))) +
					JSON.stringify(r.logs);
		for (const s of SECRETS) expect(shown).not.toContain(s);
		expect(r).not.toBeInstanceOf(Error);
		const { output, logs } = r as Awaited<ReturnType<typeof bulk.run>>;
		expect(output[0].map((i) => [i.json.fileName, i.json.error === undefined])).toEqual([
			['Patient-1.ndjson', false],
			['Patient-2.ndjson', false],
			['error-OperationOutcome.ndjson', true],
		]);
		expect(String(output[0][0].json.error)).toMatch(/HTTP 403/);
		expect(
			logs.some((l) => l.message.includes('/err/OperationOutcome.ndjson?token=[redacted]')),
		).toBe(true);
		expect(output[0][0].json.url).toContain(token);
	});
});
