// The oAuth2Api-based credentials, connected the way n8n connects them (n8n's own OAuth client
// library, the URLs, scopes and client authentication each credential declares) against the
// strict sandbox, then refreshed. Swapping Basic and body must fail where the vendor is strict.
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { connect, refresh, resolveCredential } from './n8n-oauth2';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());

const tokenCalls = (path: string) =>
	sb.app.requests.filter((r) => r.path === path && r.method === 'POST');

describe('onpatientOAuth2Api', () => {
	const stored = () => ({
		authHost: `${sb.url}/onpatient/auth`,
		apiHost: `${sb.url}/onpatient/api`,
		clientId: 'onpatient-demo',
		clientSecret: 'onpatient-demo-secret',
		scopes: '',
	});

	it('derives the authorize and token URLs from the Auth Host, body authentication', () => {
		const c = resolveCredential('onpatientOAuth2Api', {
			...stored(),
			authHost: `${sb.url}/onpatient/auth/`,
		});
		expect(c.authUrl).toBe(`${sb.url}/onpatient/auth/o/authorize/`);
		expect(c.accessTokenUrl).toBe(`${sb.url}/onpatient/auth/o/token/`);
		expect(c.authentication).toBe('body');
		expect(c.grantType).toBe('authorizationCode');
	});

	it('connects (empty scope = all) and refreshes with the secret in the body', async () => {
		const { token, credentials } = await connect(sb, 'onpatientOAuth2Api', stored());
		expect(token.data.expires_in).toBe(48 * 3600);
		expect(String(token.data.scope).split(' ').length).toBeGreaterThan(3);
		const last = tokenCalls('/onpatient/auth/o/token/').at(-1)!;
		expect(last.status).toBe(200);
		expect(last.headers.authorization).toBeUndefined();
		const refreshed = await refresh(credentials, token.data);
		expect(refreshed.accessToken).not.toBe(token.accessToken);
		expect(tokenCalls('/onpatient/auth/o/token/').at(-1)!.status).toBe(200);
	});

	it('swapping to HTTP Basic is refused by onpatient', async () => {
		await expect(
			connect(sb, 'onpatientOAuth2Api', { ...stored(), authentication: 'header' }),
		).rejects.toThrow();
		const last = tokenCalls('/onpatient/auth/o/token/').at(-1)!;
		expect(last.status).toBe(401);
		expect(last.headers.authorization).toMatch(/^Basic /);
	});

	it('requests the scopes typed in Scopes', async () => {
		const { token } = await connect(sb, 'onpatientOAuth2Api', {
			...stored(),
			scopes: 'patient/Patient.read patient/Immunization.read',
		});
		expect(token.data.scope).toBe('patient/Patient.read patient/Immunization.read');
	});
});

describe('myPatientPortalOAuth2Api', () => {
	const stored = (extra: Record<string, unknown> = {}) => ({
		portalUrl: `${sb.url}/mpp`,
		clientId: 'mpp-demo',
		clientSecret: 'mpp-demo-secret',
		...extra,
	});

	it.each(['header', 'body'] as const)(
		'connects and refreshes with client authentication "%s"',
		async (authentication) => {
			const { token, credentials } = await connect(
				sb,
				'myPatientPortalOAuth2Api',
				stored({ authentication }),
			);
			expect(token.data.scope).toBe('profile_read appointment_read appointment_write');
			const last = tokenCalls('/mpp/oauth/token').at(-1)!;
			expect(Boolean(last.headers.authorization)).toBe(authentication === 'header');
			const refreshed = await refresh(credentials, token.data);
			expect(refreshed.accessToken).toBeTruthy();
		},
	);

	it('adds openid when OpenID Connect is on', async () => {
		const { token } = await connect(
			sb,
			'myPatientPortalOAuth2Api',
			stored({ includeOpenId: true }),
		);
		expect(String(token.data.scope).split(' ')).toContain('openid');
		const ui = await fetch(`${sb.url}/mpp/oauth/userinfo`, {
			headers: { authorization: `Bearer ${token.accessToken}` },
		});
		expect(ui.status).toBe(200);
	});

	it('the Portal URL is required: without it no usable URL is derived', () => {
		const c = resolveCredential('myPatientPortalOAuth2Api', { clientId: 'x', clientSecret: 'y' });
		expect(String(c.authUrl)).toBe('/oauth/authorize');
	});
});

describe('eMedicalPracticeOAuth2Api', () => {
	const confidential = (extra: Record<string, unknown> = {}) => ({
		serverUrl: `${sb.url}/emp`,
		clientId: 'emp-demo',
		clientSecret: 'emp-demo-secret',
		...extra,
	});

	it('sends aud = FHIR base on authorize and uses HTTP Basic; refresh with offline_access', async () => {
		const { authorizeUrl, token, credentials } = await connect(
			sb,
			'eMedicalPracticeOAuth2Api',
			confidential(),
		);
		expect(new URL(authorizeUrl).searchParams.get('aud')).toBe(`${sb.url}/emp/fhir/r4`);
		expect(String(token.data.scope).split(' ')).toEqual([
			'openid',
			'fhirUser',
			'offline_access',
			'launch/patient',
			'patient/*.read',
		]);
		expect(token.data.patient).toBe('pt-00001');
		expect(tokenCalls('/emp/connect/token').at(-1)!.headers.authorization).toMatch(/^Basic /);
		const refreshed = await refresh(credentials, token.data);
		expect(refreshed.accessToken).not.toBe(token.accessToken);
	});

	it('swapping to the body is refused by eMedicalPractice', async () => {
		await expect(
			connect(sb, 'eMedicalPracticeOAuth2Api', confidential({ authentication: 'body' })),
		).rejects.toThrow();
		expect(tokenCalls('/emp/connect/token').at(-1)!.status).toBe(401);
	});

	it('SMART v2 user preset requests user/*.rs', async () => {
		const { token } = await connect(
			sb,
			'eMedicalPracticeOAuth2Api',
			confidential({ scopePreset: 'user', smartVersion: 'v2' }),
		);
		expect(String(token.data.scope).split(' ')).toContain('user/*.rs');
	});

	it('without offline_access there is no refresh token; a refresh asks to reconnect', async () => {
		const { token, credentials } = await connect(
			sb,
			'eMedicalPracticeOAuth2Api',
			confidential({ offlineAccess: false }),
		);
		expect(token.refreshToken).toBeUndefined();
		await expect(refresh(credentials, token.data)).rejects.toThrow(/reconnect/i);
	});

	it('public client: PKCE S256, client_id in the body, no secret; refresh works', async () => {
		const { authorizeUrl, token, credentials } = await connect(sb, 'eMedicalPracticeOAuth2Api', {
			serverUrl: `${sb.url}/emp`,
			clientId: 'emp-public-demo',
			grantType: 'pkce',
		});
		expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
		const last = tokenCalls('/emp/connect/token').at(-1)!;
		expect(last.headers.authorization).toBeUndefined();
		const refreshed = await refresh(credentials, token.data);
		expect(refreshed.accessToken).toBeTruthy();
	});
});

describe('smartOnFhirOAuth2Api', () => {
	const discovered = async () => {
		const doc = (await (
			await fetch(`${sb.url}/smart/fhir/.well-known/smart-configuration`)
		).json()) as Record<string, string>;
		return { authUrl: doc.authorization_endpoint, accessTokenUrl: doc.token_endpoint };
	};

	it.each(['header', 'body'] as const)(
		'confidential client (%s) with URLs from smart-configuration',
		async (authentication) => {
			const urls = await discovered();
			const { authorizeUrl, token, credentials } = await connect(sb, 'smartOnFhirOAuth2Api', {
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				...urls,
				clientId: 'smart-demo',
				clientSecret: 'smart-demo-secret',
				authentication,
			});
			expect(new URL(authorizeUrl).searchParams.get('aud')).toBe(`${sb.url}/smart/fhir`);
			expect(token.data.patient).toBe('pt-00001');
			expect((await refresh(credentials, token.data)).accessToken).toBeTruthy();
		},
	);

	it('public client with PKCE', async () => {
		const { token } = await connect(sb, 'smartOnFhirOAuth2Api', {
			fhirBaseUrl: `${sb.url}/smart/fhir`,
			...(await discovered()),
			clientId: 'smart-public-demo',
			grantType: 'pkce',
			scopes: 'openid launch/patient patient/*.read',
		});
		expect(token.data.scope).toBe('openid launch/patient patient/*.read');
	});

	it('a wrong FHIR base (aud) is refused at authorize', async () => {
		await expect(
			connect(sb, 'smartOnFhirOAuth2Api', {
				fhirBaseUrl: `${sb.url}/emp/fhir/r4`,
				...(await discovered()),
				clientId: 'smart-demo',
				clientSecret: 'smart-demo-secret',
			}),
		).rejects.toMatchObject({
			body: { error: 'invalid_request', error_description: expect.stringContaining('aud') },
		});
	});
});

describe('confidential clients with PKCE, against a server that requires it of every client', () => {
	const requirePkce = async (on: boolean) => {
		const r = await fetch(`${sb.url}/_admin/oauth/settings`, {
			method: 'POST',
			body: JSON.stringify({ requirePkce: on ? ['emp', 'smart'] : false }),
		});
		expect(r.status).toBe(200);
	};
	beforeEach(() => requirePkce(true));
	afterAll(() => requirePkce(false));
	const emp = (extra: Record<string, unknown> = {}) => ({
		serverUrl: `${sb.url}/emp`,
		clientId: 'emp-demo',
		clientSecret: 'emp-demo-secret',
		...extra,
	});
	const smart = async (extra: Record<string, unknown> = {}) => {
		const doc = (await (
			await fetch(`${sb.url}/smart/fhir/.well-known/smart-configuration`)
		).json()) as Record<string, string>;
		return {
			fhirBaseUrl: `${sb.url}/smart/fhir`,
			authUrl: doc.authorization_endpoint,
			accessTokenUrl: doc.token_endpoint,
			clientId: 'smart-demo',
			clientSecret: 'smart-demo-secret',
			...extra,
		};
	};

	it('eMedicalPractice confidential (saved without Use PKCE): S256 challenge, secret with HTTP Basic, code_verifier; refresh works', async () => {
		expect(resolveCredential('eMedicalPracticeOAuth2Api', emp()).usePkce).toBe(true);
		const { authorizeUrl, token, credentials } = await connect(
			sb,
			'eMedicalPracticeOAuth2Api',
			emp(),
		);
		expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
		const last = tokenCalls('/emp/connect/token').at(-1)!;
		expect([last.status, last.headers.authorization?.split(' ')[0]]).toEqual([200, 'Basic']);
		expect(token.data.patient).toBe('pt-00001');
		expect((await refresh(credentials, token.data)).accessToken).toBeTruthy();
	});

	it('eMedicalPractice confidential with Use PKCE off is refused at authorize (invalid_request, code_challenge_method)', async () => {
		await expect(
			connect(sb, 'eMedicalPracticeOAuth2Api', emp({ usePkce: false })),
		).rejects.toMatchObject({
			body: {
				error: 'invalid_request',
				error_description: expect.stringContaining('code_challenge_method=S256'),
			},
		});
	});

	it.each(['header', 'body'] as const)(
		'SMART on FHIR confidential (%s) with PKCE connects and refreshes',
		async (authentication) => {
			const { authorizeUrl, token, credentials } = await connect(
				sb,
				'smartOnFhirOAuth2Api',
				await smart({ authentication }),
			);
			expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
			expect(Boolean(tokenCalls('/smart/auth/token').at(-1)!.headers.authorization)).toBe(
				authentication === 'header',
			);
			expect(token.data.patient).toBe('pt-00001');
			expect((await refresh(credentials, token.data)).accessToken).toBeTruthy();
		},
	);

	it('SMART on FHIR confidential with Use PKCE off: refused where PKCE is required, connects where it is not', async () => {
		await expect(
			connect(sb, 'smartOnFhirOAuth2Api', await smart({ usePkce: false })),
		).rejects.toMatchObject({ body: { error: 'invalid_request' } });
		await requirePkce(false);
		const { authorizeUrl, token } = await connect(
			sb,
			'smartOnFhirOAuth2Api',
			await smart({ usePkce: false }),
		);
		expect(new URL(authorizeUrl).searchParams.has('code_challenge')).toBe(false);
		expect(token.accessToken).toBeTruthy();
	});
});
