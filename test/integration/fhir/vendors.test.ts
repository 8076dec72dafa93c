// Get Patient and List Immunizations through the EHR FHIR node's real execute (harness) against
// the sandbox, for every vendor and both onpatient list shapes. Exact items, compared with the
// sandbox's data set.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { runNode, listSearch } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { simplifyImmunization } from '../../../nodes/shared/fhir';
import { toVersion } from '../../../sandbox/data';
import {
	VENDORS,
	LIST,
	PATIENT,
	byId,
	byUrl,
	credentialsFor,
	ds,
	expectedPatient,
	ids,
	immunizationIds,
	versionOf,
	type Vendor,
} from './fixtures';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox({ heavyPatients: { 'pt-00007': 130 } });
});
afterAll(() => sb.close());
afterEach(async () => {
	await fetch(`${sb.url}/_admin/fhir/settings`, { method: 'POST', body: JSON.stringify({ onpatientListShape: 'results' }) });
});

async function run(vendor: Vendor, parameters: Record<string, unknown>, items?: Array<{ json: Record<string, unknown> }>) {
	const { type, store } = credentialsFor(sb, vendor);
	return runNode(EhrFhir, { parameters: { authentication: type, ...parameters } as never, credentials: store, items: items as never });
}

describe.each(VENDORS)('%s', (vendor) => {
	it('Get Patient returns the FHIR Patient, or simplified fields', async () => {
		const raw = await run(vendor, { ...PATIENT, patientId: byId('pt-00003'), simplify: false });
		expect(raw.output[0]).toHaveLength(1);
		expect(raw.output[0][0].json).toEqual(expectedPatient(sb, vendor, 'pt-00003'));
		expect(raw.output[0][0].pairedItem).toEqual({ item: 0 });

		const simple = await run(vendor, { ...PATIENT, patientId: byId('pt-00003') });
		const p = ds(sb).patient('pt-00003')!;
		const tel = (s: string) => p.telecom.find((t) => t.system === s)!.value;
		expect(simple.output[0][0].json).toEqual({
			id: 'pt-00003',
			givenName: p.name[0].given.join(' '),
			familyName: p.name[0].family,
			birthDate: p.birthDate,
			gender: p.gender,
			phone: tel('phone'),
			email: tel('email'),
			addressLines: p.address[0].line,
			city: p.address[0].city,
			postalCode: p.address[0].postalCode,
			mrn: p.identifier[0].value,
			identifiers: [{ system: 'https://ehr-sandbox.example.org/fhir/sid/mrn', value: p.identifier[0].value }],
		});
	});

	it('List Immunizations (Return All) returns every immunization of the patient, across pages', async () => {
		const { output } = await run(vendor, { ...LIST, scope: 'patient', patientId: byId('pt-00007'), returnAll: true, simplify: false });
		const expected = immunizationIds(sb, 'pt-00007');
		expect(expected).toHaveLength(130);
		expect(ids(output[0])).toEqual(expected);
		const first = ds(sb).immunizations('pt-00007')[0];
		expect(output[0][0].json).toEqual(vendor === 'onpatient' ? first : toVersion(first, versionOf(vendor)));
		expect(output[0].every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('List Immunizations with a Limit stops at the limit and simplifies', async () => {
		const before = sb.app.requests.length;
		const { output } = await run(vendor, { ...LIST, scope: 'patient', patientId: byId('pt-00007'), returnAll: false, limit: 25 });
		expect(ids(output[0])).toEqual(immunizationIds(sb, 'pt-00007').slice(0, 25));
		const imm = ds(sb).immunizations('pt-00007')[0];
		expect(output[0][0].json).toEqual({
			id: imm.id,
			vaccineCode: imm.vaccineCode.coding[0].code,
			vaccineName: imm.vaccineCode.text,
			date: imm.occurrenceDateTime,
			status: imm.status,
			lotNumber: imm.lotNumber,
			performer: imm.performer[0].actor.display,
			patientId: 'pt-00007',
		});
		// pages of at most 25 (eMedicalPractice: fixed pages of 20, so two pages)
		const listCalls = sb.app.requests.slice(before).filter((r) => /immunization/i.test(r.path));
		expect(listCalls).toHaveLength(vendor === 'emp' ? 2 : 1);
	});
});

describe('filters and scopes', () => {
	const patient = 'pt-00007';
	const all = () => ds(sb).immunizations(patient);

	it.each(VENDORS)('%s: date from/to and status (server-side or local) give the same items', async (vendor) => {
		const from = '2000-01-01';
		const to = '2015-12-31';
		const statuses = vendor === 'oneup-stu3' || vendor === 'oneup-dstu2' ? ['completed', 'entered-in-error'] : ['completed'];
		const { output } = await run(vendor, {
			...LIST,
			scope: 'patient',
			patientId: byId(patient),
			returnAll: true,
			filters: { dateFrom: `${from}T00:00:00`, dateTo: `${to}T00:00:00`, status: statuses },
		});
		const want = all()
			.filter((i) => i.occurrenceDateTime >= `${from}T00:00:00Z` && i.occurrenceDateTime < '2016-01-01T00:00:00Z')
			.filter((i) => {
				const st = versionOf(vendor) === 'r4' ? i.status : i.status === 'entered-in-error' ? 'entered-in-error' : 'completed';
				return statuses.includes(st);
			})
			.map((i) => i.id);
		expect(want.length).toBeGreaterThan(5);
		expect(ids(output[0])).toEqual(want);
	});

	it('not-done on STU3 is filtered locally (notGiven), not refused by the server', async () => {
		const before = sb.app.requests.length;
		const { output } = await run('oneup-stu3', {
			...LIST,
			scope: 'patient',
			patientId: byId(patient),
			returnAll: true,
			filters: { status: ['not-done'] },
		});
		// STU3 has no not-done status: those immunizations are `completed` with notGiven true
		const want = all().filter((i) => i.status === 'not-done').map((i) => i.id);
		expect(want.length).toBeGreaterThan(0);
		expect(ids(output[0])).toEqual(want);
		expect(output[0].map((i) => i.json.status)).toEqual(want.map(() => 'not-done'));
		expect(sb.app.requests.slice(before).filter((r) => r.query.includes('status='))).toHaveLength(0);
	});

	it('all patients: every immunization the token sees, in server order', async () => {
		const { output } = await run('smart', { ...LIST, scope: 'all', returnAll: false, limit: 140 });
		const want = ds(sb)
			.patientIds()
			.flatMap((id) => immunizationIds(sb, id))
			.slice(0, 140);
		expect(ids(output[0])).toEqual(want);
	});

	it('all patients with a patient-limited token: only that patient', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient', { patient: 'pt-00004' });
		const { output } = await runNode(EhrFhir, {
			parameters: { authentication: type, ...LIST, scope: 'all', returnAll: true } as never,
			credentials: store,
		});
		expect(ids(output[0])).toEqual(immunizationIds(sb, 'pt-00004'));
	});

	it('onpatient as FHIR Bundles: the same items', async () => {
		await fetch(`${sb.url}/_admin/fhir/settings`, { method: 'POST', body: JSON.stringify({ onpatientListShape: 'bundle' }) });
		const { output } = await run('onpatient', { ...LIST, scope: 'patient', patientId: byId(patient), returnAll: true });
		expect(ids(output[0])).toEqual(immunizationIds(sb, patient));
		expect(output[0][3].json).toEqual(simplifyImmunization(all()[3]));
	});

	it('Get Patient by URL, one item per input item, paired', async () => {
		const { output } = await run(
			'emp',
			{ ...PATIENT, patientId: byUrl('={{ "https://other.example.org/fhir/r4/Patient/" + $json.pid }}') },
			[{ json: { pid: 'pt-00002' } }, { json: { pid: 'pt-00005' } }],
		);
		expect(ids(output[0])).toEqual(['pt-00002', 'pt-00005']);
		expect(output[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		// only the id travels: the request went to the credential's server
		expect(sb.app.requests.filter((r) => r.path === '/emp/fhir/r4/Patient/pt-00005')).toHaveLength(1);
	});

	it('an unknown patient: NodeApiError with the vendor message; continueOnFail gives an error item', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const params = { authentication: type, ...PATIENT, patientId: byId('pt-99999') } as never;
		await expect(runNode(EhrFhir, { parameters: params, credentials: store })).rejects.toThrow(NodeApiError);
		await expect(runNode(EhrFhir, { parameters: params, credentials: store })).rejects.toThrow(
			'Get Patient pt-99999 failed (HTTP 404): error/not-found: Resource Patient/pt-99999 is not known.',
		);
		const { output } = await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byUrl('={{ $json.url }}') } as never,
			credentials: store,
			continueOnFail: true,
			items: [{ json: { url: `${sb.url}/smart/fhir/Patient/pt-99999` } }, { json: { url: `${sb.url}/smart/fhir/Patient/pt-00001` } }],
		});
		expect(output[0]).toHaveLength(2);
		expect(output[0][0].json.error).toBe('Get Patient pt-99999 failed (HTTP 404): error/not-found: Resource Patient/pt-99999 is not known.');
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(output[0][1].json.id).toBe('pt-00001');
	});

	it('an id with a path in it stays one path segment', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient');
		const err = await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byId('1/../../Immunization/imm-00001-001') } as never,
			credentials: store,
		}).catch((e) => e as NodeApiError);
		expect(err).toBeInstanceOf(NodeApiError);
		expect((err as NodeApiError).message).toBe('Get Patient 1/../../Immunization/imm-00001-001 failed (HTTP 404): Not found.');
	});

	it('a URL that is not a FHIR Patient URL is refused before any request', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const before = sb.app.requests.length;
		const err = await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byUrl('https://example.org/Observation/1') } as never,
			credentials: store,
		}).catch((e) => e as NodeOperationError);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(sb.app.requests.length).toBe(before);
	});
});

describe('patient picker (From List)', () => {
	it.each(['oneup-r4', 'emp', 'smart'] as Vendor[])('%s: searches patients by name, with a next-page token', async (vendor) => {
		const { type, store } = credentialsFor(sb, vendor);
		const p = ds(sb).patient('pt-00003')!;
		const found = await listSearch(EhrFhir, 'searchPatients', { parameters: { authentication: type }, credentials: store, filter: p.name[0].family });
		const want = ds(sb)
			.patientIds()
			.map((id) => ds(sb).patient(id)!)
			.filter((x) => x.name.some((n) => n.family.toLowerCase().startsWith(p.name[0].family.toLowerCase())));
		expect(found.results.map((r) => r.value)).toEqual(want.map((x) => x.id).slice(0, 20));
		expect(found.results[want.findIndex((x) => x.id === 'pt-00003')]).toMatchObject({
			name: `${p.name[0].given.join(' ')} ${p.name[0].family} (${p.birthDate})`,
			value: 'pt-00003',
		});
		const all = await listSearch(EhrFhir, 'searchPatients', { parameters: { authentication: type }, credentials: store });
		expect(all.results.map((r) => r.value)).toEqual(ds(sb).patientIds().slice(0, 20));
		expect(all.paginationToken).toBeDefined();
		const more = await listSearch(EhrFhir, 'searchPatients', { parameters: { authentication: type }, credentials: store, paginationToken: all.paginationToken as string });
		expect(more.results.map((r) => r.value)).toEqual(ds(sb).patientIds().slice(20, 40));
	});

	it('onpatient has no patient search: says to use By ID', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient');
		await expect(listSearch(EhrFhir, 'searchPatients', { parameters: { authentication: type }, credentials: store })).rejects.toThrow(
			'onpatient (drchrono) has no patient search: choose "By ID" and enter the patient\'s ID',
		);
	});
});
