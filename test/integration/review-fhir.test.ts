// Review findings on the EHR FHIR node and its shared transport: absurd ids, bodies that are not
// lists, bad date filters, and secrets echoed by vendors. Real execute (harness) against the
// sandbox, with ad-hoc routes on the `smart` surface where the sandbox has no such fault.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { ServerResponse } from 'node:http';
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { sendJson, type SandboxRequest } from '../../sandbox/http';
import { runNode, listSearch } from '../harness';
import { EhrFhir } from '../../nodes/EhrFhir/EhrFhir.node';
import { LIST, PATIENT, byId, byUrl, credentialsFor, ids } from './fhir/fixtures';

let sb: Sandbox;
/** what the ad-hoc FHIR server (`/rv/fhir`) answers to an Immunization search */
let immunizationAnswer: (req: SandboxRequest, res: ServerResponse) => void = (_req, res) => sendJson(res, 200, {});
/** what it answers to a Patient read */
let patientAnswer: (req: SandboxRequest, res: ServerResponse) => void = (_req, res) => sendJson(res, 200, {});

beforeAll(async () => {
	sb = await withSandbox();
	sb.app.route('GET', '/rv/fhir/Immunization', 'smart', (req, res) => immunizationAnswer(req, res));
	sb.app.route('GET', '/rv/fhir/Patient/:id', 'smart', (req, res) => patientAnswer(req, res));
	sb.app.route('GET', '/rv/fhir/Patient', 'smart', (_req, res) =>
		sendJson(res, 200, {
			resourceType: 'Bundle',
			entry: [{ resource: { resourceType: 'Patient', id: 'p1', name: [{ given: ['Ann'], family: 'Lee' }] } }],
			link: [{ relation: 'next', url: sb.app.filesUrl('/rv/fhir/Patient?page=2') }],
		}),
	);
});
afterAll(() => sb.close());

/** the SMART on FHIR credential, pointed at the ad-hoc server */
function adHoc() {
	const { type, store } = credentialsFor(sb, 'smart');
	store[type].fhirBaseUrl = `${sb.url}/rv/fhir`;
	return { type, store };
}

async function failure(p: Promise<unknown>): Promise<NodeApiError & NodeOperationError> {
	try {
		await p;
	} catch (e) {
		return e as NodeApiError & NodeOperationError;
	}
	throw new Error('expected the node to fail');
}

describe('absurd patient ids', () => {
	it.each(['.', '..', ' .. '])('Get Patient "%s" is refused before any request (never the base URL or a patient search)', async (id) => {
		const { type, store } = credentialsFor(sb, 'smart');
		const before = sb.app.requests.length;
		const err = await failure(
			runNode(EhrFhir, { parameters: { authentication: type, ...PATIENT, patientId: byId(id) } as never, credentials: store }),
		);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(err.message).toBe(`"${id.trim()}" is not a patient ID: enter the ID of the patient (or a FHIR URL of the patient)`);
		expect(sb.app.requests.length).toBe(before);
	});

	it('By URL ending in /Patient/.. is refused too, and continue-on-fail pairs the error with its item', async () => {
		const { type, store } = credentialsFor(sb, 'emp');
		const { output } = await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byUrl('={{ $json.url }}') } as never,
			credentials: store,
			continueOnFail: true,
			items: [{ json: { url: `${sb.url}/emp/fhir/r4/Patient/pt-00002` } }, { json: { url: `${sb.url}/emp/fhir/r4/Patient/..` } }],
		});
		expect(ids([output[0][0]])).toEqual(['pt-00002']);
		expect(output[0][1]).toEqual({
			json: { error: '".." is not a patient ID: enter the ID of the patient (or a FHIR URL of the patient)' },
			pairedItem: { item: 1 },
		});
	});

	it('List Immunizations of patient ".." is refused before any request', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient');
		const before = sb.app.requests.length;
		const err = await failure(
			runNode(EhrFhir, {
				parameters: { authentication: type, ...LIST, scope: 'patient', patientId: byId('..'), returnAll: true } as never,
				credentials: store,
			}),
		);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(sb.app.requests.length).toBe(before);
	});
});

describe('a search answer that is not a list', () => {
	const listAdHoc = async () => {
		const { type, store } = adHoc();
		return failure(
			runNode(EhrFhir, {
				parameters: { authentication: type, ...LIST, scope: 'patient', patientId: byId('pt-00001'), returnAll: true } as never,
				credentials: store,
			}),
		);
	};

	it('an OperationOutcome at 200: an error with the vendor message, not zero immunizations', async () => {
		immunizationAnswer = (_req, res) =>
			sendJson(res, 200, {
				resourceType: 'OperationOutcome',
				issue: [{ severity: 'error', code: 'too-costly', diagnostics: 'Search would return too many results' }],
			});
		const err = await listAdHoc();
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'List Immunizations of patient pt-00001 failed: the server answered with an OperationOutcome instead of a list (status 200): error/too-costly: Search would return too many results',
		);
	});

	it.each([
		['an empty body', ''],
		['null', 'null'],
		['an empty object', '{}'],
		['a Patient', '{"resourceType":"Patient","id":"pt-00001"}'],
	])('%s at 200: an error, not zero immunizations', async (_name, text) => {
		immunizationAnswer = (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
			res.end(text);
		};
		const err = await listAdHoc();
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'List Immunizations of patient pt-00001 failed: the server\'s answer (status 200) is not a list (no Bundle, "results" or "data")',
		);
		expect(err.description).toBe('Check the base URL in the credential; if it is right, the server sent an unexpected answer: try again later.');
	});

	it('a Bundle without entry is an empty list, not an error', async () => {
		immunizationAnswer = (_req, res) => sendJson(res, 200, { resourceType: 'Bundle', type: 'searchset', total: 0 });
		const { type, store } = adHoc();
		const { output } = await runNode(EhrFhir, {
			parameters: { authentication: type, ...LIST, scope: 'patient', patientId: byId('pt-00001'), returnAll: true } as never,
			credentials: store,
		});
		expect(output).toEqual([[]]);
	});
});

describe('a Patient read answered with something else', () => {
	const get = async (id = 'pt-00001') => {
		const { type, store } = adHoc();
		return runNode(EhrFhir, { parameters: { authentication: type, ...PATIENT, patientId: byId(id), simplify: false } as never, credentials: store });
	};
	const bundle = (...pids: string[]) => ({
		resourceType: 'Bundle',
		type: 'searchset',
		entry: pids.map((pid) => ({ resource: { resourceType: 'Patient', id: pid } })),
	});

	it('a Bundle of other patients: an error, never the first of them', async () => {
		patientAnswer = (_req, res) => sendJson(res, 200, bundle('other-1', 'other-2'));
		const err = await failure(get());
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'Get Patient pt-00001 failed: SMART on FHIR server answered with a Bundle of 2 patients without patient pt-00001 instead of a Patient',
		);
	});

	it('a Bundle holding the asked patient among others: that patient', async () => {
		patientAnswer = (_req, res) => sendJson(res, 200, bundle('other-1', 'pt-00001'));
		const { output } = await get();
		expect(output[0].map((i) => i.json)).toEqual([{ resourceType: 'Patient', id: 'pt-00001' }]);
	});

	it('an OperationOutcome at 200: an error with the vendor message', async () => {
		patientAnswer = (_req, res) =>
			sendJson(res, 200, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Patient is restricted' }] });
		const err = await failure(get());
		expect(err.message).toBe(
			'Get Patient pt-00001 failed: SMART on FHIR server answered with an OperationOutcome instead of a Patient: error/processing: Patient is restricted',
		);
	});
});

describe('an absurdly long patient id', () => {
	it('the error names a shortened id, not 20 000 characters', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const id = 'x'.repeat(20000);
		const err = await failure(
			runNode(EhrFhir, { parameters: { authentication: type, ...PATIENT, patientId: byId(id) } as never, credentials: store }),
		);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message.startsWith(`Get Patient ${'x'.repeat(80)}… (20000 characters) failed`)).toBe(true);
		expect(err.message.length).toBeLessThan(800);
	});
});

describe('patient picker', () => {
	it('a next link to another server is not handed out as the next page token', async () => {
		const { type, store } = adHoc();
		const found = await listSearch(EhrFhir, 'searchPatients', { parameters: { authentication: type }, credentials: store, filter: 'Lee' });
		expect(found.results.map((r) => r.value)).toEqual(['p1']);
		expect(found.paginationToken).toBeUndefined();
	});

	it('a token of another server or not a URL starts the search again with the filter, never a TypeError', async () => {
		const { type, store } = adHoc();
		for (const paginationToken of ['not a url', sb.app.filesUrl('/rv/fhir/Patient?page=2')]) {
			const before = sb.app.requests.length;
			const found = await listSearch(EhrFhir, 'searchPatients', { parameters: { authentication: type }, credentials: store, filter: 'Lee', paginationToken });
			expect(found.results.map((r) => r.value)).toEqual(['p1']);
			const sent = sb.app.requests.slice(before);
			expect(sent.map((r) => r.origin)).toEqual(['main']);
			expect(sent[0].query).toContain('name=Lee');
		}
	});
});
