// Bulk Export (the one-step operation) against the sandbox over loopback: export levels and
// parameters, output modes, tokenless files on another origin, error and deleted files, partial
// manifests, the three credential types, an export without files, and errors after the kick-off
// that name the job's status URL.
import { runNode, readBinary, setBinaryStreamMode } from '../../../harness';
import { armFault } from '../../../helpers/sandbox';
import { datasetFor } from '../../../../sandbox/data';
import { FhirBulkExport } from '../../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { BULK_SCOPES, jobs, params, setBulkOptions, useBulkSandbox } from '../helpers';
import type { INodeExecutionData } from 'n8n-workflow';

describe('Bulk Export', () => {
	const bulk = useBulkSandbox({
		patients: 30,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 1, retryAfterSeconds: 0 },
	});
	const { run, newRequests, lastSeq } = bulk;

	async function linesOf(
		item: INodeExecutionData,
	): Promise<Array<{ resourceType: string; id: string }>> {
		const buf = await readBinary(item.binary!.data);
		return buf
			.toString('utf8')
			.split('\n')
			.filter(Boolean)
			.map((l) => JSON.parse(l) as { resourceType: string; id: string });
	}

	it('system level, files mode: one binary item per file, counts equal the data set, exact kick-off headers', async () => {
		const seq = lastSeq();
		const { output } = await run({ level: 'system' });
		const items = output[0];
		const ds = datasetFor(bulk.sb.app);
		const byType = (t: string) => items.filter((i) => i.json.type === t);
		expect(byType('Patient').reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		expect(byType('Immunization').reduce((a, i) => a + (i.json.lines as number), 0)).toBe(
			ds.count('Immunization'),
		);
		expect(byType('Immunization').length).toBe(Math.ceil(ds.count('Immunization') / 60));
		for (const item of items) {
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json.kind).toBe('output');
			expect(item.json.lines).toBe(item.json.count);
			const lines = await linesOf(item);
			expect(lines).toHaveLength(item.json.count as number);
			expect(lines.every((l) => l.resourceType === item.json.type)).toBe(true);
			expect(item.binary!.data.mimeType).toBe('application/fhir+ndjson');
			expect(item.json.bytes).toBe((await readBinary(item.binary!.data)).length);
			expect(typeof item.json.transactionTime).toBe('string');
		}
		const kick = newRequests(seq).find((r) => r.path.endsWith('/$export'))!;
		expect(kick.method).toBe('GET');
		expect(kick.headers.accept).toBe('application/fhir+json');
		expect(kick.headers.prefer).toBe('respond-async');
		const fileReqs = newRequests(seq).filter((r) => r.path.includes('/bulkfiles/'));
		expect(fileReqs.length).toBe(items.length);
		// done with the files: the job is deleted on the server, after the last download
		const del = newRequests(seq).filter((r) => r.method === 'DELETE');
		expect(del.map((r) => r.status)).toEqual([202]);
		expect(del[0].seq).toBeGreaterThan(Math.max(...fileReqs.map((r) => r.seq)));
		expect(
			fileReqs.every(
				(r) =>
					/gzip/.test(r.headers['accept-encoding']) &&
					r.headers.authorization?.startsWith('Bearer '),
			),
		).toBe(true);
	});

	it("files mode also works with n8n's database binary mode (queue mode's default), which reads streams with a 'data' listener", async () => {
		setBinaryStreamMode('database');
		try {
			const { output } = await run({ level: 'system', types: ['Patient'] });
			expect(output[0].map((i) => i.json.lines)).toEqual(output[0].map((i) => i.json.count));
			expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
			for (const item of output[0])
				expect(await linesOf(item)).toHaveLength(item.json.count as number);
		} finally {
			setBinaryStreamMode('filesystem');
		}
	});

	it('Patient level: every parameter reaches the server', async () => {
		const seq = lastSeq();
		await run({
			level: 'patient',
			types: ['Patient', 'Immunization'],
			since: '2023-01-01T00:00:00Z',
			exportOptions: {
				until: '2025-06-01T00:00:00Z',
				typeFilters: ['Immunization?status=completed'],
				elements: 'id,gender,Immunization.status',
				includeAssociatedData: ['LatestProvenanceResources'],
				moreTypes: 'Observation',
			},
			outputMode: 'manifest',
		});
		const kick = newRequests(seq).find((r) => r.path.endsWith('/Patient/$export'))!;
		const q = new URLSearchParams(kick.query);
		expect(q.get('_type')).toBe('Patient,Immunization,Observation');
		expect(q.get('_since')).toBe('2023-01-01T00:00:00Z');
		expect(q.get('_until')).toBe('2025-06-01T00:00:00Z');
		expect(q.getAll('_typeFilter')).toEqual(['Immunization?status=completed']);
		expect(q.get('_elements')).toBe('id,gender,Immunization.status');
		expect(q.get('includeAssociatedData')).toBe('LatestProvenanceResources');
		expect(q.get('_outputFormat')).toBe('application/fhir+ndjson');
		const job = (await jobs(bulk.sb)).at(-1)!;
		expect(job.level).toBe('patient');
		expect(job.params.typeFilters[0].type).toBe('Immunization');
	});

	it("an unknown extra parameter fails with the server's own message", async () => {
		await expect(
			run({ exportOptions: { extraParameters: { parameter: [{ name: '_foo', value: 'bar' }] } } }),
		).rejects.toThrow(/HTTP 400.*_foo.*not supported/);
	});

	it('a failure is thrown with the index of the input item that failed', async () => {
		const err = (await run(
			{ level: 'group', groupId: '={{ $json.group }}', types: ['Patient'], outputMode: 'manifest' },
			{ items: [{ json: { group: 'group-1' } }, { json: { group: 'no-such-group' } }] },
		).catch((e: unknown) => e)) as Error & { context?: { itemIndex?: number } };
		expect(err.message).toMatch(/404.*Group\/no-such-group/);
		expect(err.context?.itemIndex).toBe(1);
	});

	it('Group level with patient references kicks off with POST Parameters', async () => {
		const seq = lastSeq();
		const { output } = await run({
			level: 'group',
			groupId: 'group-1',
			types: ['Patient'],
			since: '2020-01-01T00:00:00Z',
			exportOptions: {
				patients: 'Patient/pt-00002, pt-00003',
				typeFilters: ['Patient?gender=female', 'Patient?gender=male'],
				until: '2025-12-31T00:00:00Z',
			},
		});
		const kick = newRequests(seq).find((r) => r.path.endsWith('/Group/group-1/$export'))!;
		expect(kick.method).toBe('POST');
		expect(kick.headers['content-type']).toContain('application/fhir+json');
		const job = (await jobs(bulk.sb)).at(-1)!;
		expect(job.params.patients).toEqual(['pt-00002', 'pt-00003']);
		expect(job.params.types).toEqual(['Patient']);
		expect(job.params.since).toBe('2020-01-01T00:00:00Z');
		expect(job.params.until).toBe('2025-12-31T00:00:00Z');
		expect(job.params.typeFilters).toHaveLength(2);
		expect(kick.query).toBe('');
		const ids = (await Promise.all(output[0].map(linesOf))).flat().map((p) => p.id);
		expect(ids.sort()).toEqual(['pt-00002', 'pt-00003']);
	});

	it('Group level over GET exports the group', async () => {
		const { output } = await run({ level: 'group', groupId: 'group-2', types: ['Patient'] });
		expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(6);
	});

	it('requiresAccessToken false: files come from the other origin with NO Authorization header', async () => {
		await setBulkOptions(bulk.sb, { requiresAccessToken: false });
		try {
			const seq = lastSeq();
			const { output } = await run({ types: ['Patient'] });
			expect(output[0].every((i) => String(i.json.url).startsWith(bulk.sb.fileUrl))).toBe(true);
			const fileReqs = newRequests(seq).filter((r) => r.origin === 'files');
			expect(fileReqs.length).toBe(output[0].length);
			expect(fileReqs.map((r) => r.headers.authorization)).toEqual(fileReqs.map(() => undefined));
			// the status checks on the main origin did carry the token
			expect(
				newRequests(seq)
					.filter((r) => r.path.includes('$bulkdata-status'))
					.every((r) => r.headers.authorization),
			).toBe(true);
		} finally {
			await setBulkOptions(bulk.sb, { requiresAccessToken: true });
		}
	});

	it('surfaces error files and deleted files as items of their kind', async () => {
		const { output, logs } = await run({
			types: ['Patient', 'Observation'],
			since: '2020-01-01T00:00:00Z',
		});
		const err = output[0].find((i) => i.json.kind === 'error')!;
		expect(err.json.fileName).toBe('error-OperationOutcome-1.ndjson');
		const oo = await linesOf(err);
		expect(oo[0].resourceType).toBe('OperationOutcome');
		expect(JSON.stringify(oo)).toContain('Observation');
		expect(output[0].filter((i) => i.json.kind === 'deleted')).toHaveLength(1);
		expect(logs.some((l) => l.level === 'warn' && /reported errors/.test(l.message))).toBe(true);
	});

	it('resources mode: one item per resource, and refuses past Max Items with a clear error', async () => {
		const { output } = await run({ types: ['Patient'], outputMode: 'resources', maxItems: 100 });
		expect(output[0]).toHaveLength(30);
		expect(
			output[0].every(
				(i) => i.json.resourceType === 'Patient' && (i.pairedItem as { item: number }).item === 0,
			),
		).toBe(true);
		await expect(
			run({ types: ['Patient'], outputMode: 'resources', maxItems: 10 }),
		).rejects.toThrow(/more than 10 resources/);
	});

	it('follows partial manifests (link next) and tolerates extra fields', async () => {
		await setBulkOptions(bulk.sb, { manifestPageSize: 1 });
		try {
			const { output } = await run({ outputMode: 'manifest' });
			const m = output[0][0].json.manifest as {
				output: unknown[];
				link?: unknown;
				extension?: unknown;
			};
			expect(m.output.length).toBe(
				1 + Math.ceil(datasetFor(bulk.sb.app).count('Immunization') / 60),
			);
			expect(m.link).toBeUndefined();
			expect(m.extension).toBeDefined();
			expect(output[0][0].json.outputFiles).toBe(m.output.length);
		} finally {
			await setBulkOptions(bulk.sb, { manifestPageSize: 0 });
		}
	});

	it('continueOnFail: a failing item becomes an error item paired with it', async () => {
		const { output } = await run(
			{ level: 'group', groupId: 'no-such-group' },
			{ continueOnFail: true },
		);
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(String(output[0][0].json.error)).toMatch(/404.*Group\/no-such-group/);
		// the shared error item shape: the message and what to do next
		expect(Object.keys(output[0][0].json)).toEqual(['error', 'description']);
		expect(output[0][0].json.description).toBe('Check the ID and the base URL in the credential.');
	});

	it('works with eMedicalPractice OAuth2 tokens on /emp/fhir/r4', async () => {
		const tok = bulk.sb.app.tokens.issue({
			surface: 'emp',
			clientId: 'test',
			scopes: BULK_SCOPES,
			lifetimeSeconds: 3600,
		});
		const { output } = await runNode(FhirBulkExport, {
			parameters: params({
				authentication: 'eMedicalPracticeOAuth2Api',
				level: 'patient',
				types: ['Patient'],
			}),
			credentials: {
				eMedicalPracticeOAuth2Api: {
					serverUrl: `${bulk.sb.url}/emp`,
					clientId: 'emp-client',
					clientSecret: 'x',
					oauthTokenData: { access_token: tok.access_token, token_type: 'Bearer' },
				},
			},
		});
		expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		expect(String(output[0][0].json.url)).toContain('/emp/fhir/r4/bulkfiles/');
	});

	it('works with SMART on FHIR OAuth2 (user login) tokens', async () => {
		const tok = bulk.sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'test',
			scopes: ['system/*.read', 'system/*.$export'],
			lifetimeSeconds: 3600,
		});
		const seq = lastSeq();
		const { output } = await runNode(FhirBulkExport, {
			parameters: params({ authentication: 'smartOnFhirOAuth2Api', types: ['Patient'] }),
			credentials: {
				smartOnFhirOAuth2Api: {
					fhirBaseUrl: `${bulk.sb.url}/smart/fhir`,
					clientId: 'smart-client',
					clientSecret: 'x',
					oauthTokenData: { access_token: tok.access_token, token_type: 'Bearer' },
				},
			},
		});
		expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		expect(
			newRequests(seq).every((r) => r.headers.authorization === `Bearer ${tok.access_token}`),
		).toBe(true);
	});
});

// an export with no files (a nightly `_since` run with nothing new, a `_typeFilter` matching
// nothing) still outputs one item per input item, carrying the manifest's transactionTime, so a
// workflow can keep it as the next `_since` and downstream nodes run
describe('Bulk Export: an export without files', () => {
	const bulk = useBulkSandbox({
		patients: 10,
		bulk: { resourcesPerFile: 50, pollsBeforeDone: 1, retryAfterSeconds: 0 },
	});
	const { run, newRequests, lastSeq } = bulk;

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
		const { output } = await run({
			types: ['Patient'],
			exportOptions: { typeFilters: ['Patient?gender=no-such-gender'] },
		});
		expect(output[0]).toHaveLength(1);
		expectEmptyItem(output[0][0], 0);
		expect(newRequests(seq).filter((r) => r.path.includes('/bulkfiles/'))).toHaveLength(0);
		// still done with the job: it is deleted on the server
		expect(
			newRequests(seq)
				.filter((r) => r.method === 'DELETE')
				.map((r) => r.status),
		).toEqual([202]);
	});

	it('a nightly _since run with nothing new (and no deleted file): one "empty" item per input item, each paired with it', async () => {
		await setBulkOptions(bulk.sb, { deletedCount: 0 });
		try {
			const { output } = await run(
				{ types: ['Patient', 'Immunization'], since: '2025-06-02T00:00:00Z' },
				{ items: [{ json: { run: 1 } }, { json: { run: 2 } }] },
			);
			expect(output[0]).toHaveLength(2);
			expectEmptyItem(output[0][0], 0);
			expectEmptyItem(output[0][1], 1);
			// the transactionTime is later than the _since it was asked with: the next run's _since
			expect(Date.parse(output[0][0].json.transactionTime as string)).toBeGreaterThan(
				Date.parse('2025-06-02T00:00:00Z'),
			);
		} finally {
			await setBulkOptions(bulk.sb, { deletedCount: 2 });
		}
	});

	it('a _since run with nothing new but a deleted file outputs that file (it carries the transactionTime), no extra item', async () => {
		const { output } = await run({ types: ['Patient'], since: '2025-06-02T00:00:00Z' });
		expect(output[0].map((i) => i.json.kind)).toEqual(['deleted']);
		expect(typeof output[0][0].json.transactionTime).toBe('string');
	});
});

// a one-step export that fails after the kick-off (a file download, a broken status answer) names
// the job's status URL, so a finished export is not lost: Check Export Status and Download Export
// Files continue with it
describe('Bulk Export: an error after the kick-off names the status URL', () => {
	const bulk = useBulkSandbox({
		patients: 20,
		bulk: { resourcesPerFile: 50, pollsBeforeDone: 1, retryAfterSeconds: 0 },
	});
	const { run } = bulk;
	afterEach(async () => {
		await fetch(`${bulk.sb.url}/_admin/faults`, { method: 'DELETE' });
	});

	it('a file that fails for good is an item with its error (the status URL in its description); the good files are delivered, the job is kept and its files download afterwards', async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'truncate-ndjson',
			pathContains: 'Patient-1.ndjson',
		});
		const { output } = await run({
			types: ['Patient', 'Immunization'],
			options: { fileRetries: 0 },
		});
		const bad = output[0].filter((f) => f.json.error !== undefined);
		expect(bad).toHaveLength(1);
		expect(bad[0].binary).toBeUndefined();
		expect(bad[0].pairedItem).toEqual({ item: 0 });
		expect(bad[0].json).toMatchObject({
			kind: 'output',
			type: 'Patient',
			fileName: 'Patient-1.ndjson',
		});
		expect(String(bad[0].json.error)).toMatch(
			/Patient-1\.ndjson: the file ends in the middle of line \d+ \(truncated download\)/,
		);
		const statusUrl = /status URL (\S+)\.$/.exec(String(bad[0].json.description))?.[1];
		expect(statusUrl).toContain('$bulkdata-status?job=');
		expect(String(bad[0].json.description)).not.toMatch(/Bearer|access_token/);
		const good = output[0].filter((f) => f.json.error === undefined);
		expect(good.length).toBeGreaterThan(1);
		expect(good.every((f) => f.json.type === 'Immunization' && f.binary?.data)).toBe(true);
		expect((await jobs(bulk.sb)).find((j) => statusUrl!.endsWith(j.id))?.status).toBe('completed');
		const checked = (await run({ operation: 'checkStatus' }, { items: [{ json: { statusUrl } }] }))
			.output[0][0];
		expect(checked.json.status).toBe('complete');
		const files = (await run({ operation: 'downloadFiles' }, { items: [checked] })).output[0];
		expect(
			files
				.filter((f) => f.json.type === 'Patient')
				.reduce((a, f) => a + (f.json.lines as number), 0),
		).toBe(20);
		expect(files.every((f) => f.json.error === undefined)).toBe(true);
	});

	it('a status answer that is an HTML page while polling: the error names the status URL too', async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'html-200',
			pathContains: '$bulkdata-status',
		});
		const err = (await run({ types: ['Patient'] }).catch((e: unknown) => e)) as Error & {
			description?: string;
		};
		expect(err.message).toMatch(/HTML page/);
		expect(err.description).toMatch(
			/status URL \S+\$bulkdata-status\?job=\S+, or remove it with Cancel Export/,
		);
		expect((await jobs(bulk.sb)).length).toBeGreaterThan(0);
	});
});

describe('Bulk Export: manifest counts that disagree, error files', () => {
	const bulk = useBulkSandbox({
		patients: 20,
		bulk: {
			resourcesPerFile: 50,
			pollsBeforeDone: 0,
			retryAfterSeconds: 0,
			manifestCountSkew: 1,
			errorFile: true,
		},
	});
	const { run } = bulk;

	it("a count other than the lines is a countMismatch warning on that file's item, not a failure; an error file is read for its issues, not counted", async () => {
		const { output, logs } = await run({ types: ['Patient', 'Immunization', 'Observation'] });
		const items = output[0];
		expect(items.every((f) => f.json.error === undefined && f.binary?.data)).toBe(true);
		const first = items.find((f) => f.json.fileName === 'Patient-1.ndjson')!;
		expect(first.json.lines).toBe(20);
		expect(first.json.countMismatch).toEqual({ manifest: 21, lines: 20 });
		expect(items.filter((f) => f.json.countMismatch !== undefined)).toHaveLength(1);
		const err = items.find((f) => f.json.kind === 'error')!;
		expect(err.json.countMismatch).toBeUndefined();
		expect(err.json.count).toBe((err.json.lines as number) + 1);
		const issues = err.json.issues as Array<{
			severity: string;
			code: string;
			diagnostics: string;
		}>;
		expect(
			issues.some((i) => i.code === 'not-supported' && /Observation/.test(i.diagnostics)),
		).toBe(true);
		expect(
			logs.some(
				(l) =>
					l.level === 'warn' &&
					/Patient-1\.ndjson .* has 20 lines but the manifest says 21/.test(l.message),
			),
		).toBe(true);
		// no file failed: the job is deleted after the download as usual
		expect((await jobs(bulk.sb)).every((j) => j.status === 'cancelled')).toBe(true);
	});
});
