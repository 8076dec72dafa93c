import { withSandbox, armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { createDataset } from '../../sandbox/data';

const BASE = '/onpatient/api/onpatient_api/fhir';

interface ResultsPage {
	count: number;
	next: string | null;
	previous: string | null;
	results: Array<{
		id: string;
		resourceType: string;
		status: string;
		occurrenceDateTime: string;
		patient: { reference: string };
	}>;
}

describe('onpatient FHIR reads', () => {
	let sb: Sandbox;
	let any: string; // no scopes = all scopes, no patient: sees everything
	let own: string; // acts for pt-00002
	const ds = createDataset({ heavyPatients: { 'pt-00003': 137 } });
	const tok = (scopes: string[], patient?: string) =>
		sb.app.tokens.issue({
			surface: 'onpatient',
			clientId: 'test',
			scopes,
			lifetimeSeconds: 3600,
			patient,
		}).access_token;
	const get = (pathOrUrl: string, token?: string, init: RequestInit = {}) =>
		fetch(pathOrUrl.startsWith('http') ? pathOrUrl : sb.url + pathOrUrl, {
			...init,
			headers: token ? { authorization: `Bearer ${token}` } : {},
		});
	const all = async (first: string, token: string) => {
		const pages: ResultsPage[] = [];
		let url: string | null = first;
		while (url && pages.length < 100) {
			const r = await get(url, token);
			expect(r.status).toBe(200);
			const page = (await r.json()) as ResultsPage;
			pages.push(page);
			url = page.next;
		}
		return pages;
	};

	beforeAll(async () => {
		sb = await withSandbox({ heavyPatients: { 'pt-00003': 137 } });
		any = tok([]);
		own = tok(['patient/*.read'], 'pt-00002');
	});
	afterAll(() => sb.close());

	it('reads one Patient object', async () => {
		const r = await get(`${BASE}/Patient/pt-00001`, any);
		expect(r.status).toBe(200);
		expect(await r.json()).toEqual(ds.patient('pt-00001'));
	});

	it("pages a patient's immunizations with page-size and absolute next/previous links", async () => {
		const pages = await all(`${BASE}/Immunization?patient=pt-00003&page-size=25`, any);
		expect(pages).toHaveLength(6); // 137 = 5 × 25 + 12
		expect(pages.map((p) => p.results.length)).toEqual([25, 25, 25, 25, 25, 12]);
		expect(pages.every((p) => p.count === 137)).toBe(true);
		expect(pages[0].previous).toBeNull();
		expect(pages[1].previous).toBe(
			`${sb.url}${BASE}/Immunization?patient=pt-00003&page-size=25&page=1`,
		);
		expect(pages[0].next).toBe(
			`${sb.url}${BASE}/Immunization?patient=pt-00003&page-size=25&page=2`,
		);
		const ids = pages.flatMap((p) => p.results.map((x) => x.id));
		expect(ids).toEqual(ds.immunizations('pt-00003').map((x) => x.id));
	});

	it('defaults to 50 per page and lists every patient for an unrestricted token', async () => {
		const pages = await all(`${BASE}/Immunization`, any);
		const total = ds.count('Immunization');
		expect(pages[0].count).toBe(total);
		expect(pages[0].results).toHaveLength(50);
		expect(pages).toHaveLength(Math.ceil(total / 50));
		expect(pages.flatMap((p) => p.results).length).toBe(total);
	});

	it('filters by date and status', async () => {
		const want = ds
			.immunizations('pt-00003')
			.filter((i) => i.status === 'completed' && i.occurrenceDateTime >= '2015-01-01');
		expect(want.length).toBeGreaterThan(10);
		expect(want.length).toBeLessThan(137);
		const pages = await all(
			`${BASE}/Immunization?patient=pt-00003&status=completed&date=ge2015-01-01&page-size=10`,
			any,
		);
		expect(pages.flatMap((p) => p.results.map((x) => x.id))).toEqual(want.map((x) => x.id));
		const bad = await get(`${BASE}/Immunization?patient=pt-00003&date=yesterday`, any);
		expect(bad.status).toBe(403);
		expect(await bad.json()).toHaveProperty('detail');
	});

	it('limits a patient token to its own patient', async () => {
		const mine = await all(`${BASE}/Immunization`, own);
		expect(mine.flatMap((p) => p.results).length).toBe(ds.immunizationCount('pt-00002'));
		expect(new Set(mine.flatMap((p) => p.results.map((x) => x.patient.reference)))).toEqual(
			new Set(['Patient/pt-00002']),
		);
		expect((await get(`${BASE}/Patient/pt-00002`, own)).status).toBe(200);
		const other = await get(`${BASE}/Patient/pt-00001`, own);
		expect(other.status).toBe(404);
		expect(await other.json()).toEqual({ detail: 'Not found.' });
		const list = await get(`${BASE}/Immunization?patient=pt-00001`, own);
		expect(list.status).toBe(403);
		expect(await list.json()).toEqual({
			detail: 'You do not have permission to perform this action.',
		});
	});

	it('refuses a missing token (401) and a token without a read scope (403) in DRF shape', async () => {
		const r401 = await get(`${BASE}/Patient/pt-00001`);
		expect(r401.status).toBe(401);
		expect(await r401.json()).toHaveProperty('detail');
		const narrow = tok(['user:write']);
		const r403 = await get(`${BASE}/Immunization`, narrow);
		expect(r403.status).toBe(403);
		expect(await r403.json()).toEqual({
			detail: 'You do not have permission to perform this action.',
		});
		// patients:read lets Patient through but not immunizations
		const patientsOnly = tok(['patients:read']);
		expect((await get(`${BASE}/Patient/pt-00001`, patientsOnly)).status).toBe(200);
		expect((await get(`${BASE}/Immunization`, patientsOnly)).status).toBe(403);
	});

	it('answers 403 for a page past the end', async () => {
		const r = await get(`${BASE}/Immunization?patient=pt-00003&page=99`, any);
		expect(r.status).toBe(403);
	});

	it('the legacy path answers 302 to the canonical one, which still demands the token', async () => {
		const r = await get(`${BASE}/patient/pt-00004?x=1`, any, { redirect: 'manual' });
		expect(r.status).toBe(302);
		const loc = r.headers.get('location')!;
		expect(loc).toBe(`${sb.url}${BASE}/Patient/pt-00004?x=1`);
		expect((await get(loc)).status).toBe(401);
		const ok = await get(loc, any);
		expect(((await ok.json()) as { id: string }).id).toBe('pt-00004');
	});

	it('the redirect fault answers 302 once, to a path that serves the same resource', async () => {
		await armFault(sb, { surface: 'onpatient', kind: 'redirect', pathContains: '/Patient/' });
		const r = await get(`${BASE}/Patient/pt-00005`, any, { redirect: 'manual' });
		expect(r.status).toBe(302);
		const loc = r.headers.get('location')!;
		expect(loc).toBe(`${sb.url}${BASE}/Patient/pt-00005/`);
		expect((await get(loc)).status).toBe(401);
		const again = await get(loc, any, { redirect: 'manual' });
		expect(again.status).toBe(200);
		expect(((await again.json()) as { id: string }).id).toBe('pt-00005');
	});

	it('serves FHIR Bundles instead when switched, and back', async () => {
		const set = (shape: string) =>
			fetch(`${sb.url}/_admin/fhir/settings`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ onpatientListShape: shape }),
			});
		expect((await set('bundle')).status).toBe(200);
		try {
			let url: string | undefined = `${BASE}/Immunization?patient=pt-00003&page-size=50`;
			const ids: string[] = [];
			let pages = 0;
			while (url) {
				const b = (await (await get(url, any)).json()) as {
					resourceType: string;
					type: string;
					total: number;
					entry: Array<{ resource: { id: string } }>;
					link: Array<{ relation: string; url: string }>;
				};
				expect(b.resourceType).toBe('Bundle');
				expect(b.type).toBe('searchset');
				expect(b.total).toBe(137);
				ids.push(...b.entry.map((e) => e.resource.id));
				url = b.link.find((l) => l.relation === 'next')?.url;
				pages++;
			}
			expect(pages).toBe(3);
			expect(ids).toEqual(ds.immunizations('pt-00003').map((x) => x.id));
			expect((await set('xml')).status).toBe(400);
		} finally {
			await set('results');
		}
		const back = (await (
			await get(`${BASE}/Immunization?patient=pt-00003`, any)
		).json()) as ResultsPage;
		expect(back.results).toHaveLength(50);
	});
});
