import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { createDataset } from '../../sandbox/data';

interface Bundle {
	resourceType: string;
	total: number;
	link: Array<{ relation: string; url: string }>;
	entry: Array<{
		fullUrl: string;
		resource: { id: string; resourceType: string; status?: string; occurrenceDateTime?: string };
	}>;
}

describe('eMedicalPractice and SMART FHIR reads', () => {
	let sb: Sandbox;
	const ds = createDataset({ heavyPatients: { 'pt-00002': 95 } });
	const tok = (surface: 'emp' | 'smart', scopes: string[], patient?: string) =>
		sb.app.tokens.issue({ surface, clientId: 'test', scopes, lifetimeSeconds: 3600, patient })
			.access_token;
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
			const b = (await r.json()) as Bundle;
			pages.push(b);
			url = b.link.find((l) => l.relation === 'next')?.url;
		}
		return pages;
	};

	beforeAll(async () => {
		sb = await withSandbox({ heavyPatients: { 'pt-00002': 95 } });
	});
	afterAll(() => sb.close());

	describe('eMedicalPractice', () => {
		it('publishes a CapabilityStatement with the SMART oauth-uris, without a token', async () => {
			for (const path of ['/emp/fhir/r4/metadata', '/emp/metadata']) {
				const r = await get(path);
				expect(r.status).toBe(200);
				const cs = (await r.json()) as {
					resourceType: string;
					fhirVersion: string;
					rest: Array<{
						security: {
							extension: Array<{
								url: string;
								extension: Array<{ url: string; valueUri: string }>;
							}>;
						};
					}>;
				};
				expect(cs.resourceType).toBe('CapabilityStatement');
				expect(cs.fhirVersion).toBe('4.0.1');
				const uris = cs.rest[0].security.extension.find((e) =>
					e.url.endsWith('/oauth-uris'),
				)!.extension;
				expect(uris).toEqual([
					{ url: 'authorize', valueUri: `${sb.url}/emp/connect/authorize` },
					{ url: 'token', valueUri: `${sb.url}/emp/connect/token` },
				]);
			}
		});

		it('accepts SMART v1 (.read) and v2 (.rs) patient scopes and lower-case resource paths', async () => {
			const v1 = tok('emp', ['patient/Patient.read', 'patient/Immunization.read'], 'pt-00001');
			const v2 = tok('emp', ['patient/*.rs'], 'pt-00001');
			for (const t of [v1, v2]) {
				for (const path of ['/emp/fhir/r4/Patient/pt-00001', '/emp/fhir/r4/patient/pt-00001']) {
					const r = await get(path, t);
					expect(r.status).toBe(200);
					expect(((await r.json()) as { id: string }).id).toBe('pt-00001');
				}
				const b = (await (
					await get('/emp/fhir/r4/immunization?patient=pt-00001', t)
				).json()) as Bundle;
				expect(b.total).toBe(ds.immunizationCount('pt-00001'));
			}
		});

		it('ignores _count: fixed pages of 20, follow next to get them all', async () => {
			const user = tok('emp', ['user/*.read']);
			const pages = await follow(
				'/emp/fhir/r4/Immunization?patient=Patient/pt-00002&_count=7',
				user,
			);
			expect(pages.map((p) => p.entry.length)).toEqual([20, 20, 20, 20, 15]);
			expect(pages.flatMap((p) => p.entry.map((e) => e.resource.id))).toEqual(
				ds.immunizations('pt-00002').map((i) => i.id),
			);
		});

		it('filters by date and status', async () => {
			const user = tok('emp', ['user/Immunization.read']);
			const want = ds
				.immunizations('pt-00002')
				.filter(
					(i) =>
						i.occurrenceDateTime >= '2010' &&
						i.occurrenceDateTime < '2020' &&
						i.status !== 'completed',
				);
			expect(want.length).toBeGreaterThan(0);
			const pages = await follow(
				'/emp/fhir/r4/Immunization?patient=pt-00002&date=ge2010-01-01&date=lt2020&status=not-done,entered-in-error',
				user,
			);
			expect(pages.flatMap((p) => p.entry.map((e) => e.resource.id))).toEqual(
				want.map((i) => i.id),
			);
			const bad = await get('/emp/fhir/r4/Immunization?status=done', user);
			expect(bad.status).toBe(400);
			expect(((await bad.json()) as { resourceType: string }).resourceType).toBe(
				'OperationOutcome',
			);
		});

		it('searches patients', async () => {
			const user = tok('emp', ['user/Patient.read']);
			const p3 = ds.patient('pt-00003')!;
			const b = (await (
				await get(
					`/emp/fhir/r4/Patient?family=${encodeURIComponent(p3.name[0].family)}&birthdate=${p3.birthDate}`,
					user,
				)
			).json()) as Bundle;
			expect(b.entry.map((e) => e.resource.id)).toContain('pt-00003');
			expect(b.total).toBe(b.entry.length);
			const byMrn = (await (
				await get(
					`/emp/fhir/r4/Patient?identifier=${encodeURIComponent(`${p3.identifier[0].system}|${p3.identifier[0].value}`)}`,
					user,
				)
			).json()) as Bundle;
			expect(byMrn.entry.map((e) => e.resource.id)).toEqual(['pt-00003']);
			const all = await follow('/emp/fhir/r4/Patient', user);
			expect(all.flatMap((p) => p.entry).length).toBe(50);
		});

		it('keeps patient-scoped tokens to their patient, errors as OperationOutcome', async () => {
			const t = tok('emp', ['patient/*.read'], 'pt-00001');
			for (const path of [
				'/emp/fhir/r4/Patient/pt-00002',
				'/emp/fhir/r4/Immunization?patient=pt-00002',
			]) {
				const r = await get(path, t);
				expect(r.status).toBe(403);
				expect(await r.json()).toMatchObject({
					resourceType: 'OperationOutcome',
					issue: [{ code: 'forbidden' }],
				});
			}
			const search = (await (await get('/emp/fhir/r4/Patient', t)).json()) as Bundle;
			expect(search.entry.map((e) => e.resource.id)).toEqual(['pt-00001']);
			const noPatient = tok('emp', ['patient/*.read']);
			expect((await get('/emp/fhir/r4/Patient/pt-00001', noPatient)).status).toBe(403);
			const wrongScope = tok('emp', ['patient/Observation.read'], 'pt-00001');
			const r = await get('/emp/fhir/r4/Immunization', wrongScope);
			expect(r.status).toBe(403);
			expect(await r.json()).toMatchObject({ resourceType: 'OperationOutcome' });
		});

		it('standard API wraps answers in {validationErrors, internalErrors, data}', async () => {
			const t = tok('emp', ['api:oemr', 'user/*.read']);
			const one = await get('/emp/api/patient/pt-00003', t);
			expect(one.status).toBe(200);
			const body = (await one.json()) as {
				validationErrors: unknown[];
				internalErrors: unknown[];
				data: Record<string, string>;
			};
			expect(body.validationErrors).toEqual([]);
			expect(body.internalErrors).toEqual([]);
			expect(body.data).toMatchObject({
				uuid: 'pt-00003',
				pid: '3',
				lname: ds.patient('pt-00003')!.name[0].family,
				DOB: ds.patient('pt-00003')!.birthDate,
			});
			const imms = (await (await get('/emp/api/patient/pt-00002/immunization', t)).json()) as {
				data: Array<{ uuid: string; cvx_code: string }>;
			};
			expect(imms.data.map((i) => i.uuid)).toEqual(ds.immunizations('pt-00002').map((i) => i.id));
			const list = (await (
				await get(
					`/emp/api/patient?lname=${encodeURIComponent(ds.patient('pt-00003')!.name[0].family)}`,
					t,
				)
			).json()) as { data: Array<{ uuid: string }> };
			expect(list.data.map((p) => p.uuid)).toContain('pt-00003');
			const bad = await get('/emp/api/patient/not-an-id', t);
			expect(bad.status).toBe(422);
			expect(await bad.json()).toMatchObject({ validationErrors: { puuid: {} }, data: [] });
			expect((await get('/emp/api/patient?DOB=01/02/2000', t)).status).toBe(422);
			const missing = await get('/emp/api/patient/pt-09999', t);
			expect(missing.status).toBe(404);
			expect(await missing.json()).toMatchObject({ validationErrors: [], data: [] });
		});

		it('standard API: 401 and 403 bodies are {error, error_description}; api:oemr is required', async () => {
			const r401 = await get('/emp/api/patient');
			expect(r401.status).toBe(401);
			expect(Object.keys((await r401.json()) as object).sort()).toEqual([
				'error',
				'error_description',
			]);
			const noApi = tok('emp', ['user/*.read']);
			const r403 = await get('/emp/api/patient', noApi);
			expect(r403.status).toBe(403);
			expect(await r403.json()).toMatchObject({ error: 'insufficient_scope' });
		});
	});

	describe('SMART generic server', () => {
		it('publishes metadata pointing at its own authorize and token endpoints', async () => {
			const cs = (await (await get('/smart/fhir/metadata')).json()) as {
				rest: Array<{
					security: { extension: Array<{ extension: Array<{ url: string; valueUri: string }> }> };
				}>;
			};
			expect(cs.rest[0].security.extension[0].extension.map((e) => e.valueUri)).toEqual([
				`${sb.url}/smart/auth/authorize`,
				`${sb.url}/smart/auth/token`,
			]);
		});

		it('honours _count (default 20, clamped at 100, 0 = total only)', async () => {
			const t = tok('smart', ['user/*.read']);
			const def = await follow('/smart/fhir/Immunization?patient=pt-00002', t);
			expect(def.map((p) => p.entry.length)).toEqual([20, 20, 20, 20, 15]);
			const seven = await follow('/smart/fhir/Immunization?patient=pt-00002&_count=7', t);
			expect(seven).toHaveLength(14);
			expect(seven.flatMap((p) => p.entry.map((e) => e.resource.id))).toEqual(
				ds.immunizations('pt-00002').map((i) => i.id),
			);
			const big = (await (await get('/smart/fhir/Immunization?_count=500', t)).json()) as Bundle;
			expect(big.entry).toHaveLength(100);
			const zero = (await (
				await get('/smart/fhir/Immunization?patient=pt-00002&_count=0', t)
			).json()) as Bundle;
			expect(zero.total).toBe(95);
			expect(zero.entry).toHaveLength(0);
			expect(zero.link.find((l) => l.relation === 'next')).toBeUndefined();
			expect((await get('/smart/fhir/Immunization?_count=-1', t)).status).toBe(400);
		});

		it('counts every immunization of every patient across pages for a system token', async () => {
			const t = tok('smart', ['system/Immunization.read']);
			const pages = await follow('/smart/fhir/Immunization?_count=100', t);
			expect(pages.flatMap((p) => p.entry).length).toBe(ds.count('Immunization'));
			expect(pages[0].total).toBe(ds.count('Immunization'));
		});

		it('filters by date on the SMART server', async () => {
			const t = tok('smart', ['patient/Immunization.rs'], 'pt-00002');
			const want = ds
				.immunizations('pt-00002')
				.filter((i) => i.occurrenceDateTime.startsWith('2021'));
			expect(want.length).toBeGreaterThan(0);
			const got = await follow('/smart/fhir/Immunization?date=2021', t);
			expect(got.flatMap((p) => p.entry.map((e) => e.resource.id))).toEqual(want.map((i) => i.id));
			expect((await get('/smart/fhir/Immunization?date=2021-02-30', t)).status).toBe(400);
		});

		it('refuses a token without the scope (403 OperationOutcome) and another patient', async () => {
			const t = tok('smart', ['patient/Observation.read'], 'pt-00002');
			const r = await get('/smart/fhir/Patient/pt-00002', t);
			expect(r.status).toBe(403);
			expect(await r.json()).toMatchObject({
				resourceType: 'OperationOutcome',
				issue: [{ code: 'forbidden' }],
			});
			const p = tok('smart', ['patient/*.read'], 'pt-00002');
			expect((await get('/smart/fhir/Patient/pt-00003', p)).status).toBe(403);
			expect((await get('/smart/fhir/Patient/pt-00002', p)).status).toBe(200);
		});
	});
});
