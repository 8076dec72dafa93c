import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { createDataset } from '../../sandbox/data';

interface Bundle {
	resourceType: string;
	type: string;
	total: number;
	link: Array<{ relation: string; url: string }>;
	entry: Array<{
		fullUrl: string;
		resource: Record<string, unknown> & { id: string; resourceType: string };
	}>;
}

describe('1upHealth FHIR reads', () => {
	let sb: Sandbox;
	let user: string; // user/*.* for pt-00005
	const ds = createDataset();
	const tok = (scopes: string[], patient?: string) =>
		sb.app.tokens.issue({
			surface: 'oneup',
			clientId: 'test',
			scopes,
			lifetimeSeconds: 7200,
			patient,
		}).access_token;
	const get = (pathOrUrl: string, token?: string) =>
		fetch(pathOrUrl.startsWith('http') ? pathOrUrl : sb.url + pathOrUrl, {
			headers: token ? { authorization: `Bearer ${token}` } : {},
		});
	const follow = async (first: string, token: string) => {
		const pages: Bundle[] = [];
		let url: string | undefined = first;
		while (url && pages.length < 200) {
			const r = await get(url, token);
			expect(r.status).toBe(200);
			expect(r.headers.get('content-type')).toContain('application/fhir+json');
			const b = (await r.json()) as Bundle;
			pages.push(b);
			url = b.link.find((l) => l.relation === 'next')?.url;
		}
		return pages;
	};

	beforeAll(async () => {
		sb = await withSandbox();
		user = tok(['user/*.*'], 'pt-00005');
	});
	afterAll(() => sb.close());

	it('reads the linked Patient on r4, stu3 and dstu2', async () => {
		for (const v of ['r4', 'stu3', 'dstu2']) {
			const r = await get(`/1up/api/${v}/Patient/pt-00005`, user);
			expect(r.status).toBe(200);
			const p = (await r.json()) as {
				id: string;
				resourceType: string;
				identifier: Array<{ type: { coding: Array<{ system: string }> } }>;
			};
			expect(p.id).toBe('pt-00005');
			expect(p.identifier[0].type.coding[0].system).toBe(
				v === 'r4'
					? 'http://terminology.hl7.org/CodeSystem/v2-0203'
					: 'http://hl7.org/fhir/v2/0203',
			);
		}
	});

	it("pages Immunization with the default _count of 10 and gives exactly the patient's count", async () => {
		const pages = await follow('/1up/api/r4/Immunization?patient=pt-00005', user);
		const n = ds.immunizationCount('pt-00005');
		expect(n).toBe(11);
		expect(pages).toHaveLength(Math.ceil(n / 10));
		expect(pages[0].entry).toHaveLength(Math.min(10, n));
		expect(pages.every((p) => p.total === n && p.type === 'searchset')).toBe(true);
		expect(pages.flatMap((p) => p.entry.map((e) => e.resource.id))).toEqual(
			ds.immunizations('pt-00005').map((i) => i.id),
		);
		expect(pages[0].entry[0].fullUrl).toBe(
			`${sb.url}/1up/api/r4/Immunization/${pages[0].entry[0].resource.id}`,
		);
	});

	it('honours _count 1–100 and refuses 0, 101 and junk with a 400 OperationOutcome', async () => {
		const one = await follow('/1up/api/r4/Immunization?_count=1', user);
		expect(one).toHaveLength(ds.immunizationCount('pt-00005'));
		expect(one.every((p) => p.entry.length === 1)).toBe(true);
		const hundred = await follow('/1up/api/r4/Immunization?_count=100', user);
		expect(hundred).toHaveLength(1);
		for (const c of ['0', '101', 'ten', '-5']) {
			const r = await get(`/1up/api/r4/Immunization?_count=${c}`, user);
			expect(r.status).toBe(400);
			const body = (await r.json()) as { resourceType: string; issue: Array<{ code: string }> };
			expect(body.resourceType).toBe('OperationOutcome');
			expect(body.issue[0].code).toBe('invalid');
		}
	});

	it('keeps the token to its linked patient', async () => {
		for (const path of [
			'/1up/api/r4/Patient/pt-00001',
			'/1up/api/r4/Immunization?patient=pt-00001',
			'/1up/api/dstu2/Patient/pt-00001/$everything',
		]) {
			const r = await get(path, user);
			expect(r.status).toBe(403);
			expect(((await r.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
		}
		const imm1 = ds.immunizations('pt-00001')[0].id;
		expect((await get(`/1up/api/r4/Immunization/${imm1}`, user)).status).toBe(403);
		const mine = ds.immunizations('pt-00005')[0].id;
		expect((await get(`/1up/api/r4/Immunization/${mine}`, user)).status).toBe(200);
	});

	it('refuses missing and under-scoped tokens in the FHIR shape', async () => {
		const r401 = await get('/1up/api/r4/Patient/pt-00005');
		expect(r401.status).toBe(401);
		expect(((await r401.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
		const r403 = await get(
			'/1up/api/r4/Patient/pt-00005',
			tok(['user/Observation.read'], 'pt-00005'),
		);
		expect(r403.status).toBe(403);
		expect(await r403.json()).toMatchObject({
			resourceType: 'OperationOutcome',
			issue: [{ code: 'forbidden' }],
		});
		// another surface's token is not accepted
		const onpatient = sb.app.tokens.issue({
			surface: 'onpatient',
			clientId: 't',
			scopes: [],
			lifetimeSeconds: 60,
		}).access_token;
		expect((await get('/1up/api/r4/Patient/pt-00005', onpatient)).status).toBe(401);
	});

	it('$everything returns the Patient and all immunizations across pages', async () => {
		const pages = await follow('/1up/api/r4/Patient/pt-00005/$everything?_count=5', user);
		const res = pages.flatMap((p) => p.entry.map((e) => e.resource));
		expect(res[0]).toMatchObject({ resourceType: 'Patient', id: 'pt-00005' });
		expect(res.slice(1).map((r) => r.id)).toEqual(ds.immunizations('pt-00005').map((i) => i.id));
		const encoded = await get('/1up/api/r4/Patient/pt-00005/%24everything', user);
		expect(encoded.status).toBe(200);
	});

	it('renders STU3 and DSTU2 Immunizations in their own shapes', async () => {
		const [r4, stu3, dstu2] = await Promise.all(
			['r4', 'stu3', 'dstu2'].map(async (v) =>
				(
					(await (await get(`/1up/api/${v}/Immunization?_count=100`, user)).json()) as Bundle
				).entry.map((e) => e.resource),
			),
		);
		expect(r4.length).toBe(stu3.length);
		expect(r4[0]).toHaveProperty('occurrenceDateTime');
		expect(stu3[0]).not.toHaveProperty('occurrenceDateTime');
		expect(stu3[0].date).toBe(r4[0].occurrenceDateTime);
		expect(typeof stu3[0].notGiven).toBe('boolean');
		expect(stu3[0]).toHaveProperty('primarySource');
		expect(dstu2[0].date).toBe(r4[0].occurrenceDateTime);
		expect(typeof dstu2[0].wasNotGiven).toBe('boolean');
		expect(dstu2[0].reported).toBe(!r4[0].primarySource);
		expect(dstu2[0]).not.toHaveProperty('primarySource');
		// statuses: STU3 has no not-done; asking for it is refused, completed covers it
		expect((await get('/1up/api/stu3/Immunization?status=not-done', user)).status).toBe(400);
		const stu3Completed = (
			(await (
				await get('/1up/api/stu3/Immunization?status=completed&_count=100', user)
			).json()) as Bundle
		).total;
		const r4Done = r4.filter((r) => r.status !== 'entered-in-error').length;
		expect(stu3Completed).toBe(r4Done);
	});

	it('answers 404 for an unknown patient when the token is not patient-bound', async () => {
		const admin = tok(['user/*.*']);
		const r = await get('/1up/api/r4/Patient/pt-99999', admin);
		expect(r.status).toBe(404);
		expect(await r.json()).toMatchObject({
			resourceType: 'OperationOutcome',
			issue: [{ code: 'not-found' }],
		});
	});
});
