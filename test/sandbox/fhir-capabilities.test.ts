import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import {
	BASES,
	admin,
	client,
	observation,
	type FhirClient,
	type StoreSurface,
} from './fhir-store-util';

interface CsResource {
	type: string;
	interaction: Array<{ code: string }>;
	searchParam: Array<{ name: string; type: string }>;
	searchInclude: string[];
	searchRevInclude: string[];
	conditionalCreate: boolean;
	conditionalUpdate: boolean;
	versioning: string;
	operation?: Array<{ name: string; definition: string }>;
}

const ALL = [
	'read',
	'vread',
	'search-type',
	'create',
	'update',
	'patch',
	'delete',
	'history-instance',
	'history-type',
];

const bodies: Record<string, (id?: string) => Record<string, unknown>> = {
	Patient: (id) => ({
		resourceType: 'Patient',
		...(id ? { id } : {}),
		name: [{ family: 'Capable' }],
	}),
	Observation: (id) => ({ ...observation('pt-00001'), ...(id ? { id } : {}) }),
	Condition: (id) => ({
		resourceType: 'Condition',
		...(id ? { id } : {}),
		subject: { reference: 'Patient/pt-00001' },
		recordedDate: '2024-01-01',
	}),
	Encounter: (id) => ({
		resourceType: 'Encounter',
		...(id ? { id } : {}),
		status: 'finished',
		subject: { reference: 'Patient/pt-00001' },
	}),
};

/** Runs one interaction on `type/id`; returns the HTTP status. */
async function run(c: FhirClient, i: string, type: string, id: string): Promise<number> {
	switch (i) {
		case 'read':
			return (await c.get(`${type}/${id}`)).status;
		case 'vread':
			return (await c.get(`${type}/${id}/_history/1`)).status;
		case 'search-type':
			return (await c.get(`${type}?_id=${id}`)).status;
		case 'create':
			return (await c.call('POST', type, bodies[type]())).status;
		case 'update':
			return (await c.call('PUT', `${type}/${id}`, bodies[type](id))).status;
		case 'patch':
			return (
				await c.call('PATCH', `${type}/${id}`, [{ op: 'add', path: '/language', value: 'en' }], {
					'content-type': 'application/json-patch+json',
				})
			).status;
		case 'delete':
			return (await c.call('DELETE', `${type}/${id}`)).status;
		case 'history-instance':
			return (await c.get(`${type}/${id}/_history`)).status;
		default:
			return (await c.get(`${type}/_history`)).status;
	}
}

describe('FHIR store: each CapabilityStatement tells the truth', () => {
	let sb: Sandbox;

	beforeAll(async () => {
		sb = await withSandbox();
	});
	afterAll(() => sb.close());

	const expected: Record<
		StoreSurface,
		{ writable: string[]; batch: boolean; transaction: boolean; everything: boolean }
	> = {
		smart: {
			writable: ['Patient', 'Observation', 'Condition', 'Encounter'],
			batch: true,
			transaction: true,
			everything: true,
		},
		emp: {
			writable: ['Patient', 'Observation', 'Condition'],
			batch: false,
			transaction: false,
			everything: false,
		},
		oneup: {
			writable: ['Patient', 'Observation', 'Condition', 'Encounter'],
			batch: true,
			transaction: false,
			everything: true,
		},
	};

	for (const surface of ['smart', 'emp', 'oneup'] as StoreSurface[]) {
		it(`${surface}: every declared interaction works, every undeclared one is refused (405)`, async () => {
			sb.app.reset();
			const c = client(sb, surface, ['user/*.*']);
			const cs = (await (await fetch(`${sb.url}${BASES[surface]}/metadata`)).json()) as {
				rest: Array<{ resource: CsResource[]; interaction?: Array<{ code: string }> }>;
			};
			const resources = cs.rest[0].resource;
			expect(resources.map((r) => r.type)).toEqual(
				expect.arrayContaining([
					'Patient',
					'Immunization',
					'AllergyIntolerance',
					'Condition',
					'MedicationRequest',
					'Observation',
					'Encounter',
					'Appointment',
					'DocumentReference',
				]),
			);
			for (const type of Object.keys(bodies)) {
				const r = resources.find((x) => x.type === type)!;
				const declared = r.interaction.map((x) => x.code);
				expect(declared.includes('create')).toBe(expected[surface].writable.includes(type));
				expect(r.searchParam.map((p) => p.name)).toEqual(
					expect.arrayContaining(['_id', '_lastUpdated']),
				);
				const id =
					type === 'Patient'
						? 'pt-00001'
						: (await admin(sb, 'POST', '/fhir/seed', { surface, resourceType: type, count: 1 }))
								.ids?.[0];
				const seededId = id ?? (await c.call('POST', type, bodies[type]())).body.id;
				for (const i of [...ALL.filter((x) => x !== 'delete'), 'delete']) {
					const status = await run(c, i, type, seededId);
					if (declared.includes(i)) expect([i, status < 300]).toEqual([i, true]);
					else expect([i, status]).toEqual([i, 405]);
				}
			}
			const sys = (cs.rest[0].interaction ?? []).map((x) => x.code);
			expect(sys.includes('batch')).toBe(expected[surface].batch);
			expect(sys.includes('transaction')).toBe(expected[surface].transaction);
			for (const type of ['batch', 'transaction']) {
				const r = await c.call('POST', '', {
					resourceType: 'Bundle',
					type,
					entry: [
						{ resource: observation('pt-00001'), request: { method: 'POST', url: 'Observation' } },
					],
				});
				expect([type, r.status]).toEqual([type, sys.includes(type) ? 200 : 405]);
			}
			const patient = resources.find((x) => x.type === 'Patient')!;
			const declaresEverything = (patient.operation ?? []).some(
				(o) =>
					o.name === 'everything' &&
					o.definition === 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
			);
			expect(declaresEverything).toBe(expected[surface].everything);
			expect((await c.get('Patient/pt-00002/$everything')).status).toBe(
				declaresEverything ? 200 : 405,
			);
			const obs = resources.find((x) => x.type === 'Observation')!;
			expect(obs.conditionalCreate).toBe(surface !== 'emp');
			expect(obs.searchInclude.includes('Observation:patient')).toBe(surface !== 'emp');
			const cond = await c.call('POST', 'Observation', observation('pt-00001'), {
				'if-none-exist': 'code=8867-4',
			});
			expect(cond.status === 405).toBe(!obs.conditionalCreate);
		});
	}

	it('1upHealth STU3 and DSTU2 stay read-only and onpatient has no metadata', async () => {
		const token = sb.app.tokens.issue({
			surface: 'oneup',
			clientId: 't',
			scopes: ['user/*.*'],
			lifetimeSeconds: 60,
		}).access_token;
		for (const v of ['stu3', 'dstu2']) {
			const r = await fetch(`${sb.url}/1up/api/${v}/Patient`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
				body: '{"resourceType":"Patient"}',
			});
			expect([v, r.status]).toEqual([v, 405]);
			expect(
				(
					await fetch(`${sb.url}/1up/api/${v}/Observation`, {
						headers: { authorization: `Bearer ${token}` },
					})
				).status,
			).toBe(404);
		}
		expect((await fetch(`${sb.url}/onpatient/api/onpatient_api/fhir/metadata`)).status).toBe(404);
	});

	it('eMedicalPractice keeps ignoring _count (fixed pages) on store searches', async () => {
		await admin(sb, 'POST', '/fhir/seed', {
			surface: 'emp',
			resourceType: 'Observation',
			count: 25,
		});
		const c = client(sb, 'emp', ['user/*.read']);
		const r = await c.get('Observation?_count=5');
		expect(r.body.entry).toHaveLength(20);
		expect(r.body.link.some((l: { relation: string }) => l.relation === 'next')).toBe(true);
	});
});

describe('FHIR store: write scopes', () => {
	let sb: Sandbox;

	beforeAll(async () => {
		sb = await withSandbox();
	});
	afterAll(() => sb.close());

	it('a read-only token → 403 OperationOutcome on every surface; no token → 401', async () => {
		for (const surface of ['smart', 'emp', 'oneup'] as StoreSurface[]) {
			const c = client(
				sb,
				surface,
				surface === 'oneup' ? ['user/*.read'] : ['user/*.read', 'patient/*.rs'],
			);
			const r = await c.call('POST', 'Observation', observation('pt-00001'));
			expect([surface, r.status, r.body.resourceType, r.body.issue[0].code]).toEqual([
				surface,
				403,
				'OperationOutcome',
				'forbidden',
			]);
			expect((await c.get('Observation')).status).toBe(200);
			const anon = await fetch(`${c.base}/Observation`, {
				method: 'POST',
				headers: { 'content-type': 'application/fhir+json' },
				body: JSON.stringify(observation('pt-00001')),
			});
			expect(anon.status).toBe(401);
		}
	});

	it('SMART v1 and v2 write scopes: .c creates, .u updates/patches, .d deletes, .write and .* do all', async () => {
		const create = client(sb, 'smart', ['user/Observation.c']);
		const id = (await create.call('POST', 'Observation', observation('pt-00001'))).body.id;
		expect(id).toEqual(expect.any(String));
		expect(
			(await create.call('PUT', `Observation/${id}`, observation('pt-00001', '8867-4', 1, { id })))
				.status,
		).toBe(403);
		expect((await create.call('DELETE', `Observation/${id}`)).status).toBe(403);
		const upd = client(sb, 'smart', ['user/Observation.u']);
		expect(
			(await upd.call('PUT', `Observation/${id}`, observation('pt-00001', '8867-4', 1, { id })))
				.status,
		).toBe(200);
		expect(
			(
				await upd.call(
					'PATCH',
					`Observation/${id}`,
					[{ op: 'add', path: '/language', value: 'en' }],
					{ 'content-type': 'application/json-patch+json' },
				)
			).status,
		).toBe(200);
		expect((await upd.call('POST', 'Observation', observation('pt-00001'))).status).toBe(403);
		expect(
			(await client(sb, 'smart', ['user/Condition.cud']).call('DELETE', `Observation/${id}`))
				.status,
		).toBe(403);
		expect(
			(await client(sb, 'smart', ['user/Observation.d']).call('DELETE', `Observation/${id}`))
				.status,
		).toBe(200);
		for (const scopes of [
			['user/Observation.write'],
			['system/*.write'],
			['user/*.*'],
			['system/Observation.cruds'],
		]) {
			expect([
				scopes[0],
				(await client(sb, 'smart', scopes).call('POST', 'Observation', observation('pt-00002')))
					.status,
			]).toEqual([scopes[0], 201]);
		}
	});

	it('a patient-context token writes only in its own compartment', async () => {
		const c = client(sb, 'smart', ['patient/*.write', 'patient/*.read'], 'pt-00001');
		expect((await c.call('POST', 'Observation', observation('pt-00001'))).status).toBe(201);
		const other = await c.call('POST', 'Observation', observation('pt-00002'));
		expect(other.status).toBe(403);
		expect(other.body.resourceType).toBe('OperationOutcome');
		expect((await c.get('Observation?patient=pt-00002')).status).toBe(403);
		expect(
			(await c.get('Observation')).body.entry.every(
				(e: { resource: { subject: { reference: string } } }) =>
					e.resource.subject.reference === 'Patient/pt-00001',
			),
		).toBe(true);
		const noPatient = client(sb, 'smart', ['patient/*.write']);
		expect((await noPatient.call('POST', 'Observation', observation('pt-00001'))).status).toBe(403);
	});

	it('eMedicalPractice user/Patient.write may update a Patient but not write an Observation', async () => {
		const c = client(sb, 'emp', ['user/Patient.read', 'user/Patient.write']);
		const p = (await c.get('Patient/pt-00003')).body;
		expect((await c.call('PUT', 'Patient/pt-00003', { ...p, active: false })).status).toBe(200);
		expect((await c.call('POST', 'Observation', observation('pt-00003'))).status).toBe(403);
	});
});
