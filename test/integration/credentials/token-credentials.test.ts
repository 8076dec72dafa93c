// 1upHealth and SMART Backend Services: the credentials' own preAuthentication / authenticate
// against the sandbox over real HTTP, with n8n's rules for when preAuthentication runs (the
// harness reproduces credentials-helper.ts and httpRequestWithAuthentication).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, INode } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { CredentialRegistry } from '../../harness/credentials';
import {
	httpRequestWithAuthentication,
	n8nHttpRequest,
	type AuthContext,
} from '../../harness/http';
import { OneUpHealthApi } from '../../../credentials/OneUpHealthApi.credentials';
import { SmartBackendServicesApi } from '../../../credentials/SmartBackendServicesApi.credentials';

const KEYS = join(__dirname, '..', '..', '..', 'sandbox', 'keys');
const RS_PEM = readFileSync(join(KEYS, 'TEST-ONLY-rs384-private.pem'), 'utf8');
const ES_JWK = readFileSync(join(KEYS, 'TEST-ONLY-es384-private.jwk.json'), 'utf8');

const helper: IHttpRequestHelper = {
	helpers: { httpRequest: n8nHttpRequest },
} as unknown as IHttpRequestHelper;
const registry = new CredentialRegistry();
const node = {
	id: 'n1',
	name: 'Test',
	type: 'test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
} as INode;

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
afterEach(() => sb.app.clock.reset());

function context(type: string, stored: ICredentialDataDecryptedObject): AuthContext {
	const store: Record<string, ICredentialDataDecryptedObject> = { [type]: stored };
	return {
		node,
		registry,
		store,
		events: [],
		getCredentials: async (t: string) => registry.resolve(t, store[t] ?? {}),
	};
}

const paths = (from: number) =>
	sb.app.requests.filter((r) => r.seq > from).map((r) => `${r.method} ${r.path} ${r.status}`);
const lastSeq = () => sb.app.requests.at(-1)?.seq ?? 0;

describe('oneUpHealthApi', () => {
	const cred = new OneUpHealthApi();
	const base = (extra: Record<string, unknown> = {}): ICredentialDataDecryptedObject =>
		registry.resolve('oneUpHealthApi', {
			clientId: 'oneup-demo',
			clientSecret: 'oneup-demo-secret',
			appUserId: 'n8n-user-1',
			authHost: `${sb.url}/1up/auth`,
			apiHost: `${sb.url}/1up/api`,
			...extra,
		} as ICredentialDataDecryptedObject);

	it('first run: creates the user, exchanges the code, stores token, refresh token and expiry', async () => {
		const from = lastSeq();
		const out = await cred.preAuthentication.call(helper, base());
		expect(typeof out.accessToken).toBe('string');
		expect(typeof out.refreshToken).toBe('string');
		expect(Number(out.expiresAt) - Math.floor(Date.now() / 1000)).toBeGreaterThan(7100);
		expect(typeof sb.app.tokens.check('oneup', String(out.accessToken))).toBe('object');
		expect(paths(from)).toEqual([
			'POST /1up/api/user-management/v1/user/auth-code 404',
			'POST /1up/api/user-management/v1/user 200',
			'POST /1up/auth/oauth2/token 200',
		]);
	});

	it('refresh stores the ROTATED refresh token; the old one is refused by the server afterwards', async () => {
		const first = await cred.preAuthentication.call(helper, base());
		const from = lastSeq();
		const second = await cred.preAuthentication.call(
			helper,
			base({ refreshToken: first.refreshToken }),
		);
		expect(paths(from)).toEqual(['POST /1up/auth/oauth2/token 200']);
		expect(second.refreshToken).not.toBe(first.refreshToken);
		// the old refresh token is now refused: the credential falls back to a fresh code
		const from2 = lastSeq();
		const third = await cred.preAuthentication.call(
			helper,
			base({ refreshToken: first.refreshToken }),
		);
		expect(paths(from2)).toEqual([
			'POST /1up/auth/oauth2/token 400',
			'POST /1up/api/user-management/v1/user/auth-code 200',
			'POST /1up/auth/oauth2/token 200',
		]);
		expect(typeof sb.app.tokens.check('oneup', String(third.accessToken))).toBe('object');
	});

	it('an expired access token mid-run is renewed once (401 → preAuthentication → retry)', async () => {
		const ctx = context('oneUpHealthApi', {
			clientId: 'oneup-demo',
			clientSecret: 'oneup-demo-secret',
			appUserId: 'n8n-user-2',
			authHost: `${sb.url}/1up/auth`,
			apiHost: `${sb.url}/1up/api`,
		});
		const url = `${sb.url}/1up/api/r4/Patient`;
		const first = (await httpRequestWithAuthentication(ctx, 'oneUpHealthApi', {
			method: 'GET',
			url,
			qs: { _count: 1 },
		})) as Record<string, unknown>;
		expect(first.resourceType).toBe('Bundle');
		expect(ctx.events).toEqual(['preAuthentication:oneUpHealthApi:empty']);
		const storedRefresh = ctx.store.oneUpHealthApi.refreshToken;
		sb.app.clock.advance(7201);
		const second = (await httpRequestWithAuthentication(ctx, 'oneUpHealthApi', {
			method: 'GET',
			url,
			qs: { _count: 1 },
		})) as Record<string, unknown>;
		expect(second.resourceType).toBe('Bundle');
		expect(ctx.events).toEqual([
			'preAuthentication:oneUpHealthApi:empty',
			'preAuthentication:oneUpHealthApi:expired',
		]);
		// the rotated refresh token was saved on the credential
		expect(ctx.store.oneUpHealthApi.refreshToken).not.toBe(storedRefresh);
	});

	it('the credential test request proves the whole chain', async () => {
		const c = base({ appUserId: 'n8n-user-test' });
		const out = await cred.preAuthentication.call(helper, c);
		const t = cred.test.request;
		const baseURL = String(registry.resolve('oneUpHealthApi', c).apiHost);
		const r = (await n8nHttpRequest(
			await registry.authenticate(
				'oneUpHealthApi',
				{ ...c, ...out } as ICredentialDataDecryptedObject,
				{
					method: 'GET',
					url: `${baseURL}/${String(c.fhirVersion)}/Patient`,
					qs: t.qs as Record<string, number>,
				},
			),
		)) as Record<string, unknown>;
		expect(r.resourceType).toBe('Bundle');
	});

	it('user missing and creation off: a field-named error, no user is created', async () => {
		const from = lastSeq();
		await expect(
			cred.preAuthentication.call(
				helper,
				base({ appUserId: 'nobody-here', createUserIfMissing: false }),
			),
		).rejects.toThrow(/App User ID.*Create User If Missing/);
		expect(paths(from)).toEqual(['POST /1up/api/user-management/v1/user/auth-code 404']);
	});

	it('a wrong client secret names the fields and never shows the secret', async () => {
		const err = await cred.preAuthentication
			.call(helper, base({ clientSecret: 'wrong-secret-value' }))
			.catch((e: Error) => e);
		expect((err as Error).message).toMatch(/Client ID and Client Secret/);
		expect((err as Error).message).toContain('401');
		expect((err as Error).message).not.toContain('wrong-secret-value');
	});

	it('a non-HTTPS, non-loopback host is refused before any request, naming the field', async () => {
		const from = lastSeq();
		await expect(
			cred.preAuthentication.call(helper, base({ authHost: 'http://auth.1up.example' })),
		).rejects.toThrow(/Auth Host must use https/);
		expect(paths(from)).toEqual([]);
	});
});

describe('smartBackendServicesApi', () => {
	const cred = new SmartBackendServicesApi();
	const base = (extra: Record<string, unknown> = {}): ICredentialDataDecryptedObject =>
		registry.resolve('smartBackendServicesApi', {
			fhirBaseUrl: `${sb.url}/emp/fhir/r4`,
			tokenUrl: '',
			clientId: 'emp-backend-demo',
			privateKey: RS_PEM,
			keyId: 'sandbox-test-rs384',
			algorithm: 'RS384',
			...extra,
		} as ICredentialDataDecryptedObject);

	it('discovers the token URL from smart-configuration and gets a 60 s system token', async () => {
		const from = lastSeq();
		const out = await cred.preAuthentication.call(helper, base());
		expect(paths(from)).toEqual([
			'GET /emp/fhir/r4/.well-known/smart-configuration 200',
			'POST /emp/connect/token 200',
		]);
		const rec = sb.app.tokens.check('emp', String(out.accessToken));
		expect(typeof rec).toBe('object');
		expect((rec as { scopes: string[] }).scopes).toEqual([
			'system/*.read',
			'system/*.$export',
			'system/*.$bulkdata-status',
		]);
		expect(Number(out.expiresAt) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
	});

	it('ES384 with a JWK private key on the generic SMART server, explicit token URL', async () => {
		const from = lastSeq();
		const out = await cred.preAuthentication.call(
			helper,
			base({
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				tokenUrl: `${sb.url}/smart/auth/token`,
				clientId: 'smart-backend-demo',
				privateKey: ES_JWK,
				keyId: 'sandbox-test-es384',
				algorithm: 'ES384',
			}),
		);
		expect(paths(from)).toEqual(['POST /smart/auth/token 200']);
		expect(typeof sb.app.tokens.check('smart', String(out.accessToken))).toBe('object');
	});

	it('every token request signs a new assertion (the server refuses replayed jti)', async () => {
		const a = await cred.preAuthentication.call(helper, base());
		const b = await cred.preAuthentication.call(helper, base());
		expect(a.accessToken).not.toBe(b.accessToken);
	});

	it('a 60 s token that expired mid-run is renewed once on the 401, not once per request', async () => {
		const ctx = context('smartBackendServicesApi', {
			fhirBaseUrl: `${sb.url}/emp/fhir/r4`,
			clientId: 'emp-backend-demo',
			privateKey: RS_PEM,
			keyId: 'sandbox-test-rs384',
			algorithm: 'RS384',
		});
		const url = `${sb.url}/emp/fhir/r4/Patient`;
		for (let i = 0; i < 3; i++)
			await httpRequestWithAuthentication(ctx, 'smartBackendServicesApi', {
				method: 'GET',
				url,
				qs: { _count: 1 },
			});
		expect(ctx.events).toEqual(['preAuthentication:smartBackendServicesApi:empty']);
		sb.app.clock.advance(61);
		const from = lastSeq();
		await httpRequestWithAuthentication(ctx, 'smartBackendServicesApi', {
			method: 'GET',
			url,
			qs: { _count: 1 },
		});
		expect(ctx.events).toEqual([
			'preAuthentication:smartBackendServicesApi:empty',
			'preAuthentication:smartBackendServicesApi:expired',
		]);
		expect(paths(from).filter((p) => p.includes('/connect/token'))).toEqual([
			'POST /emp/connect/token 200',
		]);
	});

	it('a key of the wrong type for the algorithm is refused before any request', async () => {
		const from = lastSeq();
		await expect(cred.preAuthentication.call(helper, base({ algorithm: 'ES384' }))).rejects.toThrow(
			/Private Key is an RSA key, but Algorithm ES384/,
		);
		expect(paths(from)).toEqual([]);
	});

	it('a malformed private key is refused before any request', async () => {
		const from = lastSeq();
		await expect(
			cred.preAuthentication.call(
				helper,
				base({ privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }),
			),
		).rejects.toThrow(/Private Key is a malformed PEM/);
		expect(paths(from)).toEqual([]);
	});

	it('a key the server does not know: clear message, no key material', async () => {
		const other = (await import('node:crypto'))
			.generateKeyPairSync('rsa', { modulusLength: 2048 })
			.privateKey.export({ format: 'pem', type: 'pkcs8' })
			.toString();
		const err = (await cred.preAuthentication
			.call(helper, base({ privateKey: other }))
			.catch((e: Error) => e)) as Error;
		expect(err.message).toContain('HTTP 401');
		expect(err.message).toContain('invalid_client');
		expect(err.message).toContain(
			'Check Client ID, Key ID (kid) and Algorithm, and that the JWKS registered at the server holds the public key of this Private Key',
		);
		expect(err.message).not.toContain('PRIVATE KEY');
	});

	it('a non-HTTPS FHIR base outside loopback is refused, naming the field', async () => {
		await expect(
			cred.preAuthentication.call(helper, base({ fhirBaseUrl: 'http://fhir.example.org/r4' })),
		).rejects.toThrow(/FHIR Base URL must use https/);
	});

	describe('scope presets', () => {
		const smartV1Server = (extra: Record<string, unknown> = {}) =>
			base({
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				tokenUrl: `${sb.url}/smart/auth/token`,
				clientId: 'smart-backend-v1-demo',
				...extra,
			});
		const granted = (surface: 'emp' | 'smart', out: Record<string, unknown>) =>
			(sb.app.tokens.check(surface, String(out.accessToken)) as { scopes: string[] }).scopes;

		it.each([
			['bulkExport', ['system/*.$export', 'system/*.$bulkdata-status', 'system/Binary.read']],
			['v1Read', ['system/*.read']],
			['v2Read', ['system/*.rs']],
		])(
			'preset %s asks for exactly its scopes (the Scope field is ignored)',
			async (scopePreset, scopes) => {
				const out = await cred.preAuthentication.call(
					helper,
					base({ scopePreset, scope: 'system/Observation.read' }),
				);
				expect(granted('emp', out)).toEqual(scopes);
			},
		);

		it('a saved credential (no preset stored) still asks for its Scope field, and the default is the old one', async () => {
			expect(base().scopePreset).toBe('custom');
			expect(granted('emp', await cred.preAuthentication.call(helper, base()))).toEqual([
				'system/*.read',
				'system/*.$export',
				'system/*.$bulkdata-status',
			]);
			expect(
				granted(
					'emp',
					await cred.preAuthentication.call(helper, base({ scope: 'system/Patient.$export' })),
				),
			).toEqual(['system/Patient.$export']);
		});

		it('a server that grants only system/*.read: the default is refused and the other presets are suggested; SMART v1 works', async () => {
			const err = (await cred.preAuthentication
				.call(helper, smartV1Server())
				.catch((e: Error) => e)) as Error;
			expect(err.message).toBe(
				`SMART Backend Services token request to ${sb.url}/smart/auth/token failed (HTTP 400: invalid_scope: The client is not allowed the scope(s): system/*.$export system/*.$bulkdata-status.). Check Scope: the server grants only the system/ scopes your app is registered for. Try another Scope Preset: eMedicalPractice style (system/*.$export system/*.$bulkdata-status system/Binary.read), or SMART v1 (system/*.read), or SMART v2 (system/*.rs).`,
			);
			const bulkOnly = (await cred.preAuthentication
				.call(helper, smartV1Server({ scopePreset: 'bulkExport' }))
				.catch((e: Error) => e)) as Error;
			expect(bulkOnly.message).toMatch(
				/Try another Scope Preset: SMART v1 \(system\/\*\.read\), or SMART v2 \(system\/\*\.rs\)\.$/,
			);
			expect(
				granted(
					'smart',
					await cred.preAuthentication.call(helper, smartV1Server({ scopePreset: 'v1Read' })),
				),
			).toEqual(['system/*.read']);
		});
	});
});
