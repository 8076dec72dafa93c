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

const post = (url: string, resource: unknown, extra: Record<string, unknown> = {}) => ({
	resource,
	request: { method: 'POST', url, ...extra },
});

describe('FHIR store: batch, transaction, $everything', () => {
	let sb: Sandbox;
	let c: FhirClient;

	beforeAll(async () => (sb = await withSandbox()));
	afterAll(() => sb.close());
	beforeEach(() => {
		sb.app.reset();
		c = client(sb, 'smart', ['user/*.*']);
	});

	it('a transaction of 100 entries writes them all, rewriting urn:uuid references', async () => {
		const entry = [
			{
				fullUrl: 'urn:uuid:0b7c4b9e-0000-4000-8000-000000000001',
				...post('Patient', { resourceType: 'Patient', name: [{ family: 'Batchley' }] }),
			},
			...Array.from({ length: 99 }, (_, i) =>
				post('Observation', {
					...observation('x', '8867-4', i),
					subject: { reference: 'urn:uuid:0b7c4b9e-0000-4000-8000-000000000001' },
				}),
			),
		];
		const r = await c.call('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
		expect(r.status).toBe(200);
		expect(r.body.type).toBe('transaction-response');
		expect(r.body.entry).toHaveLength(100);
		expect(
			r.body.entry.every(
				(e: { response: { status: string } }) => e.response.status === '201 Created',
			),
		).toBe(true);
		const pid = r.body.entry[0].resource.id as string;
		expect(r.body.entry[0].response.location).toBe(`${c.base}/Patient/${pid}/_history/1`);
		expect(r.body.entry[1].response.etag).toBe('W/"1"');
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(99);
		expect((await c.get(`Observation?subject=Patient/${pid}&_summary=count`)).body.total).toBe(99);
	});

	it('a failing entry rolls the whole transaction back and names the entry', async () => {
		const before = await storeCount(sb, 'smart', 'Observation');
		const entry = [
			...Array.from({ length: 5 }, (_, i) =>
				post('Observation', observation('pt-00001', '8867-4', i)),
			),
			{
				resource: { ...observation('pt-00001'), id: 'x' },
				request: { method: 'PUT', url: 'Observation/y' },
			},
			post('Observation', observation('pt-00001')),
		];
		const r = await c.call('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
		expect(r.status).toBe(400);
		expect(r.body.resourceType).toBe('OperationOutcome');
		expect(r.body.issue[0].expression).toEqual(['Bundle.entry[5]']);
		expect(r.body.issue[0].diagnostics).toContain('Bundle.entry[5]');
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(before);
		expect((await c.get('Observation/_history')).body.total).toBe(0);
	});

	it('a stale If-Match inside a transaction fails it with 412, nothing written', async () => {
		const entry = [
			post('Observation', observation('pt-00001')),
			{
				resource: { resourceType: 'Patient', id: 'pt-00001', active: false },
				request: { method: 'PUT', url: 'Patient/pt-00001', ifMatch: 'W/"9"' },
			},
		];
		const r = await c.call('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
		expect(r.status).toBe(412);
		expect(r.body.issue[0].expression).toEqual(['Bundle.entry[1]']);
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(0);
		expect((await c.get('Patient/pt-00001')).body.active).toBe(true);
	});

	it('a batch runs every entry: one bad entry fails alone, the others are written', async () => {
		const entry = [
			post('Observation', observation('pt-00001')),
			post('Observation', { resourceType: 'Condition' }),
			{ request: { method: 'GET', url: 'Patient/pt-00001' } },
			{ request: { method: 'DELETE', url: 'Observation/missing' } },
			post('Observation', observation('pt-00002')),
		];
		const r = await c.call('POST', '', { resourceType: 'Bundle', type: 'batch', entry });
		expect(r.status).toBe(200);
		expect(r.body.type).toBe('batch-response');
		expect(r.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
			'201 Created',
			'400 Bad Request',
			'200 OK',
			'404 Not Found',
			'201 Created',
		]);
		expect(r.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
		expect(r.body.entry[2].resource.id).toBe('pt-00001');
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(2);
	});

	it('a conditional create in a transaction maps its urn:uuid to the existing resource', async () => {
		const pat = { resourceType: 'Patient', identifier: [{ system: 'urn:t', value: '1' }] };
		const bundle = () => ({
			resourceType: 'Bundle',
			type: 'transaction',
			entry: [
				{
					fullUrl: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001',
					...post('Patient', pat, { ifNoneExist: 'identifier=urn:t|1' }),
				},
				post('Observation', {
					...observation('x'),
					subject: { reference: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' },
				}),
			],
		});
		const a = await c.call('POST', '', bundle());
		const b = await c.call('POST', '', bundle());
		expect(a.body.entry[0].response.status).toBe('201 Created');
		expect(b.body.entry[0].response.status).toBe('200 OK');
		const pid = a.body.entry[0].resource.id;
		expect((await c.get(`Patient?identifier=urn:t|1`)).body.total).toBe(1);
		expect((await c.get(`Observation?patient=${pid}`)).body.total).toBe(2);
	});

	it('Patient $everything returns the patient and its compartment, paged, with _since', async () => {
		const start = new Date(sb.app.clock.now() - 1000).toISOString();
		await admin(sb, 'POST', '/fhir/seed', {
			surface: 'smart',
			resourceType: 'Observation',
			count: 30,
			patient: 'pt-00003',
		});
		await admin(sb, 'POST', '/fhir/seed', {
			surface: 'smart',
			resourceType: 'Condition',
			count: 2,
			patient: 'pt-00003',
		});
		const imms = (await c.get('Immunization?patient=pt-00003&_summary=count')).body.total as number;
		const pages = await allPages(c, `${c.base}/Patient/pt-00003/$everything?_count=10`);
		const all = pages.flatMap((p) =>
			p.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType),
		);
		expect(pages[0].body.total).toBe(1 + imms + 32);
		expect(all).toHaveLength(1 + imms + 32);
		expect(all[0]).toBe('Patient');
		expect(all.filter((t) => t === 'Observation')).toHaveLength(30);
		expect(pages.length).toBe(Math.ceil((1 + imms + 32) / 10));
		const since = (await c.get(`Patient/pt-00003/$everything?_since=${start}&_count=100`)).body;
		expect(since.total).toBe(32);
	});
});
