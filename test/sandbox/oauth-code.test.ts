// One test per strictness rule of the authorization-code flows (authorize pages and token
// endpoints). Each test fails if its rule is removed from sandbox/oauth.
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import {
	CALLBACK,
	N8N_CALLBACK,
	PATHS,
	authorize,
	authorizeRaw,
	codeFor,
	pkcePair,
	postForm,
} from './oauth-util';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
afterEach(() => sb.app.clock.reset());

const empAud = () => `${sb.url}${PATHS.emp.fhir}`;
const smartAud = () => `${sb.url}${PATHS.smart.fhir}`;

describe('authorize page', () => {
	it('shows Approve and Deny; Deny redirects with error=access_denied and the state', async () => {
		const params = {
			client_id: 'mpp-demo',
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'profile_read',
			state: 'xyz',
		};
		const page = await authorizeRaw(sb, PATHS.mpp.authorize, params);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('value="approve"');
		expect(html).toContain('value="deny"');
		const deny = await fetch(sb.url + PATHS.mpp.authorize, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ ...params, decision: 'deny', patient: 'pt-00002' }),
		});
		expect(deny.status).toBe(302);
		const loc = new URL(deny.headers.get('location')!);
		expect(loc.origin + loc.pathname).toBe(CALLBACK);
		expect(loc.searchParams.get('error')).toBe('access_denied');
		expect(loc.searchParams.get('state')).toBe('xyz');
		expect(loc.searchParams.get('code')).toBeNull();
	});

	it('Approve on the page redirects with a code for the chosen patient and echoes state', async () => {
		const params = {
			client_id: 'mpp-demo',
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'profile_read',
			state: 'st-9',
		};
		const approve = await fetch(sb.url + PATHS.mpp.authorize, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ ...params, decision: 'approve', patient: 'pt-00003' }),
		});
		expect(approve.status).toBe(302);
		const loc = new URL(approve.headers.get('location')!);
		expect(loc.searchParams.get('state')).toBe('st-9');
		const code = loc.searchParams.get('code')!;
		expect(sb.app.tokens.codes.get(code)?.patient).toBe('pt-00003');
	});

	it('an unregistered redirect_uri gets an error page, never a redirect', async () => {
		const r = await authorizeRaw(sb, PATHS.onpatient.authorize, {
			client_id: 'onpatient-demo',
			redirect_uri: 'http://127.0.0.1/evil',
			response_type: 'code',
			state: 's',
		});
		expect(r.status).toBe(400);
		expect(r.headers.get('location')).toBeNull();
		expect(await r.text()).toContain('not registered');
	});

	it('an unknown client is refused with an error page', async () => {
		const r = await authorizeRaw(sb, PATHS.onpatient.authorize, {
			client_id: 'nobody',
			redirect_uri: CALLBACK,
			response_type: 'code',
		});
		expect(r.status).toBe(400);
		expect(r.headers.get('location')).toBeNull();
	});

	it('the registered n8n callback is accepted', async () => {
		const loc = await authorize(sb, PATHS.onpatient.authorize, {
			client_id: 'onpatient-demo',
			redirect_uri: N8N_CALLBACK,
			response_type: 'code',
		});
		expect(loc.origin + loc.pathname).toBe(N8N_CALLBACK);
		expect(loc.searchParams.get('code')).toBeTruthy();
	});

	it('response_type other than code is refused', async () => {
		const loc = await authorize(sb, PATHS.onpatient.authorize, {
			client_id: 'onpatient-demo',
			redirect_uri: CALLBACK,
			response_type: 'token',
			state: 'q',
		});
		expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
		expect(loc.searchParams.get('state')).toBe('q');
	});

	it('a scope the client is not registered for is refused with invalid_scope', async () => {
		const loc = await authorize(sb, PATHS.mpp.authorize, {
			client_id: 'mpp-demo',
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'profile_read admin_all',
		});
		expect(loc.searchParams.get('error')).toBe('invalid_scope');
	});

	it('MyPatientPortal accepts "+" as scope separator', async () => {
		const u = `${sb.url}${PATHS.mpp.authorize}?client_id=mpp-demo&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=profile_read%2Bappointment_read`;
		sb.app.autoApprove = true;
		const r = await fetch(u, { redirect: 'manual' });
		sb.app.autoApprove = false;
		const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
		expect(sb.app.tokens.codes.get(code)?.scopes).toEqual(['profile_read', 'appointment_read']);
	});

	it('onpatient: an omitted scope means all scopes of the client', async () => {
		const code = await codeFor(sb, PATHS.onpatient.authorize, { client_id: 'onpatient-demo' });
		expect(sb.app.tokens.codes.get(code)?.scopes.length).toBeGreaterThan(3);
	});

	it.each([
		['emp', PATHS.emp.authorize, 'emp-demo'],
		['smart', PATHS.smart.authorize, 'smart-demo'],
	])('%s: a missing aud is refused', async (_n, path, clientId) => {
		const loc = await authorize(sb, path, {
			client_id: clientId,
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'openid patient/*.read',
			state: 'a',
		});
		expect(loc.searchParams.get('error')).toBe('invalid_request');
		expect(loc.searchParams.get('error_description')).toContain('aud');
		expect(loc.searchParams.get('code')).toBeNull();
	});

	it('emp: a wrong aud is refused', async () => {
		const loc = await authorize(sb, PATHS.emp.authorize, {
			client_id: 'emp-demo',
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'openid',
			aud: `${sb.url}/smart/fhir`,
		});
		expect(loc.searchParams.get('error')).toBe('invalid_request');
	});

	it('a public client without PKCE is refused', async () => {
		const loc = await authorize(sb, PATHS.emp.authorize, {
			client_id: 'emp-public-demo',
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'openid patient/*.read',
			aud: empAud(),
		});
		expect(loc.searchParams.get('error')).toBe('invalid_request');
		expect(loc.searchParams.get('error_description')).toContain('PKCE');
	});

	it('PKCE method plain is refused', async () => {
		const loc = await authorize(sb, PATHS.smart.authorize, {
			client_id: 'smart-public-demo',
			redirect_uri: CALLBACK,
			response_type: 'code',
			scope: 'openid patient/*.read',
			aud: smartAud(),
			code_challenge: 'a'.repeat(43),
			code_challenge_method: 'plain',
		});
		expect(loc.searchParams.get('error')).toBe('invalid_request');
		expect(loc.searchParams.get('error_description')).toContain('S256');
	});
});

describe('token endpoint: client authentication', () => {
	it('onpatient: HTTP Basic is refused with invalid_client; the body works', async () => {
		const code = await codeFor(sb, PATHS.onpatient.authorize, { client_id: 'onpatient-demo' });
		const basic = await postForm(
			sb,
			PATHS.onpatient.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
			{ basic: ['onpatient-demo', 'onpatient-demo-secret'] },
		);
		expect(basic.status).toBe(401);
		expect(basic.body.error).toBe('invalid_client');
		const body = await postForm(sb, PATHS.onpatient.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'onpatient-demo',
			client_secret: 'onpatient-demo-secret',
		});
		expect(body.status).toBe(200);
		expect(body.body.expires_in).toBe(48 * 3600);
		expect(typeof body.body.refresh_token).toBe('string');
	});

	it('1upHealth: HTTP Basic is refused with invalid_client', async () => {
		const created = await postForm(sb, PATHS.oneup.users, {
			app_user_id: 'basic-test',
			client_id: 'oneup-demo',
			client_secret: 'oneup-demo-secret',
		});
		expect(created.status).toBe(200);
		const r = await postForm(
			sb,
			PATHS.oneup.token,
			{ grant_type: 'authorization_code', code: String(created.body.code) },
			{ basic: ['oneup-demo', 'oneup-demo-secret'] },
		);
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
	});

	it('emp confidential: client_secret in the body is refused; HTTP Basic works', async () => {
		const code = await codeFor(sb, PATHS.emp.authorize, {
			client_id: 'emp-demo',
			scope: 'openid patient/*.read',
			aud: empAud(),
		});
		const body = await postForm(sb, PATHS.emp.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'emp-demo',
			client_secret: 'emp-demo-secret',
		});
		expect(body.status).toBe(401);
		expect(body.body.error).toBe('invalid_client');
		const basic = await postForm(
			sb,
			PATHS.emp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
			{ basic: ['emp-demo', 'emp-demo-secret'] },
		);
		expect(basic.status).toBe(200);
		expect(basic.body.expires_in).toBe(3600);
		expect(basic.body.patient).toBe('pt-00001');
	});

	it('a wrong secret is refused with 401 invalid_client', async () => {
		const code = await codeFor(sb, PATHS.mpp.authorize, {
			client_id: 'mpp-demo',
			scope: 'profile_read',
		});
		const r = await postForm(
			sb,
			PATHS.mpp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
			{ basic: ['mpp-demo', 'wrong'] },
		);
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
	});

	it('MyPatientPortal accepts both Basic and the body', async () => {
		for (const mode of ['basic', 'body'] as const) {
			const code = await codeFor(sb, PATHS.mpp.authorize, {
				client_id: 'mpp-demo',
				scope: 'profile_read appointment_read',
			});
			const form = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK };
			const r =
				mode === 'basic'
					? await postForm(sb, PATHS.mpp.token, form, { basic: ['mpp-demo', 'mpp-demo-secret'] })
					: await postForm(sb, PATHS.mpp.token, {
							...form,
							client_id: 'mpp-demo',
							client_secret: 'mpp-demo-secret',
						});
			expect(r.status).toBe(200);
			expect(r.body.scope).toBe('profile_read appointment_read');
		}
	});
});

describe('token endpoint: codes and PKCE', () => {
	const publicCode = async (challenge: string) =>
		codeFor(sb, PATHS.emp.authorize, {
			client_id: 'emp-public-demo',
			scope: 'openid patient/*.read',
			aud: empAud(),
			code_challenge: challenge,
			code_challenge_method: 'S256',
		});

	it('a public client without code_verifier is refused', async () => {
		const { challenge } = pkcePair();
		const code = await publicCode(challenge);
		const r = await postForm(sb, PATHS.emp.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'emp-public-demo',
		});
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('invalid_grant');
	});

	it('a wrong code_verifier is refused; the right one works', async () => {
		const { challenge, verifier } = pkcePair();
		const code = await publicCode(challenge);
		const form = {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'emp-public-demo',
		};
		const wrong = await postForm(sb, PATHS.emp.token, {
			...form,
			code_verifier: pkcePair().verifier,
		});
		expect(wrong.status).toBe(400);
		expect(wrong.body.error).toBe('invalid_grant');
		const right = await postForm(sb, PATHS.emp.token, { ...form, code_verifier: verifier });
		expect(right.status).toBe(200);
		expect(right.body.refresh_token).toBeUndefined();
	});

	it('a public client sending a secret is refused', async () => {
		const { challenge, verifier } = pkcePair();
		const code = await publicCode(challenge);
		const r = await postForm(sb, PATHS.emp.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'emp-public-demo',
			client_secret: 'x',
			code_verifier: verifier,
		});
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
	});

	it('a confidential client without authentication is refused', async () => {
		const code = await codeFor(sb, PATHS.emp.authorize, {
			client_id: 'emp-demo',
			scope: 'openid',
			aud: empAud(),
		});
		const r = await postForm(sb, PATHS.emp.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'emp-demo',
		});
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
	});

	it('a reused code is refused and the tokens issued from it are revoked', async () => {
		const code = await codeFor(sb, PATHS.onpatient.authorize, { client_id: 'onpatient-demo' });
		const form = {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'onpatient-demo',
			client_secret: 'onpatient-demo-secret',
		};
		const first = await postForm(sb, PATHS.onpatient.token, form);
		expect(first.status).toBe(200);
		const at = String(first.body.access_token);
		expect(typeof sb.app.tokens.check('onpatient', at)).toBe('object');
		const second = await postForm(sb, PATHS.onpatient.token, form);
		expect(second.status).toBe(400);
		expect(second.body.error).toBe('invalid_grant');
		expect(sb.app.tokens.check('onpatient', at)).toBe('unknown');
		const refresh = await postForm(sb, PATHS.onpatient.token, {
			grant_type: 'refresh_token',
			refresh_token: String(first.body.refresh_token),
			client_id: 'onpatient-demo',
			client_secret: 'onpatient-demo-secret',
		});
		expect(refresh.status).toBe(400);
	});

	it('a code expires after 60 s', async () => {
		const code = await codeFor(sb, PATHS.mpp.authorize, {
			client_id: 'mpp-demo',
			scope: 'profile_read',
		});
		sb.app.clock.advance(61);
		const r = await postForm(
			sb,
			PATHS.mpp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
			{ basic: ['mpp-demo', 'mpp-demo-secret'] },
		);
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('invalid_grant');
		expect(String(r.body.error_description)).toContain('expired');
	});

	it('a redirect_uri different from the authorize one is refused', async () => {
		const code = await codeFor(sb, PATHS.mpp.authorize, {
			client_id: 'mpp-demo',
			scope: 'profile_read',
		});
		const r = await postForm(
			sb,
			PATHS.mpp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: N8N_CALLBACK },
			{ basic: ['mpp-demo', 'mpp-demo-secret'] },
		);
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('invalid_grant');
	});

	it('a code of another client is refused', async () => {
		const code = await codeFor(sb, PATHS.smart.authorize, {
			client_id: 'smart-demo',
			scope: 'openid',
			aud: smartAud(),
		});
		const { verifier } = pkcePair();
		const r = await postForm(sb, PATHS.smart.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			client_id: 'smart-public-demo',
			code_verifier: verifier,
		});
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('invalid_grant');
	});

	it('emp password grant is not enabled', async () => {
		const r = await postForm(
			sb,
			PATHS.emp.token,
			{ grant_type: 'password', username: 'u', password: 'p' },
			{ basic: ['emp-demo', 'emp-demo-secret'] },
		);
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('unsupported_grant_type');
	});
});

describe('refresh tokens', () => {
	const empTokens = async (scope: string) => {
		const code = await codeFor(sb, PATHS.emp.authorize, {
			client_id: 'emp-demo',
			scope,
			aud: empAud(),
		});
		return postForm(
			sb,
			PATHS.emp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
			{ basic: ['emp-demo', 'emp-demo-secret'] },
		);
	};

	it('emp gives a refresh token only with offline_access', async () => {
		const without = await empTokens('openid patient/*.read');
		expect(without.status).toBe(200);
		expect(without.body.refresh_token).toBeUndefined();
		const withOffline = await empTokens('openid offline_access patient/*.read');
		expect(withOffline.status).toBe(200);
		expect(typeof withOffline.body.refresh_token).toBe('string');
		const refreshed = await postForm(
			sb,
			PATHS.emp.token,
			{ grant_type: 'refresh_token', refresh_token: String(withOffline.body.refresh_token) },
			{ basic: ['emp-demo', 'emp-demo-secret'] },
		);
		expect(refreshed.status).toBe(200);
		expect(refreshed.body.access_token).not.toBe(withOffline.body.access_token);
	});

	it('onpatient refresh needs no redirect_uri and keeps working', async () => {
		const code = await codeFor(sb, PATHS.onpatient.authorize, {
			client_id: 'onpatient-demo',
			scope: 'patient/*.read',
		});
		const creds = { client_id: 'onpatient-demo', client_secret: 'onpatient-demo-secret' };
		const t = await postForm(sb, PATHS.onpatient.token, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: CALLBACK,
			...creds,
		});
		for (let i = 0; i < 2; i++) {
			const r = await postForm(sb, PATHS.onpatient.token, {
				grant_type: 'refresh_token',
				refresh_token: String(t.body.refresh_token),
				...creds,
			});
			expect(r.status).toBe(200);
			expect(r.body.scope).toBe('patient/*.read');
		}
	});

	it('a refresh cannot widen the scope', async () => {
		const t = await empTokens('openid offline_access');
		const r = await postForm(
			sb,
			PATHS.emp.token,
			{
				grant_type: 'refresh_token',
				refresh_token: String(t.body.refresh_token),
				scope: 'openid offline_access user/*.write',
			},
			{ basic: ['emp-demo', 'emp-demo-secret'] },
		);
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('invalid_scope');
	});

	it('an access token expires after its lifetime', async () => {
		const t = await empTokens('openid');
		expect(typeof sb.app.tokens.check('emp', String(t.body.access_token))).toBe('object');
		sb.app.clock.advance(3601);
		expect(sb.app.tokens.check('emp', String(t.body.access_token))).toBe('expired');
	});
});

describe('discovery', () => {
	it.each([
		['/emp/fhir/r4/.well-known/smart-configuration', '/emp/connect/token'],
		['/smart/fhir/.well-known/smart-configuration', '/smart/auth/token'],
	])('%s names the endpoints, S256 only', async (path, token) => {
		const r = await fetch(sb.url + path);
		expect(r.status).toBe(200);
		const doc = (await r.json()) as Record<string, unknown>;
		expect(doc.token_endpoint).toBe(sb.url + token);
		expect(doc.code_challenge_methods_supported).toEqual(['S256']);
		expect(doc.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
		expect(doc.grant_types_supported).toContain('client_credentials');
		expect(Array.isArray(doc.capabilities)).toBe(true);
	});

	it('MyPatientPortal openid-configuration and userinfo (needs openid)', async () => {
		const doc = (await (
			await fetch(`${sb.url}/mpp/.well-known/openid-configuration`)
		).json()) as Record<string, string>;
		expect(doc.authorization_endpoint).toBe(`${sb.url}/mpp/oauth/authorize`);
		const code = await codeFor(sb, PATHS.mpp.authorize, {
			client_id: 'mpp-demo',
			scope: 'openid profile_read',
			login_hint: 'pt-00004',
		});
		const t = await postForm(
			sb,
			PATHS.mpp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
			{ basic: ['mpp-demo', 'mpp-demo-secret'] },
		);
		const ui = await fetch(`${sb.url}/mpp/oauth/userinfo`, {
			headers: { authorization: `Bearer ${String(t.body.access_token)}` },
		});
		expect(ui.status).toBe(200);
		expect(((await ui.json()) as Record<string, string>).sub).toBe('pt-00004');
		const code2 = await codeFor(sb, PATHS.mpp.authorize, {
			client_id: 'mpp-demo',
			scope: 'profile_read',
		});
		const t2 = await postForm(
			sb,
			PATHS.mpp.token,
			{ grant_type: 'authorization_code', code: code2, redirect_uri: CALLBACK },
			{ basic: ['mpp-demo', 'mpp-demo-secret'] },
		);
		const ui2 = await fetch(`${sb.url}/mpp/oauth/userinfo`, {
			headers: { authorization: `Bearer ${String(t2.body.access_token)}` },
		});
		expect(ui2.status).toBe(403);
	});
});
