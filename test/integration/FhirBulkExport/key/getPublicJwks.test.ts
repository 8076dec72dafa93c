// Get Public JWKS (resource Client Key): the public key set of the SMART Backend Services
// credential, to register with the server; no private parts; other credential types are refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '../../../harness';
import { FhirBulkExport } from '../../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { CREDENTIAL_LABELS } from '../../../../nodes/shared/credential-types';
import { useBulkSandbox } from '../helpers';

describe('Get Public JWKS', () => {
	const bulk = useBulkSandbox({ patients: 5 });

	it("Get Public JWKS derives the public key set from the credential's private key, without private parts", async () => {
		const pem = readFileSync(
			join(__dirname, '../../../../sandbox/keys/TEST-ONLY-es384-private.pem'),
			'utf8',
		);
		const { output } = await runNode(FhirBulkExport, {
			parameters: {
				authentication: 'smartBackendServicesApi',
				resource: 'key',
				operation: 'getPublicJwks',
			},
			credentials: {
				smartBackendServicesApi: {
					fhirBaseUrl: `${bulk.sb.url}/smart/fhir`,
					clientId: 'smart-backend-demo',
					privateKey: pem,
					keyId: 'sandbox-test-es384',
					algorithm: 'ES384',
				},
			},
		});
		const key = (output[0][0].json.keys as Array<Record<string, unknown>>)[0];
		expect(key).toMatchObject({
			kty: 'EC',
			crv: 'P-384',
			kid: 'sandbox-test-es384',
			alg: 'ES384',
			use: 'sig',
		});
		expect(key.d).toBeUndefined();
		const registered = JSON.parse(
			readFileSync(join(__dirname, '../../../../sandbox/clients.json'), 'utf8'),
		) as {
			clients: Array<{ client_id: string; jwks?: { keys: Array<Record<string, unknown>> } }>;
		};
		const pub = registered.clients
			.find((c) => c.client_id === 'smart-backend-demo')!
			.jwks!.keys.find((k) => k.kid === 'sandbox-test-es384')!;
		expect([key.x, key.y]).toEqual([pub.x, pub.y]);
	});

	it('with another credential type: refused before any request, naming the credential by its shared label', async () => {
		const seq = bulk.lastSeq();
		const { output } = await runNode(FhirBulkExport, {
			parameters: {
				authentication: 'smartOnFhirOAuth2Api',
				resource: 'key',
				operation: 'getPublicJwks',
			},
			credentials: {
				smartOnFhirOAuth2Api: {
					fhirBaseUrl: `${bulk.sb.url}/smart/fhir`,
					clientId: 'smart-client',
					clientSecret: 'x',
				},
			},
			continueOnFail: true,
		});
		expect(output[0]).toEqual([
			{
				json: {
					error: 'Get Public JWKS needs the SMART Backend Services credential',
					description: `Set Authentication to "${CREDENTIAL_LABELS.smartBackendServicesApi}"; only that credential holds a private key.`,
				},
				error: expect.any(Error),
				pairedItem: { item: 0 },
			},
		]);
		expect(bulk.newRequests(seq)).toEqual([]);
	});
});
