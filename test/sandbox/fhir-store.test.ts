import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import {
	admin,
	allPages,
	client,
	observation,
	storeCount,
	type FhirClient,
} from './fhir-store-util';

describe('FHIR store: CRUD, versions, conditional writes, patch, history', () => {
	let sb: Sandbox;
	let c: FhirClient;

	beforeAll(async () => {
		sb = await withSandbox();
		c = client(sb, 'smart', ['user/*.*']);
	});
	afterAll(() => sb.close());
	beforeEach(() => sb.app.reset());

	it('creates with 201, Location, ETag and meta; reads and vreads with ETag', async () => {
		const r = await c.call('POST', 'Observation', observation('pt-00001'));
		expect(r.status).toBe(201);
		const id = r.body.id as string;
		expect(r.headers.get('location')).toBe(`${c.base}/Observation/${id}/_history/1`);
		expect(r.headers.get('etag')).toBe('W/"1"');
		expect(r.body.meta.versionId).toBe('1');
		expect(Date.parse(r.body.meta.lastUpdated)).toBeGreaterThan(0);
		const read = await c.get(`Observation/${id}`);
		expect(read.status).toBe(200);
		expect(read.headers.get('etag')).toBe('W/"1"');
		expect(read.body.valueQuantity.value).toBe(72);
		const upd = await c.call('PUT', `Observation/${id}`, {
			...read.body,
			valueQuantity: { ...read.body.valueQuantity, value: 80 },
		});
		expect(upd.status).toBe(200);
		expect(upd.headers.get('etag')).toBe('W/"2"');
		expect((await c.get(`Observation/${id}/_history/1`)).body.valueQuantity.value).toBe(72);
		expect((await c.get(`Observation/${id}/_history/2`)).body.valueQuantity.value).toBe(80);
		expect((await c.get(`Observation/${id}/_history/3`)).status).toBe(404);
	});

	it('Prefer: return=minimal answers an empty body', async () => {
		const r = await c.call('POST', 'Observation', observation('pt-00001'), {
			prefer: 'return=minimal',
		});
		expect(r.status).toBe(201);
		expect(r.body).toBeUndefined();
		expect(r.headers.get('location')).toMatch(/\/Observation\/[^/]+\/_history\/1$/);
	});

	it('generated Patients are version 1 until written; If-Match mismatch → 412; PUT id mismatch → 400', async () => {
		const p = await c.get('Patient/pt-00002');
		expect(p.headers.get('etag')).toBe('W/"1"');
		expect(p.body.meta.versionId).toBe('1');
		const stale = await c.call(
			'PUT',
			'Patient/pt-00002',
			{ ...p.body, active: false },
			{ 'if-match': 'W/"7"' },
		);
		expect(stale.status).toBe(412);
		expect(stale.body.resourceType).toBe('OperationOutcome');
		const ok = await c.call(
			'PUT',
			'Patient/pt-00002',
			{ ...p.body, active: false },
			{ 'if-match': 'W/"1"' },
		);
		expect(ok.status).toBe(200);
		expect(ok.body.meta.versionId).toBe('2');
		expect((await c.get('Patient/pt-00002')).body.active).toBe(false);
		const wrongId = await c.call('PUT', 'Patient/pt-00002', { ...p.body, id: 'pt-00003' });
		expect(wrongId.status).toBe(400);
		expect(wrongId.body.issue[0].diagnostics).toContain('does not match the URL id');
		sb.app.reset();
		expect((await c.get('Patient/pt-00002')).body.active).toBe(true);
	});

	it('PUT of an unknown id creates it (201) on SMART', async () => {
		const r = await c.call('PUT', 'Observation/my-obs-1', {
			...observation('pt-00001'),
			id: 'my-obs-1',
		});
		expect(r.status).toBe(201);
		expect((await c.get('Observation/my-obs-1')).status).toBe(200);
	});

	it('deletes: 200 OperationOutcome, then 410 on read, history keeps the versions', async () => {
		const id = (await c.call('POST', 'Observation', observation('pt-00001'))).body.id;
		const d = await c.call('DELETE', `Observation/${id}`);
		expect(d.status).toBe(200);
		expect(d.body.resourceType).toBe('OperationOutcome');
		const gone = await c.get(`Observation/${id}`);
		expect(gone.status).toBe(410);
		expect(gone.body.resourceType).toBe('OperationOutcome');
		expect((await c.call('DELETE', `Observation/${id}`)).status).toBe(200);
		const h = await c.get(`Observation/${id}/_history`);
		expect(h.body.type).toBe('history');
		expect(h.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual([
			'DELETE',
			'POST',
		]);
		expect(h.body.entry[1].response.status).toBe('201 Created');
		expect((await c.get('Observation/nope')).status).toBe(404);
	});

	it('patches with JSON Patch; a failing test op → 422 and nothing changes; wrong Content-Type → 415', async () => {
		const id = (await c.call('POST', 'Observation', observation('pt-00001'))).body.id;
		const jp = { 'content-type': 'application/json-patch+json' };
		const ops = [
			{ op: 'test', path: '/status', value: 'final' },
			{ op: 'replace', path: '/valueQuantity/value', value: 99 },
			{ op: 'add', path: '/note', value: [{ text: 'rechecked' }] },
			{ op: 'copy', from: '/effectiveDateTime', path: '/issued' },
			{ op: 'move', from: '/note', path: '/comment' },
			{ op: 'remove', path: '/comment' },
		];
		const r = await c.call('PATCH', `Observation/${id}`, ops, jp);
		expect(r.status).toBe(200);
		expect(r.body.valueQuantity.value).toBe(99);
		expect(r.body.issued).toBe('2024-05-01T10:00:00Z');
		expect(r.body.comment).toBeUndefined();
		expect(r.body.meta.versionId).toBe('2');
		const bad = await c.call(
			'PATCH',
			`Observation/${id}`,
			[
				{ op: 'test', path: '/status', value: 'amended' },
				{ op: 'remove', path: '/status' },
			],
			jp,
		);
		expect(bad.status).toBe(422);
		expect((await c.get(`Observation/${id}`)).body.status).toBe('final');
		expect((await c.call('PATCH', `Observation/${id}`, ops)).status).toBe(415);
	});

	it('conditional create twice → one resource; >1 match → 412', async () => {
		const body = { ...observation('pt-00001'), identifier: [{ system: 'urn:test', value: 'A-1' }] };
		const h = { 'if-none-exist': 'identifier=urn:test|A-1' };
		const first = await c.call('POST', 'Observation', body, h);
		const second = await c.call('POST', 'Observation', body, h);
		expect(first.status).toBe(201);
		expect(second.status).toBe(200);
		expect(second.body.id).toBe(first.body.id);
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(1);
		await c.call('POST', 'Observation', {
			...body,
			identifier: [{ system: 'urn:test', value: 'A-2' }],
		});
		const many = await c.call('POST', 'Observation', body, {
			'if-none-exist': 'identifier=urn:test|',
		});
		expect(many.status).toBe(412);
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(2);
	});

	it('conditional update twice → one resource (201, then 200); >1 match → 412', async () => {
		const patient = {
			resourceType: 'Patient',
			identifier: [{ system: 'urn:crm', value: 'C-77' }],
			name: [{ family: 'Upsert', given: ['Una'] }],
			gender: 'female',
			birthDate: '1990-02-03',
		};
		const before = await storeCount(sb, 'smart', 'Patient');
		const a = await c.call('PUT', 'Patient?identifier=urn:crm|C-77', patient);
		const b = await c.call('PUT', 'Patient?identifier=urn:crm|C-77', {
			...patient,
			gender: 'other',
		});
		expect(a.status).toBe(201);
		expect(b.status).toBe(200);
		expect(b.body.id).toBe(a.body.id);
		expect(b.body.meta.versionId).toBe('2');
		expect(await storeCount(sb, 'smart', 'Patient')).toBe(before + 1);
		const many = await c.call('PUT', 'Patient?gender=female', patient);
		expect(many.status).toBe(412);
	});

	it('type history is newest first and pages with _count and next links', async () => {
		for (let i = 0; i < 7; i++)
			await c.call('POST', 'Observation', observation('pt-00001', '8867-4', 60 + i));
		const pages = await allPages(c, `${c.base}/Observation/_history?_count=3`);
		expect(pages.map((p) => p.body.entry.length)).toEqual([3, 3, 1]);
		expect(pages[0].body.total).toBe(7);
		const values = pages.flatMap((p) =>
			p.body.entry.map(
				(e: { resource: { valueQuantity: { value: number } } }) => e.resource.valueQuantity.value,
			),
		);
		expect(values).toEqual([66, 65, 64, 63, 62, 61, 60]);
	});

	it('Patient type history holds the writes first, then version 1 of every generated patient', async () => {
		const p = (await c.get('Patient/pt-00002')).body;
		await c.call('PUT', 'Patient/pt-00002', { ...p, active: false });
		const h = (await c.get('Patient/_history?_count=100')).body;
		expect(h.total).toBe(51);
		expect(h.entry[0].request).toEqual({ method: 'PUT', url: 'Patient/pt-00002' });
		expect(h.entry[0].response.etag).toBe('W/"2"');
		expect(
			h.entry.filter((e: { fullUrl: string }) => e.fullUrl.endsWith('/Patient/pt-00002')),
		).toHaveLength(2);
	});

	it('is strict: wrong Content-Type → 415, bad JSON → 400, resourceType ≠ URL type → 400', async () => {
		expect(
			(
				await c.call('POST', 'Observation', JSON.stringify(observation('pt-00001')), {
					'content-type': 'text/plain',
				})
			).status,
		).toBe(415);
		const bad = await c.call('POST', 'Observation', '{not json', {
			'content-type': 'application/fhir+json',
		});
		expect(bad.status).toBe(400);
		expect(bad.body.resourceType).toBe('OperationOutcome');
		const wrong = await c.call('POST', 'Condition', observation('pt-00001'));
		expect(wrong.status).toBe(400);
		expect(wrong.body.issue[0].diagnostics).toContain('does not match the URL type Condition');
		expect(await storeCount(sb, 'smart', 'Condition')).toBe(0);
	});

	it('reset restores the generated data and empties the store', async () => {
		await c.call('POST', 'Observation', observation('pt-00001'));
		await c.call('DELETE', 'Immunization/imm-00001-001');
		expect((await c.get('Immunization/imm-00001-001')).status).toBe(410);
		await admin(sb, 'POST', '/reset');
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(0);
		expect((await c.get('Immunization/imm-00001-001')).status).toBe(200);
	});
});
