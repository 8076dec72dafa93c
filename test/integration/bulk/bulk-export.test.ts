// FHIR Bulk Export node against the sandbox over loopback: levels, parameters, output modes,
// tokenless files on another origin, error files, partial manifests, the split actions.
import { runNode, readBinary, setBinaryStreamMode } from '../../harness';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { datasetFor } from '../../../sandbox/data';
import { FhirBulkExport } from '../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { BULK_SCOPES, jobs, params, setBulkOptions, runBulk } from './helpers';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

describe('FHIR Bulk Export node', () => {
	let sb: Sandbox;
	const run = (p: INodeParameters, extra: Parameters<typeof runBulk>[2] = {}) => runBulk(sb, p, extra);
	const newRequests = (since: number) => sb.app.requests.filter((r) => r.seq > since);
	const lastSeq = () => sb.app.requests.at(-1)?.seq ?? 0;

	beforeAll(async () => {
		sb = await withSandbox({ patients: 30, bulk: { resourcesPerFile: 60, pollsBeforeDone: 1, retryAfterSeconds: 0 } });
	});
	afterAll(() => sb.close());

	async function linesOf(item: INodeExecutionData): Promise<Array<{ resourceType: string; id: string }>> {
		const buf = await readBinary(item.binary!.data);
		return buf.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { resourceType: string; id: string });
	}

	it('system level, files mode: one binary item per file, counts equal the data set, exact kick-off headers', async () => {
		const seq = lastSeq();
		const { output } = await run({ level: 'system' });
		const items = output[0];
		const ds = datasetFor(sb.app);
		const byType = (t: string) => items.filter((i) => i.json.type === t);
		expect(byType('Patient').reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		expect(byType('Immunization').reduce((a, i) => a + (i.json.lines as number), 0)).toBe(ds.count('Immunization'));
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
		expect(fileReqs.every((r) => /gzip/.test(r.headers['accept-encoding']) && r.headers.authorization?.startsWith('Bearer '))).toBe(true);
	});

	it("files mode also works with n8n's database binary mode (queue mode's default), which reads streams with a 'data' listener", async () => {
		setBinaryStreamMode('database');
		try {
			const { output } = await run({ level: 'system', types: ['Patient'] });
			expect(output[0].map((i) => i.json.lines)).toEqual(output[0].map((i) => i.json.count));
			expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
			for (const item of output[0]) expect(await linesOf(item)).toHaveLength(item.json.count as number);
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
		const job = (await jobs(sb)).at(-1)!;
		expect(job.level).toBe('patient');
		expect(job.params.typeFilters[0].type).toBe('Immunization');
	});

	it('an unknown extra parameter fails with the server\'s own message', async () => {
		await expect(run({ exportOptions: { extraParameters: { parameter: [{ name: '_foo', value: 'bar' }] } } })).rejects.toThrow(
			/HTTP 400.*_foo.*not supported/,
		);
	});

	it('Group level with patient references kicks off with POST Parameters', async () => {
		const seq = lastSeq();
		const { output } = await run({
			level: 'group',
			groupId: 'group-1',
			types: ['Patient'],
			since: '2020-01-01T00:00:00Z',
			exportOptions: { patients: 'Patient/pt-00002, pt-00003', typeFilters: ['Patient?gender=female', 'Patient?gender=male'], until: '2025-12-31T00:00:00Z' },
		});
		const kick = newRequests(seq).find((r) => r.path.endsWith('/Group/group-1/$export'))!;
		expect(kick.method).toBe('POST');
		expect(kick.headers['content-type']).toContain('application/fhir+json');
		const job = (await jobs(sb)).at(-1)!;
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
		await setBulkOptions(sb, { requiresAccessToken: false });
		try {
			const seq = lastSeq();
			const { output } = await run({ types: ['Patient'] });
			expect(output[0].every((i) => String(i.json.url).startsWith(sb.fileUrl))).toBe(true);
			const fileReqs = newRequests(seq).filter((r) => r.origin === 'files');
			expect(fileReqs.length).toBe(output[0].length);
			expect(fileReqs.map((r) => r.headers.authorization)).toEqual(fileReqs.map(() => undefined));
			// the status checks on the main origin did carry the token
			expect(newRequests(seq).filter((r) => r.path.includes('$bulkdata-status')).every((r) => r.headers.authorization)).toBe(true);
		} finally {
			await setBulkOptions(sb, { requiresAccessToken: true });
		}
	});

	it('surfaces error files and deleted files as items of their kind', async () => {
		const { output, logs } = await run({ types: ['Patient', 'Observation'], since: '2020-01-01T00:00:00Z' });
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
		expect(output[0].every((i) => i.json.resourceType === 'Patient' && (i.pairedItem as { item: number }).item === 0)).toBe(true);
		await expect(run({ types: ['Patient'], outputMode: 'resources', maxItems: 10 })).rejects.toThrow(/more than 10 resources/);
	});

	it('follows partial manifests (link next) and tolerates extra fields', async () => {
		await setBulkOptions(sb, { manifestPageSize: 1 });
		try {
			const { output } = await run({ outputMode: 'manifest' });
			const m = output[0][0].json.manifest as { output: unknown[]; link?: unknown; extension?: unknown };
			expect(m.output.length).toBe(1 + Math.ceil(datasetFor(sb.app).count('Immunization') / 60));
			expect(m.link).toBeUndefined();
			expect(m.extension).toBeDefined();
			expect(output[0][0].json.outputFiles).toBe(m.output.length);
		} finally {
			await setBulkOptions(sb, { manifestPageSize: 0 });
		}
	});

	it('Start Export → Check Export Status → Download Export Files → Cancel Export', async () => {
		const started = (await run({ operation: 'startExport', level: 'patient', types: ['Patient'] })).output[0][0];
		expect(String(started.json.statusUrl)).toContain('$bulkdata-status?job=');
		let checked: INodeExecutionData | undefined;
		for (let n = 0; n < 10; n++) {
			checked = (await run({ operation: 'checkStatus' }, { items: [started] })).output[0][0];
			if (checked.json.status === 'complete') break;
			expect(checked.json.status).toBe('in-progress');
		}
		expect(checked!.json.status).toBe('complete');
		expect(typeof checked!.json.transactionTime).toBe('string');
		const files = (await run({ operation: 'downloadFiles' }, { items: [checked!] })).output[0];
		expect(files.reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		const cancelled = (await run({ operation: 'cancelExport' }, { items: [started] })).output[0][0];
		expect(cancelled.json).toMatchObject({ cancelled: true, status: 202 });
		await expect(run({ operation: 'checkStatus' }, { items: [started] })).rejects.toThrow(/HTTP 404.*job is gone/);
	});

	it('continueOnFail: a failing item becomes an error item paired with it', async () => {
		const { output } = await run({ level: 'group', groupId: 'no-such-group' }, { continueOnFail: true });
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(String(output[0][0].json.error)).toMatch(/404.*Group\/no-such-group/);
	});

	it('works with eMedicalPractice OAuth2 tokens on /emp/fhir/r4', async () => {
		const tok = sb.app.tokens.issue({ surface: 'emp', clientId: 'test', scopes: BULK_SCOPES, lifetimeSeconds: 3600 });
		const { output } = await runNode(FhirBulkExport, {
			parameters: params({ authentication: 'eMedicalPracticeOAuth2Api', level: 'patient', types: ['Patient'] }),
			credentials: {
				eMedicalPracticeOAuth2Api: {
					serverUrl: `${sb.url}/emp`,
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
		const tok = sb.app.tokens.issue({ surface: 'smart', clientId: 'test', scopes: ['system/*.read', 'system/*.$export'], lifetimeSeconds: 3600 });
		const seq = lastSeq();
		const { output } = await runNode(FhirBulkExport, {
			parameters: params({ authentication: 'smartOnFhirOAuth2Api', types: ['Patient'] }),
			credentials: {
				smartOnFhirOAuth2Api: {
					fhirBaseUrl: `${sb.url}/smart/fhir`,
					clientId: 'smart-client',
					clientSecret: 'x',
					oauthTokenData: { access_token: tok.access_token, token_type: 'Bearer' },
				},
			},
		});
		expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		expect(newRequests(seq).every((r) => r.headers.authorization === `Bearer ${tok.access_token}`)).toBe(true);
	});

	it('Get Public JWKS derives the public key set from the credential\'s private key, without private parts', async () => {
		const { readFileSync } = await import('node:fs');
		const { join } = await import('node:path');
		const pem = readFileSync(join(__dirname, '../../../sandbox/keys/TEST-ONLY-es384-private.pem'), 'utf8');
		const { output } = await runNode(FhirBulkExport, {
			parameters: { authentication: 'smartBackendServicesApi', resource: 'key', operation: 'getPublicJwks' },
			credentials: {
				smartBackendServicesApi: { fhirBaseUrl: `${sb.url}/smart/fhir`, clientId: 'smart-backend-demo', privateKey: pem, keyId: 'sandbox-test-es384', algorithm: 'ES384' },
			},
		});
		const key = (output[0][0].json.keys as Array<Record<string, unknown>>)[0];
		expect(key).toMatchObject({ kty: 'EC', crv: 'P-384', kid: 'sandbox-test-es384', alg: 'ES384', use: 'sig' });
		expect(key.d).toBeUndefined();
		const registered = JSON.parse(readFileSync(join(__dirname, '../../../sandbox/clients.json'), 'utf8')) as {
			clients: Array<{ client_id: string; jwks?: { keys: Array<Record<string, unknown>> } }>;
		};
		const pub = registered.clients.find((c) => c.client_id === 'smart-backend-demo')!.jwks!.keys.find((k) => k.kid === 'sandbox-test-es384')!;
		expect([key.x, key.y]).toEqual([pub.x, pub.y]);
	});
});
