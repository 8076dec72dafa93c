// The EHR FHIR node's FHIR Resource and Bundle operations in a real n8n against the sandbox's SMART
// FHIR store, with a SMART on FHIR credential whose token may write (user/*.*): a webhook workflow
// that upserts a Patient by the MRN in its payload, called twice → one patient (updated); Search
// Observation with Return All after seeding → exactly the store's count; a Transaction of 100
// items → 100 entry responses paired with their items and 100 Observations written.
import { join } from 'node:path';
import {
	E2E_TIMEOUT,
	loadWorkflowDir,
	sandboxJson,
	startEnv,
	stopEnv,
	writingSmartCredential,
	type Env,
} from './helpers';

jest.setTimeout(E2E_TIMEOUT);

const WORKFLOWS = loadWorkflowDir(join(__dirname, 'workflows', 'fhir-resources'));
const CREDENTIAL = { id: 'e2eSmartWrite001', name: 'SMART on FHIR write (sandbox)' };
const MRN = 'http://clinic.example/mrn';

let env: Env | undefined;

beforeAll(async () => {
	env = await startEnv({
		workflows: WORKFLOWS,
		credentials: (sandbox) =>
			writingSmartCredential(sandbox, CREDENTIAL, ['openid', 'offline_access', 'user/*.*']),
	});
});

afterAll(async () => {
	await stopEnv(env);
});

async function storeCount(type: string): Promise<number> {
	return (
		await sandboxJson<{ count: number }>(
			env!.sandbox,
			`/_admin/fhir/store?surface=smart&type=${type}`,
		)
	).count;
}

async function patientsWithMrn(
	mrn: string,
): Promise<Array<{ id: string; name: Array<{ family: string }>; meta: { versionId: string } }>> {
	const { sandbox } = env!;
	const t = await sandboxJson<{ access_token: string }>(sandbox, '/_admin/tokens', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ surface: 'smart', clientId: 'smart-demo', scopes: ['user/*.read'] }),
	});
	const res = await fetch(
		`${sandbox.url}/smart/fhir/Patient?identifier=${encodeURIComponent(`${MRN}|${mrn}`)}`,
		{
			headers: { authorization: `Bearer ${t.access_token}`, accept: 'application/fhir+json' },
		},
	);
	const bundle = (await res.json()) as { entry?: Array<{ resource: never }> };
	return (bundle.entry ?? []).map((e) => e.resource);
}

test('a webhook upserts a Patient by the MRN in its payload: called twice → one patient, updated', async () => {
	const { n8n } = env!;
	const before = await storeCount('Patient');
	await n8n.activate('e2eFhirUpsert001');
	const first = await n8n.webhook('e2e-fhir-upsert', {
		mrn: 'E2E-4711',
		family: 'Firstname',
		given: 'Ada',
		birthDate: '1985-03-04',
	});
	if (first.status !== 200) throw new Error(`webhook answered ${first.status}: ${first.text}`);
	const second = await n8n.webhook('e2e-fhir-upsert', {
		mrn: 'E2E-4711',
		family: 'Lovelace',
		given: 'Ada',
		birthDate: '1985-03-04',
	});
	if (second.status !== 200) throw new Error(`webhook answered ${second.status}: ${second.text}`);
	const a = first.json as { id: string; meta: { versionId: string } };
	const b = second.json as {
		id: string;
		meta: { versionId: string };
		name: Array<{ family: string }>;
	};
	expect(b.id).toBe(a.id);
	expect([a.meta.versionId, b.meta.versionId]).toEqual(['1', '2']);
	expect(b.name[0].family).toBe('Lovelace');
	expect(await storeCount('Patient')).toBe(before + 1);
	const found = await patientsWithMrn('E2E-4711');
	expect(found.map((p) => [p.id, p.name[0].family, p.meta.versionId])).toEqual([
		[a.id, 'Lovelace', '2'],
	]);
	const execs = await n8n.finishedExecutions('e2eFhirUpsert001', 2);
	expect(execs.map((e) => [e.mode, e.status])).toEqual([
		['webhook', 'success'],
		['webhook', 'success'],
	]);
});

test("Search Observation with Return All (after seeding) returns exactly the store's Observations", async () => {
	const { n8n, sandbox } = env!;
	const seeded = await sandboxJson<{ created: number }>(sandbox, '/_admin/fhir/seed', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ surface: 'smart', resourceType: 'Observation', count: 1234 }),
	});
	expect(seeded.created).toBe(1234);
	const expected = await storeCount('Observation');
	expect(expected).toBeGreaterThanOrEqual(1234);
	const out = await n8n.execute('e2eFhirSearch001');
	expect(out.error).toBeUndefined();
	const items = out.nodes['Search Observations'].items as Array<{
		resourceType: string;
		id: string;
	}>;
	expect(items).toHaveLength(expected);
	expect(new Set(items.map((i) => i.id)).size).toBe(expected);
	expect(items.every((i) => i.resourceType === 'Observation')).toBe(true);
});

test('a Transaction of 100 items: 100 entry responses paired with their items, 100 Observations written', async () => {
	const { n8n } = env!;
	const before = await storeCount('Observation');
	const out = await n8n.execute('e2eFhirTransact1');
	expect(out.error).toBeUndefined();
	const items = out.nodes.Transaction.items as Array<{
		statusCode: number;
		location: string;
		resource: { valueQuantity: { value: number } };
	}>;
	expect(items).toHaveLength(100);
	expect(
		items.every(
			(i) => i.statusCode === 201 && /\/Observation\/[^/]+\/_history\/1$/.test(i.location),
		),
	).toBe(true);
	expect(items.map((i) => i.resource.valueQuantity.value)).toEqual(
		Array.from({ length: 100 }, (_, i) => 60 + i),
	);
	const raw = out.raw as {
		data: {
			resultData: {
				runData: Record<
					string,
					Array<{ data: { main: Array<Array<{ pairedItem?: { item: number } }>> } }>
				>;
			};
		};
	};
	const paired = raw.data.resultData.runData.Transaction[0].data.main[0].map(
		(i) => i.pairedItem?.item,
	);
	expect(paired).toEqual(Array.from({ length: 100 }, (_, i) => i));
	expect(await storeCount('Observation')).toBe(before + 100);
});
