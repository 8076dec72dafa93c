import { withSandbox, armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';

const ON = '/onpatient/api/onpatient_api/fhir';

interface ResultsPage {
	count: number;
	next: string | null;
	results: Array<{ id: string }>;
}
interface Bundle {
	total: number;
	link: Array<{ relation: string; url: string }>;
	entry: Array<{ resource: { id: string } }>;
}
const nextOf = (b: Bundle) => b.link.find((l) => l.relation === 'next')?.url;

describe('FHIR read faults and large lists', () => {
	let sb: Sandbox;
	let on: string;
	let oneup: string;
	let smart: string;
	const get = (pathOrUrl: string, token?: string, init: RequestInit = {}) =>
		fetch(pathOrUrl.startsWith('http') ? pathOrUrl : sb.url + pathOrUrl, {
			...init,
			headers: token ? { authorization: `Bearer ${token}` } : {},
		});

	beforeAll(async () => {
		sb = await withSandbox({ heavyPatients: { 'pt-00001': 10000 } });
		on = sb.app.tokens.issue({
			surface: 'onpatient',
			clientId: 'test',
			scopes: ['patient/*.read'],
			lifetimeSeconds: 3600,
			patient: 'pt-00001',
		}).access_token;
		oneup = sb.app.tokens.issue({
			surface: 'oneup',
			clientId: 'test',
			scopes: ['user/*.*'],
			lifetimeSeconds: 3600,
			patient: 'pt-00001',
		}).access_token;
		smart = sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'test',
			scopes: ['user/*.read'],
			lifetimeSeconds: 3600,
		}).access_token;
	});
	afterAll(() => sb.close());
	afterEach(async () => {
		await fetch(`${sb.url}/_admin/faults`, { method: 'DELETE' });
	});

	it('serves 10,000 immunizations of a heavy patient in 200 pages of 50', async () => {
		let url: string | null = `${ON}/Immunization?patient=pt-00001`;
		const ids = new Set<string>();
		let pages = 0;
		while (url) {
			const r = await get(url, on);
			expect(r.status).toBe(200);
			const p = (await r.json()) as ResultsPage;
			expect(p.count).toBe(10000);
			expect(p.results.length).toBe(50);
			p.results.forEach((x) => ids.add(x.id));
			url = p.next;
			pages++;
		}
		expect(pages).toBe(200);
		expect(ids.size).toBe(10000);
	}, 15000);

	it('loop-next: a page whose next link points at itself (onpatient and Bundle surfaces)', async () => {
		await armFault(sb, { surface: 'onpatient', kind: 'loop-next', after: 1 });
		const p1 = (await (
			await get(`${ON}/Immunization?patient=pt-00001&page-size=10`, on)
		).json()) as ResultsPage;
		expect(p1.next).toBe(`${sb.url}${ON}/Immunization?patient=pt-00001&page-size=10&page=2`);
		const p2 = (await (await get(p1.next!, on)).json()) as ResultsPage;
		expect(p2.next).toBe(p1.next); // page 2 says "next: page 2"
		const p2again = (await (await get(p2.next!, on)).json()) as ResultsPage;
		expect(p2again.next).toBe(`${sb.url}${ON}/Immunization?patient=pt-00001&page-size=10&page=3`); // fired once only

		await armFault(sb, { surface: 'oneup', kind: 'loop-next' });
		const first = `${sb.url}/1up/api/r4/Immunization?patient=pt-00001&_count=5`;
		const b = (await (await get(first, oneup)).json()) as Bundle;
		expect(nextOf(b)).toBe(first);
	});

	it('foreign-next: the next link is on the files origin, which serves no data and reports the header', async () => {
		await armFault(sb, { surface: 'smart', kind: 'foreign-next' });
		const b = (await (await get('/smart/fhir/Immunization?_count=10', smart)).json()) as Bundle;
		const next = nextOf(b)!;
		expect(next).toBe(`${sb.fileUrl}/smart/fhir/Immunization?_count=10&_offset=10`);
		const tokenless = await fetch(next);
		expect(tokenless.status).toBe(404);
		expect(await tokenless.json()).toMatchObject({ authorizationReceived: false });
		const leaked = await fetch(next, { headers: { authorization: `Bearer ${smart}` } });
		expect(leaked.status).toBe(404);
		const body = (await leaked.json()) as Record<string, unknown>;
		expect(body.authorizationReceived).toBe(true);
		expect(body).not.toHaveProperty('entry');
		const logged = sb.app.requests.filter(
			(r) => r.origin === 'files' && r.path === '/smart/fhir/Immunization',
		);
		expect(logged.map((r) => Boolean(r.headers.authorization))).toEqual([false, true]);

		await armFault(sb, { surface: 'onpatient', kind: 'foreign-next' });
		const p = (await (await get(`${ON}/Immunization?patient=pt-00001`, on)).json()) as ResultsPage;
		expect(p.next).toBe(`${sb.fileUrl}${ON}/Immunization?patient=pt-00001&page=2`);
	});

	it('no fault fires on a last page (nothing to loop)', async () => {
		await armFault(sb, { surface: 'smart', kind: 'loop-next' });
		const last = (await (await get('/smart/fhir/Patient?_id=pt-00002', smart)).json()) as Bundle;
		expect(nextOf(last)).toBeUndefined();
		const faults = (await (await fetch(`${sb.url}/_admin/faults`)).json()) as { armed: unknown[] };
		expect(faults.armed).toHaveLength(1);
	});

	it('redirect on a Bundle surface: 302 to the same list page, same query', async () => {
		await armFault(sb, { surface: 'oneup', kind: 'redirect' });
		const r = await get('/1up/api/r4/Immunization?_count=3&_offset=3', oneup, {
			redirect: 'manual',
		});
		expect(r.status).toBe(302);
		const loc = r.headers.get('location')!;
		expect(loc).toBe(`${sb.url}/1up/api/r4/Immunization/?_count=3&_offset=3`);
		expect((await get(loc)).status).toBe(401);
		const b = (await (await get(loc, oneup)).json()) as Bundle;
		expect(b.entry).toHaveLength(3);
	});

	it('framework faults hit a list page in the middle: 429 on the 3rd page, then the list resumes', async () => {
		await armFault(sb, {
			surface: 'onpatient',
			kind: 'rate-limit',
			after: 2,
			retryAfter: '2',
			pathContains: '/Immunization',
		});
		let url: string | null = `${ON}/Immunization?patient=pt-00001&page-size=1000`;
		const statuses: number[] = [];
		let got = 0;
		while (url && statuses.length < 20) {
			const r = await get(url, on);
			statuses.push(r.status);
			if (r.status === 429) {
				expect(r.headers.get('retry-after')).toBe('2');
				await r.arrayBuffer();
				continue; // retry the same page
			}
			const p = (await r.json()) as ResultsPage;
			got += p.results.length;
			url = p.next;
		}
		expect(statuses).toEqual([200, 200, 429, 200, 200, 200, 200, 200, 200, 200, 200]);
		expect(got).toBe(10000);
	});

	it("expired-token and html-200 hit the second page of a list in each surface's own shape", async () => {
		await armFault(sb, {
			surface: 'onpatient',
			kind: 'expired-token',
			after: 1,
			pathContains: '/Immunization',
		});
		const p1 = (await (
			await get(`${ON}/Immunization?patient=pt-00001&page-size=5`, on)
		).json()) as ResultsPage;
		const r401 = await get(p1.next!, on);
		expect(r401.status).toBe(401);
		expect(await r401.json()).toEqual({ detail: 'The access token expired.' });
		await armFault(sb, { surface: 'smart', kind: 'html-200', after: 1 });
		const b1 = (await (await get('/smart/fhir/Immunization?_count=5', smart)).json()) as Bundle;
		const html = await get(nextOf(b1)!, smart);
		expect(html.status).toBe(200);
		expect(html.headers.get('content-type')).toContain('text/html');
		const retry = await get(nextOf(b1)!, smart);
		expect(((await retry.json()) as Bundle).entry).toHaveLength(5);
	});

	it('reset cuts a list page mid-body', async () => {
		await armFault(sb, { surface: 'oneup', kind: 'reset' });
		await expect(
			get('/1up/api/r4/Immunization?_count=50', oneup).then((r) => r.text()),
		).rejects.toThrow();
	});

	it('same seed → byte-identical answers, another seed → different', async () => {
		const a = await startSandbox({ host: '127.0.0.1', port: 0, filePort: 0, seed: 5 });
		const b = await startSandbox({ host: '127.0.0.1', port: 0, filePort: 0, seed: 5 });
		const c = await startSandbox({ host: '127.0.0.1', port: 0, filePort: 0, seed: 6 });
		try {
			const body = async (s: Sandbox, path: string) => {
				const t = s.app.tokens.issue({
					surface: 'smart',
					clientId: 'x',
					scopes: ['user/*.read'],
					lifetimeSeconds: 60,
				}).access_token;
				const text = await (
					await fetch(s.url + path, { headers: { authorization: `Bearer ${t}` } })
				).text();
				return text.split(s.url).join('BASE'); // links carry the port
			};
			for (const path of [
				'/smart/fhir/Patient/pt-00007',
				'/smart/fhir/Immunization?patient=pt-00007',
			]) {
				const [ta, tb, tc] = await Promise.all([body(a, path), body(b, path), body(c, path)]);
				expect(ta).toBe(tb);
				expect(ta).not.toBe(tc);
			}
		} finally {
			await Promise.all([a.close(), b.close(), c.close()]);
		}
	});
});
