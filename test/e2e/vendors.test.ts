// Every vendor credential in the real n8n against the sandbox (issues 4 and 5):
// - n8n's own credential test (`POST /rest/credentials/test`, what the editor's "Test" runs)
//   passes for each imported credential type; for the types with a `test` request (1upHealth,
//   SMART Backend Services) that request really reaches the sandbox and succeeds, for the
//   oAuth2Api types n8n's test only checks that an account is connected (the workflow run is
//   the proof there). A wrong 1upHealth secret or a wrong SMART key id fails the test with a
//   readable message that holds no secret (tested as a credential not connected yet: n8n 2.41.1
//   runs preAuthentication in a test only when the access token field is empty, so a credential
//   with a saved token is tested with that token).
// - "Get Patient → List Immunizations" runs for every FHIR credential type (onpatient,
//   1upHealth r4, eMedicalPractice, SMART on FHIR, SMART Backend Services) in one workflow, and
//   MyPatientPortal "Get Profile" for the portal credential; the patient id and the immunization
//   ids equal the sandbox's data set for the patient each token may read. Patients with more
//   immunizations than one page make every vendor follow its `next` links.
import { datasetFor } from '../../sandbox/data';
import type { OneUpState } from '../../sandbox/oauth/oneup';
import type { WorkflowJson } from '../../scripts/n8n/runtime';
import {
	DEMO_CREDENTIALS,
	DEMO_PATIENT,
	type DemoCredentialType,
} from '../../scripts/n8n/sandbox-credentials';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/n8n/paths';
import { E2E_TIMEOUT, startEnv, stopEnv, type Env } from './helpers';

jest.setTimeout(E2E_TIMEOUT);

/** System scopes read any patient: SMART Backend Services reads another one than the demo patient. */
const SYSTEM_PATIENT = 'pt-00002';
/** more than one page everywhere: onpatient 50, 1upHealth and SMART 100, eMedicalPractice 20 per page */
const HEAVY: Record<string, number> = { [DEMO_PATIENT]: 130, [SYSTEM_PATIENT]: 101 };

type FhirType = Exclude<DemoCredentialType, 'myPatientPortalOAuth2Api'>;
/** Per FHIR credential type: the patient its demo token may read. */
const FHIR_VENDORS: Record<
	FhirType,
	{ label: string; patient: string; listPath: string; pageSize: number }
> = {
	onpatientOAuth2Api: {
		label: 'onpatient',
		patient: DEMO_PATIENT,
		listPath: '/onpatient/api/onpatient_api/fhir/Immunization',
		pageSize: 50,
	},
	// the demo credential's app user is the first 1upHealth user created → pt-00001 (asserted below)
	oneUpHealthApi: {
		label: '1upHealth r4',
		patient: DEMO_PATIENT,
		listPath: '/1up/api/r4/Immunization',
		pageSize: 100,
	},
	eMedicalPracticeOAuth2Api: {
		label: 'eMedicalPractice',
		patient: DEMO_PATIENT,
		listPath: '/emp/fhir/r4/Immunization',
		pageSize: 20,
	},
	smartOnFhirOAuth2Api: {
		label: 'SMART on FHIR',
		patient: DEMO_PATIENT,
		listPath: '/smart/fhir/Immunization',
		pageSize: 100,
	},
	smartBackendServicesApi: {
		label: 'SMART Backend Services',
		patient: SYSTEM_PATIENT,
		listPath: '/smart/fhir/Immunization',
		pageSize: 100,
	},
};
/** the demo SMART Backend Services key (TEST-ONLY), to prove no part of it reaches a message */
const privateKey = readFileSync(
	join(REPO_ROOT, 'sandbox', 'keys', 'TEST-ONLY-rs384-private.pem'),
	'utf8',
);
const FHIR_TYPES = Object.keys(FHIR_VENDORS) as FhirType[];
const WORKFLOW_ID = 'e2eVendorsImmun01';

const credRef = (type: DemoCredentialType) => ({
	[type]: { id: DEMO_CREDENTIALS[type].id, name: DEMO_CREDENTIALS[type].name },
});

/** Manual → per FHIR vendor: Get Patient → List Immunizations (Return All); Manual → MPP Get Profile. */
function vendorsWorkflow(): WorkflowJson {
	const nodes: WorkflowJson['nodes'] = [
		{
			id: 'v0',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
	];
	const connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: string; index: number }>> }
	> = { Start: { main: [[]] } };
	FHIR_TYPES.forEach((type, row) => {
		const get = `Get Patient (${type})`;
		const list = `List Immunizations (${type})`;
		nodes.push(
			{
				id: `g${row}`,
				name: get,
				type: 'n8n-nodes-ehr.ehrFhir',
				typeVersion: 1,
				position: [240, row * 200],
				// a failing vendor shows up as its own error item; the other branches still run
				onError: 'continueRegularOutput',
				parameters: {
					authentication: type,
					resource: 'patient',
					operation: 'get',
					patientId: { __rl: true, mode: 'id', value: FHIR_VENDORS[type].patient },
					simplify: true,
				},
				credentials: credRef(type),
			},
			{
				id: `l${row}`,
				name: list,
				type: 'n8n-nodes-ehr.ehrFhir',
				typeVersion: 1,
				position: [480, row * 200],
				onError: 'continueRegularOutput',
				parameters: {
					authentication: type,
					resource: 'immunization',
					operation: 'list',
					scope: 'patient',
					patientId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
					returnAll: true,
					filters: {},
					simplify: true,
				},
				credentials: credRef(type),
			},
		);
		connections.Start.main[0].push({ node: get, type: 'main', index: 0 });
		connections[get] = { main: [[{ node: list, type: 'main', index: 0 }]] };
	});
	nodes.push({
		id: 'mpp',
		name: 'Get Profile (myPatientPortalOAuth2Api)',
		type: 'n8n-nodes-ehr.myPatientPortal',
		typeVersion: 1,
		position: [240, FHIR_TYPES.length * 200],
		onError: 'continueRegularOutput',
		parameters: { operation: 'getProfile' },
		credentials: credRef('myPatientPortalOAuth2Api'),
	});
	connections.Start.main[0].push({
		node: 'Get Profile (myPatientPortalOAuth2Api)',
		type: 'main',
		index: 0,
	});
	return {
		id: WORKFLOW_ID,
		name: 'E2E: every vendor credential — Get Patient → List Immunizations, Get Profile',
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

let env: Env | undefined;

beforeAll(async () => {
	env = await startEnv({ workflows: [vendorsWorkflow()], sandbox: { heavyPatients: HEAVY } });
});

afterAll(async () => {
	await stopEnv(env);
});

/** The credential as the editor holds it; `oauthTokenData` (shown as connected) sent back redacted so n8n restores it. */
async function editorCredential(type: DemoCredentialType) {
	const c = await env!.n8n.credentialForEditing(DEMO_CREDENTIALS[type].id);
	expect(c.type).toBe(type);
	if (c.data.oauthTokenData === true) {
		// the editor shows "connected" (`true`); n8n's redaction marks the token with the same
		// sentinel as every secret field (e.g. the client secret), which the test endpoint restores
		const sentinel = String(c.data.clientSecret);
		expect(sentinel).toMatch(/^__n8n_BLANK_VALUE_/);
		c.data.oauthTokenData = sentinel;
	}
	return c;
}

const sandboxCalls = (since: number, path: string) =>
	env!.sandbox.app.requests.filter((r) => r.seq > since && r.path === path);
const lastSeq = () => {
	const r = env!.sandbox.app.requests;
	return r.length ? r[r.length - 1].seq : 0;
};

describe("n8n's credential test (POST /rest/credentials/test)", () => {
	test('1upHealth: the whole chain (user, code, token) runs and the test request reads the FHIR API', async () => {
		const mark = lastSeq();
		const res = await env!.n8n.testCredential(await editorCredential('oneUpHealthApi'));
		expect(res).toEqual({ status: 'OK', message: 'Connection successful!' });
		const fhir = sandboxCalls(mark, '/1up/api/r4/Patient');
		expect(fhir.map((r) => r.status)).toEqual([200]);
		expect(sandboxCalls(mark, '/1up/auth/oauth2/token').map((r) => r.status)).toEqual([200]);
	});

	test("SMART Backend Services (the nodes' credentialTest): signed assertion → a new token (discovered token URL) → /metadata, no resource read", async () => {
		const mark = lastSeq();
		const res = await env!.n8n.testCredential(await editorCredential('smartBackendServicesApi'));
		expect(res).toEqual({
			status: 'OK',
			message: expect.stringMatching(
				/^The server issued an access token \(valid \d+ s\), and http:\/\/\S+\/smart\/fhir\/metadata answered\.$/,
			),
		});
		expect(
			sandboxCalls(mark, '/smart/fhir/.well-known/smart-configuration').map((r) => r.status),
		).toEqual([200]);
		expect(sandboxCalls(mark, '/smart/auth/token').map((r) => r.status)).toEqual([200]);
		expect(sandboxCalls(mark, '/smart/fhir/metadata').map((r) => r.status)).toEqual([200]);
		expect(sandboxCalls(mark, '/smart/fhir/Patient')).toHaveLength(0);
	});

	test.each([
		'onpatientOAuth2Api',
		'myPatientPortalOAuth2Api',
		'eMedicalPracticeOAuth2Api',
		'smartOnFhirOAuth2Api',
	] as const)(
		'%s (oAuth2Api): n8n only checks that an account is connected — OK, and no request is sent',
		async (type) => {
			const mark = lastSeq();
			const res = await env!.n8n.testCredential(await editorCredential(type));
			expect(res).toEqual({ status: 'OK', message: 'Connection Successful!' });
			expect(env!.sandbox.app.requests.filter((r) => r.seq > mark)).toHaveLength(0);
		},
	);

	test('1upHealth with a wrong client secret: Error, a readable message that names what to check, no secret in it', async () => {
		const c = await editorCredential('oneUpHealthApi');
		const wrong = 'wrong-secret-e2e-7f3a9c';
		const mark = lastSeq();
		// as for a credential not connected yet: with a saved access token n8n 2.41.1 tests with
		// that token and does not run preAuthentication again (so a changed secret would still pass)
		const res = await env!.n8n.testCredential({
			...c,
			data: { ...c.data, clientSecret: wrong, accessToken: '', refreshToken: '' },
		});
		expect(res.status).toBe('Error');
		expect(res.message).toMatch(/1upHealth refused the client credentials/);
		expect(res.message).toMatch(/Check Client ID and Client Secret/);
		// booleans, so that a failing assertion does not print what it looks for
		expect(res.message.includes(wrong)).toBe(false);
		expect(res.message.includes('oneup-demo-secret')).toBe(false);
		expect(/at_oneup|rt_oneup|code_1up|Bearer/.test(res.message)).toBe(false);
		// the sandbox refused it (401) and no FHIR request was made
		expect(
			env!.sandbox.app.requests.filter((r) => r.seq > mark && r.status === 401).length,
		).toBeGreaterThanOrEqual(1);
		expect(sandboxCalls(mark, '/1up/api/r4/Patient')).toHaveLength(0);
	});

	test('SMART Backend Services with a wrong key id: Error, a readable message, no key material or token in it', async () => {
		const c = await editorCredential('smartBackendServicesApi');
		const mark = lastSeq();
		const res = await env!.n8n.testCredential({
			...c,
			data: { ...c.data, keyId: 'not-the-registered-kid', accessToken: '' },
		});
		expect(res.status).toBe('Error');
		expect(res.message).toMatch(/not-the-registered-kid/);
		expect(res.message).toMatch(
			/Check Client ID, Key ID \(kid\) and Algorithm, and that the JWKS registered at the server/,
		);
		const keyBody = privateKey
			.split('\n')
			.filter((l) => l && !l.startsWith('-----'))
			.join('');
		expect(keyBody.length).toBeGreaterThan(100);
		const leaked = [
			keyBody.slice(0, 40),
			keyBody.slice(-40),
			'PRIVATE KEY',
			'at_smart',
			'Bearer',
			'eyJ',
		].filter((x) => res.message.includes(x));
		expect(leaked.length).toBe(0);
		expect(sandboxCalls(mark, '/smart/auth/token').map((r) => r.status)).toEqual([401]);
		expect(sandboxCalls(mark, '/smart/fhir/Patient')).toHaveLength(0);
	});
});

describe('Get Patient → List Immunizations in the real n8n, every FHIR vendor', () => {
	let run: Awaited<ReturnType<Env['n8n']['execute']>> | undefined;
	let requests: Env['sandbox']['app']['requests'] = [];
	/** one run of the workflow for every vendor test (one `n8n execute` is a few seconds) */
	const output = async () => {
		if (!run) {
			const mark = lastSeq();
			run = await env!.n8n.execute(WORKFLOW_ID);
			requests = env!.sandbox.app.requests.filter((r) => r.seq > mark);
		}
		return run;
	};

	test('the 1upHealth demo user is linked to the patient its token reads', () => {
		const st = env!.sandbox.app.state.oneupUsers as OneUpState;
		expect(st.users.get(`oneup-demo|${DEMO_PATIENT}`)?.patient).toBe(
			FHIR_VENDORS.oneUpHealthApi.patient,
		);
	});

	test.each(FHIR_TYPES)('%s: the patient and every immunization of the data set', async (type) => {
		const out = await output();
		expect(out.error).toBeUndefined();
		const ds = datasetFor(env!.sandbox.app);
		const pid = FHIR_VENDORS[type].patient;
		const patient = out.nodes[`Get Patient (${type})`].items;
		expect(patient.map((p) => p.id ?? p.error)).toEqual([pid]);
		expect(patient[0].birthDate).toBe(ds.patient(pid)!.birthDate);
		const imms = out.nodes[`List Immunizations (${type})`].items;
		const expected = ds.immunizations(pid).map((i) => i.id);
		expect(expected).toHaveLength(HEAVY[pid]);
		expect(imms.length).toBe(expected.length);
		expect(imms.map((i) => i.id).sort()).toEqual([...expected].sort());
		expect(new Set(imms.map((i) => i.patientId))).toEqual(new Set([pid]));
		// every page was fetched from the vendor's own list route, by following its `next` links
		const { listPath, pageSize } = FHIR_VENDORS[type];
		const pages = requests.filter(
			(r) =>
				r.method === 'GET' &&
				r.path === listPath &&
				new URLSearchParams(r.query).get('patient') === pid,
		);
		expect(pages.map((r) => r.status)).toEqual(Array(Math.ceil(HEAVY[pid] / pageSize)).fill(200));
	});

	test('myPatientPortalOAuth2Api: Get Profile returns the portal patient', async () => {
		const out = await output();
		const items = out.nodes['Get Profile (myPatientPortalOAuth2Api)'].items;
		expect(items.map((p) => p.id ?? p.error)).toEqual([DEMO_PATIENT]);
	});
});
