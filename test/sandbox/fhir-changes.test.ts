// What the polling triggers need from the sandbox: `_lastUpdated=ge<t>` with `_sort=_lastUpdated`
// on the FHIR stores (ascending and descending, a resource written at exactly `t` included),
// whole-second stamps (`POST /_admin/fhir/options {lastUpdatedPrecision: 's'}`) shared by writes in
// one second, and onpatient's admin-written immunizations in its `{results, next}` lists.
import type { Sandbox } from '../../sandbox/server';
import { withSandbox } from '../helpers/sandbox';
import { client } from './fhir-store-util';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox({ patients: 5 });
});
afterAll(() => sb.close());
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
});

const admin = async (path: string, body: unknown) => {
	const r = await fetch(`${sb.url}/_admin${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: r.status, body: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const patient = (family: string) => ({ resourceType: 'Patient', name: [{ family }] });
const ids = (bundle: { entry?: Array<{ resource: { id: string } }> }) =>
	(bundle.entry ?? []).map((e) => e.resource.id);

describe.each(['smart', 'emp'] as const)('%s store: change-time search', (surface) => {
	it('ge includes a resource written at exactly that time; _sort orders by lastUpdated both ways', async () => {
		const c = client(sb, surface, ['user/*.read', 'user/*.write']);
		const a = (await c.call('POST', 'Patient', patient('A'))).body;
		const b = (await c.call('POST', 'Patient', patient('B'))).body;
		await c.call('PUT', `Patient/${String(a.id)}`, { ...a, gender: 'other' });
		const t = encodeURIComponent(b.meta.lastUpdated);
		const asc = await c.get(`Patient?_lastUpdated=ge${t}&_sort=_lastUpdated`);
		expect(asc.status).toBe(200);
		expect(ids(asc.body)).toEqual([b.id, a.id]);
		const desc = await c.get(`Patient?_lastUpdated=ge${t}&_sort=-_lastUpdated`);
		expect(ids(desc.body)).toEqual([a.id, b.id]);
	});

	it('whole-second stamps: writes in one second share it, ge finds them, gt does not', async () => {
		expect((await admin('/fhir/options', { surface, lastUpdatedPrecision: 's' })).body).toEqual({
			surface,
			lastUpdatedPrecision: 's',
		});
		const c = client(sb, surface, ['user/*.read', 'user/*.write']);
		for (let attempt = 0; attempt < 5; attempt++) {
			while (Date.now() % 1000 > 100) await new Promise((r) => setTimeout(r, 10));
			const a = (await c.call('POST', 'Patient', patient('S1'))).body;
			const b = (await c.call('POST', 'Patient', patient('S2'))).body;
			if (a.meta.lastUpdated !== b.meta.lastUpdated) continue;
			expect(a.meta.lastUpdated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
			const t = encodeURIComponent(a.meta.lastUpdated);
			expect(ids((await c.get(`Patient?_lastUpdated=ge${t}&_sort=_lastUpdated`)).body)).toEqual([
				a.id,
				b.id,
			]);
			expect(ids((await c.get(`Patient?_lastUpdated=gt${t}`)).body)).toEqual([]);
			return;
		}
		throw new Error('no two writes in one second in 5 attempts');
	});

	it('refuses an unknown precision; reset goes back to milliseconds', async () => {
		expect((await admin('/fhir/options', { surface, lastUpdatedPrecision: 'minute' })).status).toBe(
			400,
		);
		await admin('/fhir/options', { surface, lastUpdatedPrecision: 's' });
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		const c = client(sb, surface, ['user/*.read', 'user/*.write']);
		const a = (await c.call('POST', 'Patient', patient('M'))).body;
		expect(a.meta.lastUpdated).toMatch(/\.\d{3}Z$/);
	});
});

describe('onpatient admin-written immunizations', () => {
	const list = async (query = '') => {
		const token = sb.app.tokens.issue({
			surface: 'onpatient',
			clientId: 'test',
			scopes: [],
			lifetimeSeconds: 600,
		}).access_token;
		const r = await fetch(`${sb.url}/onpatient/api/onpatient_api/fhir/Immunization${query}`, {
			headers: { authorization: `Bearer ${token}` },
		});
		return (await r.json()) as { count: number; next: string | null; results: any[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
	};

	it('an update shows in the list with a new version; a creation is listed last; reset forgets both', async () => {
		const before = await list('?page-size=1000');
		const first = before.results[0];
		const u = await admin('/onpatient/immunizations', { id: first.id, status: 'entered-in-error' });
		expect(u.status).toBe(200);
		expect(u.body.meta.versionId).toBe(String(Number(first.meta.versionId ?? 1) + 1));
		const c = await admin('/onpatient/immunizations', { patient: 'pt-00002' });
		expect(c.status).toBe(201);
		expect(c.body).toMatchObject({
			patient: { reference: 'Patient/pt-00002' },
			meta: { versionId: '1' },
		});
		const after = await list('?page-size=1000');
		expect(after.count).toBe(before.count + 1);
		expect(after.results[0]).toMatchObject({ id: first.id, status: 'entered-in-error' });
		expect(after.results[after.results.length - 1].id).toBe(c.body.id);
		// paged: the creation is on the last page
		const pages: string[] = [];
		let page = await list('?page-size=7');
		for (;;) {
			pages.push(...page.results.map((r) => String(r.id)));
			if (!page.next) break;
			const r = await fetch(page.next, {
				headers: {
					authorization: `Bearer ${sb.app.tokens.issue({ surface: 'onpatient', clientId: 'test', scopes: [], lifetimeSeconds: 600 }).access_token}`,
				},
			});
			page = (await r.json()) as typeof page;
		}
		expect(pages).toEqual(after.results.map((r) => String(r.id)));
		// only that patient's list has it
		expect((await list('?patient=pt-00003&page-size=1000')).results.map((r) => r.id)).not.toContain(
			c.body.id,
		);
		expect((await admin('/onpatient/immunizations', { id: 'imm-nope' })).status).toBe(404);
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		expect((await list('?page-size=1000')).count).toBe(before.count);
	});
});
