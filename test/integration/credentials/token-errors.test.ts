// A token the credential could not get, seen from inside a node (EHR FHIR through the harness):
// the message says what the token endpoint answered and the description what to fix, by the
// OAuth error code, never "check the base URL" for a server that answered, nor any secret.
import { NodeApiError } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { PATIENT, byId, credentialsFor } from '../EhrFhir/fixtures';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
afterEach(() => sb.app.clock.reset());

async function getPatientError(
	type: string,
	store: Record<string, Record<string, unknown>>,
): Promise<NodeApiError> {
	const err = await runNode(EhrFhir, {
		parameters: { authentication: type, ...PATIENT, patientId: byId('pt-00002') } as never,
		credentials: store as never,
	}).catch((e: unknown) => e);
	expect(err).toBeInstanceOf(NodeApiError);
	return err as NodeApiError;
}

describe('a wrong client secret inside a node', () => {
	it('1upHealth: the token endpoint refused the client, so check Client ID and Client Secret (not the base URL)', async () => {
		const { type, store } = credentialsFor(sb, 'oneup-r4');
		Object.assign(store[type], { accessToken: '', clientSecret: 'wrong-oneup-secret-value' });
		const err = await getPatientError(type, store);
		expect(err.message).toBe(
			`Get Patient pt-00002 failed: the credential could not get an access token: 1upHealth refused the client credentials at ${sb.url}/1up/auth/oauth2/token (HTTP 401: invalid_client: Client authentication failed.).`,
		);
		expect(err.description).toBe('Check Client ID and Client Secret in the credential.');
		expect(`${err.message} ${err.description}`).not.toMatch(
			/wrong-oneup-secret-value|reachable|base URL/,
		);
	});

	it('eMedicalPractice: a refresh refused with invalid_client says to check the client, not to reconnect', async () => {
		const { type, store } = credentialsFor(sb, 'emp');
		store[type].clientSecret = 'wrong-emp-secret-value';
		sb.app.clock.advance(7200);
		const err = await getPatientError(type, store);
		expect(err.message).toBe(
			'Get Patient pt-00002 failed: the access token was refused and renewing it failed: invalid_client: Client authentication failed.',
		);
		expect(err.description).toBe(
			'The server refused the client: check Client ID and Client Secret in the credential (and whether the secret goes in the HTTP Basic header or the form body); reconnecting does not help until they are right.',
		);
		expect(`${err.message} ${err.description}`).not.toContain('wrong-emp-secret-value');
	});
});

describe('SMART Backend Services inside a node', () => {
	const backend = (extra: Record<string, unknown>) => {
		const { type, store } = credentialsFor(sb, 'smart-backend');
		Object.assign(store[type], { accessToken: '', expiresAt: 0, ...extra });
		return { type, store };
	};

	it('a key refused before any request names the field; nothing is sent', async () => {
		const { type, store } = backend({ algorithm: 'ES384' });
		const from = sb.app.requests.at(-1)?.seq ?? 0;
		const err = await getPatientError(type, store);
		expect(err.message).toBe(
			'Get Patient pt-00002 failed: the credential could not get an access token: Private Key is an RSA key, but Algorithm ES384 needs an EC key on curve P-384. Choose RS384 for an RSA key, or paste a P-384 key.',
		);
		expect(err.description).toBe('Fix Private Key in the credential, then run the workflow again.');
		expect(sb.app.requests.filter((r) => r.seq > from)).toEqual([]);
	});

	it('an unknown key id: invalid_client → client id, key id and the registered JWKS', async () => {
		const { type, store } = backend({ keyId: 'not-registered-kid' });
		const err = await getPatientError(type, store);
		expect(err.message).toBe(
			`Get Patient pt-00002 failed: the credential could not get an access token: SMART Backend Services token request to ${sb.url}/smart/auth/token failed (HTTP 401: invalid_client: No registered key with kid "not-registered-kid" for this client.).`,
		);
		expect(err.description).toBe(
			'Check Client ID, Key ID (kid) and Algorithm, and that the JWKS registered at the server holds the public key of this Private Key (FHIR Bulk Export → Get Public JWKS shows it).',
		);
	});
});
