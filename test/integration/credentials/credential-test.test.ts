// The Test button of SMART Backend Services (run as n8n 2.41's CredentialsTester runs it, see
// test/harness/credential-test.ts): it proves the token — a fresh one every time, not a stored
// one — and reads GET <FHIR Base URL>/metadata when the server has it; it reads no resource, so a
// bulk-only server (404 on Patient) or a token with only the Bulk Data scopes passes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { testCredential } from '../../harness/credential-test';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { FhirBulkExport } from '../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { SmartBackendServicesApi } from '../../../credentials/SmartBackendServicesApi.credentials';

const KEY = readFileSync(
	join(__dirname, '..', '..', '..', 'sandbox', 'keys', 'TEST-ONLY-rs384-private.pem'),
	'utf8',
);
const NODES = [FhirBulkExport, EhrFhir];

let sb: Sandbox;
// a bulk-only FHIR server on loopback: every read is 404; /metadata answers as `metadataStatus` says
let bulkOnly: Server;
let bulkOnlyUrl = '';
let metadataStatus = 404;
const seenAuth: string[] = [];
beforeAll(async () => {
	sb = await withSandbox();
	bulkOnly = createServer((req, res) => {
		seenAuth.push(`${req.url} ${req.headers.authorization ?? '-'}`);
		const ok = req.url === '/fhir/metadata' && metadataStatus === 200;
		res.writeHead(ok ? 200 : req.url === '/fhir/metadata' ? metadataStatus : 404, {
			'content-type': 'application/fhir+json',
		});
		res.end(
			JSON.stringify(
				ok
					? { resourceType: 'CapabilityStatement', status: 'active' }
					: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] },
			),
		);
	});
	await new Promise<void>((resolve) => bulkOnly.listen(0, '127.0.0.1', resolve));
	bulkOnlyUrl = `http://127.0.0.1:${(bulkOnly.address() as AddressInfo).port}/fhir`;
});
afterAll(async () => {
	await new Promise((resolve) => bulkOnly.close(resolve));
	await sb.close();
});
beforeEach(() => {
	metadataStatus = 404;
	seenAuth.length = 0;
});

const emp = (extra: Record<string, unknown> = {}) => ({
	fhirBaseUrl: `${sb.url}/emp/fhir/r4`,
	tokenUrl: '',
	clientId: 'emp-backend-demo',
	privateKey: KEY,
	keyId: 'sandbox-test-rs384',
	algorithm: 'RS384',
	...extra,
});
const onBulkOnly = (extra: Record<string, unknown> = {}) => ({
	...emp({ clientId: 'smart-backend-demo', tokenUrl: `${sb.url}/smart/auth/token` }),
	fhirBaseUrl: bulkOnlyUrl,
	...extra,
});

it('is a node credentialTest (testedBy), not a request to a resource', () => {
	expect(new SmartBackendServicesApi()).not.toHaveProperty('test');
	for (const N of NODES) {
		expect(
			new N().description.credentials?.find((c) => c.name === 'smartBackendServicesApi')?.testedBy,
		).toBe('smartBackendServicesApiTest');
	}
});

it('eMedicalPractice with the Bulk Data scopes only (no Patient read): OK, the token and /metadata are proven', async () => {
	const from = sb.app.requests.at(-1)?.seq ?? 0;
	const r = await testCredential(
		'smartBackendServicesApi',
		emp({ scopePreset: 'bulkExport' }),
		NODES,
	);
	expect(r).toEqual({
		status: 'OK',
		message: `The server issued an access token (valid 60 s), and ${sb.url}/emp/fhir/r4/metadata answered.`,
	});
	expect(
		sb.app.requests.filter((q) => q.seq > from).map((q) => `${q.method} ${q.path} ${q.status}`),
	).toEqual([
		'GET /emp/fhir/r4/.well-known/smart-configuration 200',
		'POST /emp/connect/token 200',
		'GET /emp/fhir/r4/metadata 200',
	]);
});

it('a bulk-only server without /metadata (404 everywhere): OK, the token is what was proven', async () => {
	const r = await testCredential('smartBackendServicesApi', onBulkOnly(), NODES);
	expect(r).toEqual({
		status: 'OK',
		message: `The server issued an access token (valid 60 s). ${bulkOnlyUrl}/metadata answered HTTP 404, so the FHIR Base URL was not checked.`,
	});
	expect(seenAuth).toEqual([expect.stringMatching(/^\/fhir\/metadata Bearer \S+$/)]);
});

it('a server whose /metadata refuses the token: Error that says so', async () => {
	metadataStatus = 401;
	const r = await testCredential('smartBackendServicesApi', onBulkOnly(), NODES);
	expect(r).toEqual({
		status: 'Error',
		message: `The server issued an access token (valid 60 s), but ${bulkOnlyUrl}/metadata refused it (HTTP 401). Check that the FHIR Base URL belongs to the server of the Token URL.`,
	});
});

it('a stored token does not hide a broken key: the test always asks for a new token', async () => {
	const stored = sb.app.tokens.issue({
		surface: 'emp',
		clientId: 'emp-backend-demo',
		scopes: ['system/*.read'],
		lifetimeSeconds: 3600,
		withRefresh: false,
	});
	const r = await testCredential(
		'smartBackendServicesApi',
		emp({
			keyId: 'a-kid-nobody-registered',
			accessToken: stored.access_token,
			expiresAt: Math.floor(Date.now() / 1000) + 3600,
		}),
		NODES,
	);
	expect(r.status).toBe('Error');
	expect(r.message).toBe(
		`SMART Backend Services token request to ${sb.url}/emp/connect/token failed (HTTP 401: invalid_client: No registered key with kid "a-kid-nobody-registered" for this client.). Check Client ID, Key ID (kid) and Algorithm, and that the JWKS registered at the server holds the public key of this Private Key (FHIR Bulk Export → Get Public JWKS shows it).`,
	);
	expect(r.message).not.toContain(stored.access_token);
});
