import { armFault, withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { admin, allPages, client, observation, type FhirClient } from './fhir-store-util';

interface Entry {
	fullUrl: string;
	resource: { resourceType: string; id: string; [k: string]: unknown };
	search: { mode: string };
}

describe('FHIR store: search', () => {
	let sb: Sandbox;
	let c: FhirClient;
	const ids = (b: { entry: Entry[] }, mode = 'match') =>
		b.entry
			.filter((e) => e.search.mode === mode)
			.map((e) => `${e.resource.resourceType}/${e.resource.id}`);

	beforeAll(async () => {
		sb = await withSandbox();
		c = client(sb, 'smart', ['user/*.*']);
		await c.call(
			'POST',
			'Observation',
			observation('pt-00001', '8867-4', 70, { effectiveDateTime: '2024-01-10T08:00:00Z' }),
		);
		await c.call(
			'POST',
			'Observation',
			observation('pt-00001', '8310-5', 37, { effectiveDateTime: '2024-03-10T08:00:00Z' }),
		);
		await c.call(
			'POST',
			'Observation',
			observation('pt-00002', '8867-4', 90, { effectiveDateTime: '2024-02-10T08:00:00Z' }),
		);
		await c.call('POST', 'Condition', {
			resourceType: 'Condition',
			subject: { reference: 'Patient/pt-00001' },
			code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003' }] },
			recordedDate: '2023-05-01',
		});
	});
	afterAll(() => sb.close());

	it('filters by patient/subject, code (system|code and code), date prefixes and _id', async () => {
		expect((await c.get('Observation?patient=pt-00001')).body.total).toBe(2);
		expect((await c.get('Observation?subject=Patient/pt-00002')).body.total).toBe(1);
		expect((await c.get('Observation?code=http://loinc.org|8867-4')).body.total).toBe(2);
		expect((await c.get('Observation?code=8310-5')).body.total).toBe(1);
		expect((await c.get('Observation?code=http://other|8867-4')).body.total).toBe(0);
		expect((await c.get('Observation?date=ge2024-02-01&date=lt2024-03-01')).body.total).toBe(1);
		expect((await c.get('Observation?date=2024-03')).body.total).toBe(1);
		expect((await c.get('Condition?date=2023')).body.total).toBe(1);
		const one = (await c.get('Observation?patient=pt-00002')).body.entry[0].resource.id;
		expect(ids((await c.get(`Observation?_id=${one}`)).body)).toEqual([`Observation/${one}`]);
		expect((await c.get('Observation?_lastUpdated=gt2000-01-01')).body.total).toBe(3);
		expect((await c.get('Observation?_lastUpdated=lt2000-01-01')).body.total).toBe(0);
	});

	it('sorts by date and -date, keeps paging with next links', async () => {
		const asc = (await c.get('Observation?_sort=date')).body.entry.map(
			(e: Entry) => e.resource.effectiveDateTime,
		);
		expect(asc).toEqual(['2024-01-10T08:00:00Z', '2024-02-10T08:00:00Z', '2024-03-10T08:00:00Z']);
		const desc = (await c.get('Observation?_sort=-date')).body.entry.map(
			(e: Entry) => e.resource.effectiveDateTime,
		);
		expect(desc).toEqual([...asc].reverse());
		const pages = await allPages(c, `${c.base}/Observation?_sort=-_lastUpdated&_count=2`);
		expect(pages.map((p) => p.body.entry.length)).toEqual([2, 1]);
		expect(pages[0].body.entry[0].resource.valueQuantity.value).toBe(90);
	});

	it('_summary=count gives the total only; _elements keeps the named elements, marked SUBSETTED', async () => {
		const cnt = await c.get('Observation?_summary=count');
		expect(cnt.body.total).toBe(3);
		expect(cnt.body.entry).toBeUndefined();
		const el = (await c.get('Observation?_elements=code&_count=1')).body.entry[0].resource;
		expect(Object.keys(el).sort()).toEqual(['code', 'id', 'meta', 'resourceType']);
		expect(el.meta.tag[0].code).toBe('SUBSETTED');
	});

	it('_include adds the referenced Patient once (mode include), _revinclude the referencing resources', async () => {
		const inc = (await c.get('Observation?patient=pt-00001&_include=Observation:patient')).body;
		expect(ids(inc)).toHaveLength(2);
		expect(ids(inc, 'include')).toEqual(['Patient/pt-00001']);
		const rev = (
			await c.get(
				'Patient?_id=pt-00001&_revinclude=Observation:subject&_revinclude=Condition:subject',
			)
		).body;
		expect(ids(rev)).toEqual(['Patient/pt-00001']);
		expect(
			ids(rev, 'include')
				.map((s) => s.split('/')[0])
				.sort(),
		).toEqual(['Condition', 'Observation', 'Observation']);
		const imm = (await c.get('Patient?_id=pt-00003&_revinclude=Immunization:patient')).body;
		expect(ids(imm, 'include').length).toBe(
			(await c.get('Immunization?patient=pt-00003&_summary=count')).body.total,
		);
	});

	it('POST _search with a form body answers like GET', async () => {
		const r = await c.call('POST', 'Observation/_search', 'patient=pt-00001&code=8867-4', {
			'content-type': 'application/x-www-form-urlencoded',
		});
		expect(r.status).toBe(200);
		expect(r.body.total).toBe(1);
		expect(
			(
				await c.call('POST', 'Observation/_search', 'patient=pt-00001', {
					'content-type': 'application/json',
				})
			).status,
		).toBe(415);
	});

	it('ignores unknown parameters unless Prefer: handling=strict (400)', async () => {
		expect((await c.get('Observation?foo=bar')).body.total).toBe(3);
		const strict = await c.call('GET', 'Observation?foo=bar', undefined, {
			prefer: 'handling=strict',
		});
		expect(strict.status).toBe(400);
		expect(strict.body.issue[0].diagnostics).toContain('foo');
	});

	it('Patient search by name, family, given, birthdate, gender, identifier over generated and written patients', async () => {
		const p = (await c.get('Patient/pt-00004')).body;
		const fam = p.name[0].family as string;
		expect(
			ids((await c.get(`Patient?family=${encodeURIComponent(fam)}&_id=pt-00004`)).body),
		).toEqual(['Patient/pt-00004']);
		await c.call('POST', 'Patient', {
			resourceType: 'Patient',
			name: [{ family: 'Zyxwv', given: ['Quinn'] }],
			gender: 'unknown',
			birthDate: '2001-01-01',
			identifier: [{ system: 'urn:x', value: 'Q1' }],
		});
		expect((await c.get('Patient?name=zyx')).body.total).toBe(1);
		expect(
			(await c.get('Patient?given=Quinn&birthdate=2001-01-01&gender=unknown')).body.total,
		).toBe(1);
		expect((await c.get('Patient?identifier=urn:x|Q1')).body.total).toBe(1);
		expect(
			(
				await c.get(
					`Patient?identifier=${encodeURIComponent(p.identifier[0].system)}|${p.identifier[0].value}`,
				)
			).body.total,
		).toBe(1);
	});

	it('the page faults apply to store searches: loop-next, foreign-next, redirect', async () => {
		await armFault(sb, [
			{ surface: 'smart', kind: 'loop-next', pathContains: '/Observation', times: 1 },
		]);
		const loop = (await c.get('Observation?_count=1')).body;
		expect(loop.link.find((l: { relation: string }) => l.relation === 'next').url).toBe(
			loop.link.find((l: { relation: string }) => l.relation === 'self').url,
		);
		await armFault(sb, [
			{ surface: 'smart', kind: 'foreign-next', pathContains: '/Observation', times: 1 },
		]);
		const foreign = (await c.get('Observation?_count=1')).body;
		expect(
			foreign.link
				.find((l: { relation: string }) => l.relation === 'next')
				.url.startsWith(sb.fileUrl),
		).toBe(true);
		await armFault(sb, [
			{ surface: 'smart', kind: 'redirect', pathContains: '/Observation', times: 1 },
		]);
		const r = await fetch(`${c.base}/Observation`, {
			headers: { authorization: `Bearer ${c.token}` },
			redirect: 'manual',
		});
		expect(r.status).toBe(302);
		expect(r.headers.get('location')).toBe(`${c.base}/Observation/`);
	});

	it('seeds 10,000 deterministic Observations quickly and pages through them all', async () => {
		const t0 = Date.now();
		const seeded = await admin(sb, 'POST', '/fhir/seed', {
			surface: 'smart',
			resourceType: 'Observation',
			count: 10000,
			patient: 'pt-00005',
		});
		expect(Date.now() - t0).toBeLessThan(3000);
		expect(seeded.created).toBe(10000);
		expect(seeded.ids).toHaveLength(10000);
		const first = (await c.get(`Observation/${seeded.ids[0]}`)).body;
		expect(first.valueQuantity).toEqual(
			expect.objectContaining({
				unit: expect.any(String),
				system: 'http://unitsofmeasure.org',
				code: expect.any(String),
			}),
		);
		expect(typeof first.valueQuantity.value).toBe('number');
		expect(first.subject.reference).toBe('Patient/pt-00005');
		expect(first.effectiveDateTime).toMatch(/^2025-05-31T23:00:00/);
		const t1 = Date.now();
		const pages = await allPages(c, `${c.base}/Observation?patient=pt-00005&_count=100`);
		expect(pages).toHaveLength(100);
		expect(pages.reduce((n, p) => n + p.body.entry.length, 0)).toBe(10000);
		expect(Date.now() - t1).toBeLessThan(20000);
		const store = await admin(sb, 'GET', '/fhir/store?surface=smart&type=Observation');
		expect(store.count).toBe(10003);
	});
});
