// EHR FHIR node, Get Patient (resource `patient`, operation `get`), through the node's real execute
// (harness) against the sandbox: every vendor (the FHIR Patient or its simplified fields), By ID and
// By URL with one paired item per input item, an unknown patient (error and continue-on-fail item),
// ids holding a path, '.', '..' or 20 000 characters, URLs that are not Patient URLs, and Patient
// reads answered with a Bundle or an OperationOutcome (ad-hoc server). Exact items or the exact
// error class and message.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { sendJson } from '../../../../sandbox/http';
import { runNode } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import {
	VENDORS,
	PATIENT,
	LIST,
	byId,
	byUrl,
	credentialsFor,
	ds,
	expectedPatient,
	ids,
} from '../fixtures';
import {
	adHocCredentials,
	failure,
	runFhir,
	serveAdHocFhir,
	useFhirSandbox,
	type AdHocFhir,
} from '../helpers';

let sb: Sandbox;
let adHoc: AdHocFhir;
useFhirSandbox((s) => {
	sb = s;
	adHoc = serveAdHocFhir(s);
});

describe.each(VENDORS)('%s', (vendor) => {
	it('Get Patient returns the FHIR Patient, or simplified fields', async () => {
		const raw = await runFhir(sb, vendor, {
			...PATIENT,
			patientId: byId('pt-00003'),
			simplify: false,
		});
		expect(raw.output[0]).toHaveLength(1);
		expect(raw.output[0][0].json).toEqual(expectedPatient(sb, vendor, 'pt-00003'));
		expect(raw.output[0][0].pairedItem).toEqual({ item: 0 });

		const simple = await runFhir(sb, vendor, { ...PATIENT, patientId: byId('pt-00003') });
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
			identifiers: [
				{ system: 'https://ehr-sandbox.example.org/fhir/sid/mrn', value: p.identifier[0].value },
			],
		});
	});
});

describe('By URL, input items and unknown patients', () => {
	it('Get Patient by URL, one item per input item, paired', async () => {
		const { output } = await runFhir(
			sb,
			'emp',
			{ ...PATIENT, patientId: byUrl(`={{ "${sb.url}/emp/fhir/r4/Patient/" + $json.pid }}`) },
			[{ json: { pid: 'pt-00002' } }, { json: { pid: 'pt-00005' } }],
		);
		expect(ids(output[0])).toEqual(['pt-00002', 'pt-00005']);
		expect(output[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(sb.app.requests.filter((r) => r.path === '/emp/fhir/r4/Patient/pt-00005')).toHaveLength(
			1,
		);
	});

	it('a patient URL of another server is refused before any request, naming both servers (Get Patient and List Immunizations)', async () => {
		const before = sb.app.requests.length;
		const { output } = await runFhir(
			sb,
			'emp',
			{ ...PATIENT, patientId: byUrl('={{ $json.url }}') },
			[
				{ json: { url: 'https://fhir.other-hospital.example/r4/Patient/pt-00002' } },
				{ json: { url: `${sb.url}/smart/fhir/Patient/pt-00002` } },
				{ json: { url: `${sb.url}/emp/fhir/r4/Patient/pt-00002/_history/1` } },
			],
			{ continueOnFail: true },
		);
		expect(output[0].map((i) => i.json.error ?? i.json.id)).toEqual([
			`The patient URL is on https://fhir.other-hospital.example/r4, but the credential's FHIR server is ${sb.url}/emp/fhir/r4: nothing was sent`,
			`The patient URL is on ${sb.url}/smart/fhir, but the credential's FHIR server is ${sb.url}/emp/fhir/r4: nothing was sent`,
			'pt-00002',
		]);
		expect(output[0][0].json.description).toBe(
			`Use a URL of the credential's server (${sb.url}/emp/fhir/r4/Patient/<id>), enter the ID with "By ID", or choose a credential for the other server.`,
		);
		expect(sb.app.requests.slice(before).map((r) => r.path)).toEqual([
			'/emp/fhir/r4/Patient/pt-00002',
		]);

		const list = await runFhir(sb, 'emp', {
			...LIST,
			scope: 'patient',
			patientId: byUrl('https://fhir.other-hospital.example/r4/Patient/pt-00002'),
		}).catch((e) => e);
		expect((list as Error).message).toBe(
			`The patient URL is on https://fhir.other-hospital.example/r4, but the credential's FHIR server is ${sb.url}/emp/fhir/r4: nothing was sent`,
		);
	});

	it('an unknown patient: NodeApiError with the vendor message; continueOnFail gives an error item', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const params = { authentication: type, ...PATIENT, patientId: byId('pt-99999') } as never;
		await expect(runNode(EhrFhir, { parameters: params, credentials: store })).rejects.toThrow(
			NodeApiError,
		);
		await expect(runNode(EhrFhir, { parameters: params, credentials: store })).rejects.toThrow(
			'Get Patient pt-99999 failed (HTTP 404): error/not-found: Resource Patient/pt-99999 is not known.',
		);
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byUrl('={{ $json.url }}'),
			} as never,
			credentials: store,
			continueOnFail: true,
			items: [
				{ json: { url: `${sb.url}/smart/fhir/Patient/pt-99999` } },
				{ json: { url: `${sb.url}/smart/fhir/Patient/pt-00001` } },
			],
		});
		expect(output[0]).toHaveLength(2);
		expect(output[0][0].json.error).toBe(
			'Get Patient pt-99999 failed (HTTP 404): error/not-found: Resource Patient/pt-99999 is not known.',
		);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(output[0][1].json.id).toBe('pt-00001');
	});
});

describe('ids and URLs that are not a patient id', () => {
	it('an id with a path in it stays one path segment', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient');
		const err = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byId('1/../../Immunization/imm-00001-001'),
			} as never,
			credentials: store,
		}).catch((e) => e as NodeApiError);
		expect(err).toBeInstanceOf(NodeApiError);
		expect((err as NodeApiError).message).toBe(
			'Get Patient 1/../../Immunization/imm-00001-001 failed (HTTP 404): Not found.',
		);
	});

	it('a URL that is not a FHIR Patient URL is refused before any request', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const before = sb.app.requests.length;
		const err = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byUrl('https://example.org/Observation/1'),
			} as never,
			credentials: store,
		}).catch((e) => e as NodeOperationError);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(sb.app.requests.length).toBe(before);
	});

	it.each(['.', '..', ' .. '])(
		'Get Patient "%s" is refused before any request (never the base URL or a patient search)',
		async (id) => {
			const { type, store } = credentialsFor(sb, 'smart');
			const before = sb.app.requests.length;
			const err = await failure(
				runNode(EhrFhir, {
					parameters: { authentication: type, ...PATIENT, patientId: byId(id) } as never,
					credentials: store,
				}),
			);
			expect(err).toBeInstanceOf(NodeOperationError);
			expect(err.message).toBe(
				`"${id.trim()}" is not a patient ID: enter the ID of the patient (or a FHIR URL of the patient)`,
			);
			expect(sb.app.requests.length).toBe(before);
		},
	);

	it('By URL ending in /Patient/.. is refused too, and continue-on-fail pairs the error with its item', async () => {
		const { type, store } = credentialsFor(sb, 'emp');
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byUrl('={{ $json.url }}'),
			} as never,
			credentials: store,
			continueOnFail: true,
			items: [
				{ json: { url: `${sb.url}/emp/fhir/r4/Patient/pt-00002` } },
				{ json: { url: `${sb.url}/emp/fhir/r4/Patient/..` } },
			],
		});
		expect(ids([output[0][0]])).toEqual(['pt-00002']);
		expect(output[0][1]).toEqual({
			json: {
				error:
					'".." is not a patient ID: enter the ID of the patient (or a FHIR URL of the patient)',
			},
			error: expect.any(Error),
			pairedItem: { item: 1 },
		});
	});

	it('an absurdly long id: the error names a shortened id, not 20 000 characters', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const id = 'x'.repeat(20000);
		const err = await failure(
			runNode(EhrFhir, {
				parameters: { authentication: type, ...PATIENT, patientId: byId(id) } as never,
				credentials: store,
			}),
		);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message.startsWith(`Get Patient ${'x'.repeat(80)}… (20000 characters) failed`)).toBe(
			true,
		);
		expect(err.message.length).toBeLessThan(800);
	});
});

describe('a Patient read answered with something else', () => {
	const get = async (id = 'pt-00001') => {
		const { type, store } = adHocCredentials(sb);
		return runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byId(id),
				simplify: false,
			} as never,
			credentials: store,
		});
	};
	const bundle = (...pids: string[]) => ({
		resourceType: 'Bundle',
		type: 'searchset',
		entry: pids.map((pid) => ({ resource: { resourceType: 'Patient', id: pid } })),
	});

	it('a Bundle of other patients: an error, never the first of them', async () => {
		adHoc.patientRead = (_req, res) => sendJson(res, 200, bundle('other-1', 'other-2'));
		const err = await failure(get());
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'Get Patient pt-00001 failed: SMART on FHIR server answered with a Bundle of 2 patients without patient pt-00001 instead of a Patient',
		);
	});

	it('a Bundle holding the asked patient among others: that patient', async () => {
		adHoc.patientRead = (_req, res) => sendJson(res, 200, bundle('other-1', 'pt-00001'));
		const { output } = await get();
		expect(output[0].map((i) => i.json)).toEqual([{ resourceType: 'Patient', id: 'pt-00001' }]);
	});

	it('an OperationOutcome at 200: an error with the vendor message', async () => {
		adHoc.patientRead = (_req, res) =>
			sendJson(res, 200, {
				resourceType: 'OperationOutcome',
				issue: [{ severity: 'error', code: 'processing', diagnostics: 'Patient is restricted' }],
			});
		const err = await failure(get());
		expect(err.message).toBe(
			'Get Patient pt-00001 failed: SMART on FHIR server answered with an OperationOutcome instead of a Patient: error/processing: Patient is restricted',
		);
	});
});
