import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { withSandbox, armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { datasetFor } from '../../sandbox/data';

const SCOPES = [
	'system/*.read',
	'system/*.$export',
	'system/*.$bulkdata-status',
	'system/Binary.read',
];

describe('sandbox bulk export', () => {
	let sb: Sandbox;
	let token: string;
	const base = () => `${sb.url}/smart/fhir`;
	const empBase = () => `${sb.url}/emp/fhir/r4`;
	const H = (extra: Record<string, string> = {}) => ({
		authorization: `Bearer ${token}`,
		accept: 'application/fhir+json',
		prefer: 'respond-async',
		...extra,
	});

	beforeAll(async () => {
		sb = await withSandbox({ patients: 30, bulk: { resourcesPerFile: 40, pollsBeforeDone: 1 } });
		token = sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'test',
			scopes: SCOPES,
			lifetimeSeconds: 3600,
		}).access_token;
	});
	afterAll(() => sb.close());

	async function setOptions(o: Record<string, unknown>) {
		await fetch(`${sb.url}/_admin/bulk/options`, {
			method: 'POST',
			body: JSON.stringify(o),
			headers: { 'content-type': 'application/json' },
		});
	}

	/** GET with Accept-Encoding gzip, the body as sent (node:http does not decompress) */
	function gzipGet(url: URL) {
		return new Promise<{ enc?: string; len?: string; body: Buffer }>((resolve, reject) => {
			httpRequest(
				url,
				{ headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } },
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () =>
						resolve({
							enc: res.headers['content-encoding'],
							len: res.headers['content-length'],
							body: Buffer.concat(chunks),
						}),
					);
				},
			)
				.on('error', reject)
				.end();
		});
	}

	async function kick(path: string, init: RequestInit = {}) {
		const r = await fetch(`${base()}${path}`, { headers: H(), ...init });
		const body = await r.text();
		return { status: r.status, location: r.headers.get('content-location'), body };
	}

	async function untilDone(statusUrl: string, tok = token) {
		const seen: Array<{ status: number; progress: string | null; retryAfter: string | null }> = [];
		for (let i = 0; i < 50; i++) {
			const r = await fetch(statusUrl, { headers: { authorization: `Bearer ${tok}` } });
			seen.push({
				status: r.status,
				progress: r.headers.get('x-progress'),
				retryAfter: r.headers.get('retry-after'),
			});
			if (r.status !== 202)
				return {
					final: r,
					seen,
					manifest: r.status === 200 ? ((await r.json()) as Manifest) : undefined,
				};
			await r.arrayBuffer();
			await new Promise((res) => setTimeout(res, 20));
		}
		throw new Error('never finished');
	}

	interface Manifest {
		transactionTime: string;
		request: string;
		requiresAccessToken: boolean;
		output: Array<{ type: string; url: string; count: number; continuesInFile?: string }>;
		error: Array<{ type: string; url: string; count: number }>;
		deleted: Array<{ type: string; url: string; count: number }>;
		link?: Array<{ relation: string; url: string }>;
		extension?: unknown;
	}

	async function lines(
		url: string,
		headers: Record<string, string> = { authorization: `Bearer ${token}` },
	) {
		const r = await fetch(url, { headers });
		expect(r.status).toBe(200);
		return (await r.text())
			.split('\n')
			.filter(Boolean)
			.map(
				(l) => JSON.parse(l) as { resourceType: string; id: string; meta: { lastUpdated: string } },
			);
	}

	it('refuses a kick-off without Accept: application/fhir+json (missing or */*)', async () => {
		const missing = await kick('/$export', {
			headers: { authorization: `Bearer ${token}`, prefer: 'respond-async' },
		});
		expect(missing.status).toBe(400);
		expect(JSON.parse(missing.body).resourceType).toBe('OperationOutcome');
		const star = await kick('/$export', { headers: H({ accept: '*/*' }) });
		expect(star.status).toBe(400);
		expect(star.body).toContain('application/fhir+json');
	});

	it('refuses a kick-off without Prefer: respond-async', async () => {
		const r = await kick('/$export', { headers: H({ prefer: '' }) });
		expect(r.status).toBe(400);
		expect(r.body).toContain('respond-async');
	});

	it('refuses patient on GET, unknown parameters unless lenient, and non-NDJSON formats', async () => {
		expect((await kick('/Patient/$export?patient=Patient/pt-00001')).status).toBe(400);
		const unknown = await kick('/$export?_foo=1');
		expect(unknown.status).toBe(400);
		expect(unknown.body).toContain('_foo');
		const lenient = await kick('/$export?_foo=1', {
			headers: H({ prefer: 'respond-async, handling=lenient' }),
		});
		expect(lenient.status).toBe(202);
		expect((await kick('/$export?_outputFormat=text/csv')).status).toBe(400);
		expect((await kick('/$export?_outputFormat=ndjson')).status).toBe(202);
		expect((await kick('/$export?_since=yesterday')).status).toBe(400);
		expect((await kick('/Group/nope/$export')).status).toBe(404);
	});

	it('needs a token with an export scope', async () => {
		const narrow = sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'test',
			scopes: ['system/Patient.write'],
			lifetimeSeconds: 60,
		}).access_token;
		expect(
			(await kick('/$export', { headers: H({ authorization: `Bearer ${narrow}` }) })).status,
		).toBe(403);
		expect((await kick('/$export', { headers: H({ authorization: '' }) })).status).toBe(401);
	});

	it('runs 202 → 202 (X-Progress, Retry-After) → 200 manifest whose file counts equal the data set', async () => {
		const k = await kick('/$export');
		expect(k.status).toBe(202);
		expect(k.location).toMatch(/\/smart\/fhir\/\$bulkdata-status\?job=/);
		const { seen, manifest } = await untilDone(k.location!);
		expect(seen[0].status).toBe(202);
		expect(seen[0].progress).toMatch(/%/);
		expect(seen[0].retryAfter).toBe('1');
		expect(seen.at(-1)!.status).toBe(200);
		const m = manifest!;
		expect(m.requiresAccessToken).toBe(true);
		expect(m.request).toBe(`${base()}/$export`);
		expect(Date.parse(m.transactionTime)).not.toBeNaN();
		const ds = datasetFor(sb.app);
		const sum = (t: string) =>
			m.output.filter((o) => o.type === t).reduce((a, o) => a + o.count, 0);
		expect(sum('Patient')).toBe(30);
		expect(sum('Immunization')).toBe(ds.count('Immunization'));
		// file names skip numbers, counts are real
		const imm = m.output.filter((o) => o.type === 'Immunization');
		expect(imm.length).toBeGreaterThan(2);
		expect(imm[1].url).toMatch(/Immunization-3\.ndjson$/);
		expect(imm[0].continuesInFile).toBe(imm[1].url);
		let total = 0;
		for (const o of imm) {
			const ls = await lines(o.url);
			expect(ls.length).toBe(o.count);
			expect(ls.every((l) => l.resourceType === 'Immunization')).toBe(true);
			total += ls.length;
		}
		expect(total).toBe(ds.count('Immunization'));
		// files need the token
		expect((await fetch(imm[0].url)).status).toBe(401);
	});

	it('honours _type and _since, and reports deleted resources with _since', async () => {
		const since = '2024-06-01T00:00:00Z';
		const k = await kick(`/$export?_type=Patient&_since=${since}`);
		const { manifest } = await untilDone(k.location!);
		expect(new Set(manifest!.output.map((o) => o.type))).toEqual(new Set(['Patient']));
		const expected = [...datasetFor(sb.app).iterate('Patient', { since: new Date(since) })].map(
			(p) => p.id,
		);
		const got: string[] = [];
		for (const o of manifest!.output) got.push(...(await lines(o.url)).map((p) => p.id));
		expect(got).toEqual(expected);
		expect(expected.length).toBeLessThan(30);
		expect(manifest!.deleted).toHaveLength(1);
		const del = await lines(manifest!.deleted[0].url);
		expect(del[0].resourceType).toBe('Bundle');
	});

	it('exports a group, and POST with patient references at Patient level', async () => {
		const g = await kick('/Group/group-1/$export?_type=Patient');
		const gm = (await untilDone(g.location!)).manifest!;
		expect(gm.output.reduce((a, o) => a + o.count, 0)).toBe(10);
		const body = {
			resourceType: 'Parameters',
			parameter: [
				{ name: '_type', valueString: 'Patient,Immunization' },
				{ name: 'patient', valueReference: { reference: 'Patient/pt-00002' } },
				{ name: 'patient', valueReference: { reference: 'Patient/pt-00005' } },
			],
		};
		const p = await kick('/Patient/$export', {
			method: 'POST',
			body: JSON.stringify(body),
			headers: H({ 'content-type': 'application/fhir+json' }),
		});
		expect(p.status).toBe(202);
		const pm = (await untilDone(p.location!)).manifest!;
		const ds = datasetFor(sb.app);
		const imm = pm.output.filter((o) => o.type === 'Immunization').reduce((a, o) => a + o.count, 0);
		expect(imm).toBe(ds.immunizationCount('pt-00002') + ds.immunizationCount('pt-00005'));
		expect(pm.output.filter((o) => o.type === 'Patient').reduce((a, o) => a + o.count, 0)).toBe(2);
		// patient at system level refused
		const sys = await kick('/$export', {
			method: 'POST',
			body: JSON.stringify(body),
			headers: H({ 'content-type': 'application/fhir+json' }),
		});
		expect(sys.status).toBe(400);
	});

	it('lists unavailable types in an error file of OperationOutcomes', async () => {
		const k = await kick('/$export?_type=Patient,Observation');
		const m = (await untilDone(k.location!)).manifest!;
		expect(m.error).toHaveLength(1);
		const oo = await lines(m.error[0].url);
		expect(oo[0].resourceType).toBe('OperationOutcome');
		expect(JSON.stringify(oo[0])).toContain('Observation');
	});

	it('cancels with DELETE; polling then answers 404', async () => {
		const k = await kick('/$export');
		const del = await fetch(k.location!, {
			method: 'DELETE',
			headers: { authorization: `Bearer ${token}` },
		});
		expect(del.status).toBe(202);
		const after = await fetch(k.location!, { headers: { authorization: `Bearer ${token}` } });
		expect(after.status).toBe(404);
		const jobs = (await (await fetch(`${sb.url}/_admin/bulk/jobs`)).json()) as {
			jobs: Array<{ id: string; status: string }>;
		};
		expect(jobs.jobs.find((j) => k.location!.endsWith(j.id))!.status).toBe('cancelled');
	});

	it('another client cannot poll a job', async () => {
		const k = await kick('/$export');
		const other = sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'someone-else',
			scopes: SCOPES,
			lifetimeSeconds: 60,
		}).access_token;
		expect(
			(await fetch(k.location!, { headers: { authorization: `Bearer ${other}` } })).status,
		).toBe(404);
	});

	it('serves requiresAccessToken:false files from the files origin without auth', async () => {
		await setOptions({ requiresAccessToken: false });
		try {
			const k = await kick('/$export?_type=Patient');
			const m = (await untilDone(k.location!)).manifest!;
			expect(m.requiresAccessToken).toBe(false);
			expect(m.output[0].url.startsWith(sb.fileUrl)).toBe(true);
			const ls = await lines(m.output[0].url, {});
			expect(ls.length).toBe(m.output[0].count);
		} finally {
			await setOptions({ requiresAccessToken: true });
		}
	});

	it('gzips when asked, and answers Retry-After as an HTTP-date when configured', async () => {
		await setOptions({ retryAfterStyle: 'http-date', retryAfterSeconds: 5 });
		try {
			const k = await kick('/$export?_type=Patient');
			const { seen, manifest } = await untilDone(k.location!);
			expect(Number.isNaN(Date.parse(seen[0].retryAfter!))).toBe(false);
			expect(seen[0].retryAfter).toMatch(/GMT$/);
			const url = new URL(manifest!.output[0].url);
			const raw = await gzipGet(url);
			expect(raw.enc).toBe('gzip');
			const text = gunzipSync(raw.body).toString('utf8');
			expect(text.split('\n').filter(Boolean)).toHaveLength(manifest!.output[0].count);
		} finally {
			await setOptions({ retryAfterStyle: 'seconds', retryAfterSeconds: 1 });
		}
	});

	it("precompressed: sends the file gzip'd once at generation, with its Content-Length, and plain text to other clients", async () => {
		await setOptions({ precompressed: true });
		try {
			const k = await kick('/$export?_type=Patient');
			const { manifest } = await untilDone(k.location!);
			const url = new URL(manifest!.output[0].url);
			const jobsNow = (await (await fetch(`${sb.url}/_admin/bulk/jobs`)).json()) as {
				jobs: Array<{ id: string; files: Array<{ gzPath?: string; gzBytes?: number }> }>;
			};
			const file = jobsNow.jobs.find((j) => k.location!.endsWith(j.id))!.files[0];
			expect(file.gzPath).toMatch(/\.gz$/);
			const onDisk = readFileSync(file.gzPath!);
			const raw = await gzipGet(url);
			expect(raw.enc).toBe('gzip');
			// the bytes of the file on disk, not a new compression (level 6 there, 1 on the fly)
			expect(raw.body.equals(onDisk)).toBe(true);
			expect(Number(raw.len)).toBe(onDisk.length);
			const text = gunzipSync(raw.body).toString('utf8');
			expect(text.split('\n').filter(Boolean)).toHaveLength(manifest!.output[0].count);
			// a client without gzip gets the NDJSON itself
			const plain = await lines(manifest!.output[0].url, {
				authorization: `Bearer ${token}`,
				'accept-encoding': 'identity',
			});
			expect(plain).toHaveLength(manifest!.output[0].count);
		} finally {
			await setOptions({ precompressed: false });
		}
	});

	it('truncate-ndjson cuts a file mid-line; transient-5xx answers a transient OperationOutcome', async () => {
		const k = await kick('/$export?_type=Patient');
		const m = (await untilDone(k.location!)).manifest!;
		await armFault(sb, { surface: 'smart', kind: 'truncate-ndjson', pathContains: '/bulkfiles/' });
		const r = await fetch(m.output[0].url, { headers: { authorization: `Bearer ${token}` } });
		const text = await r.text();
		expect(text.endsWith('\n')).toBe(false);
		expect(() => text.split('\n').forEach((l) => JSON.parse(l))).toThrow();
		await armFault(sb, {
			surface: 'smart',
			kind: 'transient-5xx',
			pathContains: '$bulkdata-status',
		});
		const t = await fetch(k.location!, { headers: { authorization: `Bearer ${token}` } });
		expect(t.status).toBe(503);
		expect(((await t.json()) as { issue: Array<{ code: string }> }).issue[0].code).toBe(
			'transient',
		);
	});

	it('splits the manifest into pages linked by next', async () => {
		await setOptions({ manifestPageSize: 2 });
		try {
			const k = await kick('/$export');
			const first = (await untilDone(k.location!)).manifest!;
			expect(first.output).toHaveLength(2);
			const next = first.link!.find((l) => l.relation === 'next')!.url;
			const r2 = await fetch(next, { headers: { authorization: `Bearer ${token}` } });
			expect(r2.status).toBe(200);
			expect(((await r2.json()) as Manifest).output.length).toBeGreaterThan(0);
		} finally {
			await setOptions({ manifestPageSize: 0 });
		}
	});

	it('serves the same on eMedicalPractice with emp tokens only', async () => {
		const emp = sb.app.tokens.issue({
			surface: 'emp',
			clientId: 'test',
			scopes: SCOPES,
			lifetimeSeconds: 60,
		}).access_token;
		const wrong = await fetch(`${empBase()}/$export`, { headers: H() });
		expect(wrong.status).toBe(401);
		const r = await fetch(`${empBase()}/Patient/$export?_type=Patient`, {
			headers: H({ authorization: `Bearer ${emp}` }),
		});
		expect(r.status).toBe(202);
		expect(r.headers.get('content-location')).toContain('/emp/fhir/r4/$bulkdata-status?job=');
		const m = (await untilDone(r.headers.get('content-location')!, emp)).manifest!;
		expect(m.output.reduce((a, o) => a + o.count, 0)).toBe(30);
	});

	it('paces file downloads at fileBytesPerSecond (a remote server model)', async () => {
		const k = await kick('/$export?_type=Patient');
		const m = (await untilDone(k.location!)).manifest!;
		const jobsNow = (await (await fetch(`${sb.url}/_admin/bulk/jobs`)).json()) as {
			jobs: Array<{ id: string; files: Array<{ bytes: number }> }>;
		};
		const bytes = jobsNow.jobs.find((j) => k.location!.endsWith(j.id))!.files[0].bytes;
		await setOptions({ fileBytesPerSecond: Math.ceil(bytes / 0.6) });
		try {
			const t0 = Date.now();
			const ls = await lines(m.output[0].url);
			expect(ls).toHaveLength(m.output[0].count);
			expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
		} finally {
			await setOptions({ fileBytesPerSecond: 0 });
		}
	});
});
