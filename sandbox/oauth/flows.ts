// Authorize pages and token endpoints of every surface, strictly as each vendor documents them.
// What differs between vendors is data (OAuthSurface below and each client's registration);
// the checks themselves are the same code for everyone.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SandboxApp, SurfaceId } from '../app';
import {
	escapeHtml,
	parseBasicAuth,
	redirect,
	sendHtml,
	sendJson,
	type SandboxRequest,
} from '../http';
import { randomToken, type CodeRecord, type IssuedTokens } from '../tokens';
import { oauthError, verifyClientAssertion, JWT_BEARER } from './assertion';
import { patientId } from '../data/ids';
import {
	isPublic,
	parseScopes,
	unallowedScopes,
	type ClientRegistration,
	type ClientRegistry,
} from './clients';

export interface OAuthSurface {
	id: SurfaceId;
	/** shown on the consent page */
	vendor: string;
	/** full path of the authorize page, when the vendor has a browser flow */
	authorizePath?: string;
	/** full path of the token endpoint */
	tokenPath: string;
	/** FHIR base path that `aud` must name (emp, smart); undefined = no aud rule */
	audPath?: string;
	/** when a refresh token is issued, and whether refresh rotates it */
	refresh: 'always' | 'offline_access' | 'rotate';
	/** SMART servers: client_credentials with a JWT assertion */
	backendServices: boolean;
	/** scopes granted when the authorize request names none; undefined = scope is required */
	defaultScopes?: (client: ClientRegistration) => string[];
}

export const CODE_LIFETIME_S = 60;
const DEFAULT_PATIENT = 'pt-00001';

export interface OAuthState {
	registry: ClientRegistry;
	seenJti: Map<string, number>;
	/** token family per authorization code (access and refresh tokens issued from it) */
	families: Map<string, { access: Set<string>; refresh: Set<string> }>;
	/** refresh token → the code its family started from */
	familyOfRefresh: Map<string, string>;
	/** surfaces whose authorize page demands PKCE of confidential clients too (public ones always) */
	requirePkce: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Authorize
// ---------------------------------------------------------------------------------------------

interface AuthzParams {
	client_id?: string;
	redirect_uri?: string;
	response_type?: string;
	scope?: string;
	state?: string;
	aud?: string;
	code_challenge?: string;
	code_challenge_method?: string;
	nonce?: string;
	login_hint?: string;
}
const AUTHZ_KEYS: Array<keyof AuthzParams> = [
	'client_id',
	'redirect_uri',
	'response_type',
	'scope',
	'state',
	'aud',
	'code_challenge',
	'code_challenge_method',
	'nonce',
	'login_hint',
];

type Checked =
	| { kind: 'page'; status: number; message: string }
	| { kind: 'redirect'; location: string }
	| { kind: 'ok'; client: ClientRegistration; scopes: string[]; params: AuthzParams };

function errorRedirect(
	redirectUri: string,
	state: string | undefined,
	error: string,
	description: string,
): Checked {
	const u = new URL(redirectUri);
	u.searchParams.set('error', error);
	u.searchParams.set('error_description', description);
	if (state !== undefined) u.searchParams.set('state', state);
	return { kind: 'redirect', location: u.toString() };
}

/** Origins a client may use for this sandbox: its configured URL and the Host it was reached at. */
function absoluteUrls(app: SandboxApp, req: SandboxRequest, path: string): string[] {
	return [...new Set([app.url(path), `${req.url.origin}${path}`])];
}

function checkAuthorize(
	app: SandboxApp,
	st: OAuthState,
	surf: OAuthSurface,
	req: SandboxRequest,
	p: AuthzParams,
): Checked {
	const client = st.registry.get(surf.id, p.client_id);
	if (!client) {
		return {
			kind: 'page',
			status: 400,
			message: p.client_id
				? `Unknown client_id "${p.client_id}".`
				: 'The request has no client_id.',
		};
	}
	if (client.token_endpoint_auth === 'private_key_jwt') {
		return {
			kind: 'page',
			status: 400,
			message:
				'This client is registered for SMART Backend Services only; it cannot use the authorize page.',
		};
	}
	if (!p.redirect_uri)
		return { kind: 'page', status: 400, message: 'The request has no redirect_uri.' };
	if (!client.redirect_uris.includes(p.redirect_uri)) {
		return {
			kind: 'page',
			status: 400,
			message: `redirect_uri "${p.redirect_uri}" is not registered for this client (registered: ${client.redirect_uris.join(', ')}). No redirect is made to an unregistered address.`,
		};
	}
	const back = (error: string, description: string) =>
		errorRedirect(p.redirect_uri!, p.state, error, description);
	if (p.response_type !== 'code')
		return back('unsupported_response_type', 'Only response_type=code is supported.');
	let scopes = parseScopes(p.scope);
	if (scopes.length === 0) {
		if (!surf.defaultScopes) return back('invalid_scope', 'The scope parameter is required.');
		scopes = surf.defaultScopes(client);
	}
	const bad = unallowedScopes(client, scopes);
	if (bad.length)
		return back('invalid_scope', `The client is not allowed the scope(s): ${bad.join(' ')}.`);
	if (scopes.some((s) => s.startsWith('system/')))
		return back(
			'invalid_scope',
			'system/ scopes are only granted to SMART Backend Services clients.',
		);
	if (surf.audPath) {
		if (!p.aud)
			return back(
				'invalid_request',
				`aud is required: the FHIR base URL (${app.url(surf.audPath)}).`,
			);
		const allowed = absoluteUrls(app, req, surf.audPath);
		if (!allowed.includes(p.aud.replace(/\/+$/, '')))
			return back(
				'invalid_request',
				`aud must be this server's FHIR base URL (${app.url(surf.audPath)}).`,
			);
	}
	if (p.code_challenge || p.code_challenge_method) {
		if (!p.code_challenge)
			return back('invalid_request', 'code_challenge_method was sent without code_challenge.');
		if (p.code_challenge_method !== 'S256')
			return back(
				'invalid_request',
				'Only the S256 code_challenge_method is supported (plain is refused).',
			);
		if (!/^[A-Za-z0-9_-]{43,128}$/.test(p.code_challenge))
			return back('invalid_request', 'code_challenge is not a base64url S256 hash.');
	} else if (isPublic(client)) {
		return back(
			'invalid_request',
			'Public clients must use PKCE: send code_challenge with code_challenge_method=S256.',
		);
	} else if (st.requirePkce.has(surf.id)) {
		return back(
			'invalid_request',
			'This server requires PKCE of every client, confidential ones too: send code_challenge with code_challenge_method=S256.',
		);
	}
	return { kind: 'ok', client, scopes, params: p };
}

function issueCode(
	app: SandboxApp,
	surf: OAuthSurface,
	ok: Extract<Checked, { kind: 'ok' }>,
	patient: string,
): string {
	const { params: p } = ok;
	const code: CodeRecord = {
		code: randomToken('code'),
		surface: surf.id,
		clientId: ok.client.client_id,
		redirectUri: p.redirect_uri,
		scopes: ok.scopes,
		expiresAt: app.clock.now() + CODE_LIFETIME_S * 1000,
		used: false,
		subject: patient,
		patient,
		codeChallenge: p.code_challenge,
		codeChallengeMethod: p.code_challenge ? p.code_challenge_method : undefined,
		nonce: p.nonce,
		aud: p.aud,
	};
	app.tokens.codes.set(code.code, code);
	const u = new URL(p.redirect_uri!);
	u.searchParams.set('code', code.code);
	if (p.state !== undefined) u.searchParams.set('state', p.state);
	return u.toString();
}

function pickPatient(app: SandboxApp, raw: string | undefined): string {
	const n = Number(app.options.patients ?? 50);
	const m = /^pt-(\d+)$/.exec(raw ?? '');
	if (m && Number(m[1]) >= 1 && Number(m[1]) <= n) return raw!;
	return DEFAULT_PATIENT;
}

function errorPage(res: ServerResponse, status: number, message: string): void {
	sendHtml(
		res,
		status,
		`<!DOCTYPE html><html><head><title>Authorization error</title></head><body><h1>Authorization error</h1><p id="error">${escapeHtml(message)}</p></body></html>`,
	);
}

function consentPage(
	app: SandboxApp,
	surf: OAuthSurface,
	req: SandboxRequest,
	ok: Extract<Checked, { kind: 'ok' }>,
): string {
	const hidden = AUTHZ_KEYS.filter((k) => ok.params[k] !== undefined)
		.map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(String(ok.params[k]))}">`)
		.join('\n');
	const n = Math.min(Number(app.options.patients ?? 50), 200);
	const options = Array.from({ length: n }, (_, i) => patientId(i + 1))
		.map(
			(id) =>
				`<option value="${id}"${id === pickPatient(app, ok.params.login_hint) ? ' selected' : ''}>${id}</option>`,
		)
		.join('');
	return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(surf.vendor)} — authorize ${escapeHtml(ok.client.client_id)}</title></head>
<body>
<h1>${escapeHtml(surf.vendor)} (sandbox)</h1>
<p>The application <strong>${escapeHtml(ok.client.client_id)}</strong> asks for access to:</p>
<ul>${ok.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
<form method="post" action="${escapeHtml(req.path)}">
${hidden}
<label>Log in as patient <select name="patient">${options}</select></label>
<p><button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form>
</body></html>`;
}

export function registerAuthorize(app: SandboxApp, st: OAuthState, surf: OAuthSurface): void {
	if (!surf.authorizePath) return;
	const read = (src: Record<string, string | undefined>): AuthzParams => {
		const p: AuthzParams = {};
		for (const k of AUTHZ_KEYS) if (src[k] !== undefined) p[k] = src[k];
		return p;
	};
	app.route('GET', surf.authorizePath, surf.id, (req, res) => {
		const p = read(Object.fromEntries(req.query));
		const checked = checkAuthorize(app, st, surf, req, p);
		if (checked.kind === 'page') return errorPage(res, checked.status, checked.message);
		if (checked.kind === 'redirect') return redirect(res, checked.location);
		if (app.autoApprove)
			return redirect(res, issueCode(app, surf, checked, pickPatient(app, p.login_hint)));
		sendHtml(res, 200, consentPage(app, surf, req, checked));
	});
	app.route('POST', surf.authorizePath, surf.id, (req, res) => {
		const form = req.form();
		const checked = checkAuthorize(app, st, surf, req, read(form));
		if (checked.kind === 'page') return errorPage(res, checked.status, checked.message);
		if (checked.kind === 'redirect') return redirect(res, checked.location);
		if (form.decision === 'approve')
			return redirect(res, issueCode(app, surf, checked, pickPatient(app, form.patient)));
		const denied = errorRedirect(
			checked.params.redirect_uri!,
			checked.params.state,
			'access_denied',
			'The resource owner denied the request.',
		);
		redirect(res, (denied as { location: string }).location);
	});
}

// ---------------------------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------------------------

const METHOD_HINT: Record<string, string> = {
	client_secret_post: 'send client_id and client_secret in the form body',
	client_secret_basic: 'send client_id and client_secret with HTTP Basic authentication',
	both: 'send client_id and client_secret with HTTP Basic or in the form body',
	none: 'public client: send client_id in the form body, no secret, with the PKCE code_verifier',
	private_key_jwt: 'send a signed client_assertion (SMART Backend Services)',
};

async function authenticateClient(
	app: SandboxApp,
	st: OAuthState,
	surf: OAuthSurface,
	req: SandboxRequest,
	form: Record<string, string>,
): Promise<ClientRegistration> {
	const authz = req.headers.authorization;
	const basicSent = typeof authz === 'string' && /^basic\s/i.test(authz);
	if (form.client_assertion || form.client_assertion_type) {
		if (basicSent || form.client_secret)
			throw oauthError(
				400,
				'invalid_request',
				'Use exactly one client authentication method per request.',
			);
		return verifyClientAssertion(
			{
				surface: surf.id,
				registry: st.registry,
				clock: app.clock,
				audiences: absoluteUrls(app, req, surf.tokenPath),
				formClientId: form.client_id,
				seenJti: st.seenJti,
			},
			form.client_assertion_type,
			form.client_assertion,
		);
	}
	const basicChallenge = { 'WWW-Authenticate': 'Basic realm="token"' };
	if (basicSent) {
		const basic = parseBasicAuth(authz);
		if (!basic)
			throw oauthError(
				401,
				'invalid_client',
				'The HTTP Basic Authorization header is malformed.',
				basicChallenge,
			);
		const client = st.registry.get(surf.id, basic.user);
		if (!client) throw oauthError(401, 'invalid_client', 'Unknown client.', basicChallenge);
		if (
			client.token_endpoint_auth !== 'client_secret_basic' &&
			client.token_endpoint_auth !== 'both'
		) {
			throw oauthError(
				401,
				'invalid_client',
				`HTTP Basic client authentication is not accepted here; ${METHOD_HINT[client.token_endpoint_auth]}.`,
			);
		}
		if (form.client_secret)
			throw oauthError(
				400,
				'invalid_request',
				'Use exactly one client authentication method per request (HTTP Basic and client_secret in the body were both sent).',
			);
		if (form.client_id && form.client_id !== basic.user)
			throw oauthError(
				401,
				'invalid_client',
				'client_id in the body does not match the HTTP Basic user.',
			);
		if (basic.pass !== client.client_secret)
			throw oauthError(401, 'invalid_client', 'Client authentication failed.', basicChallenge);
		return client;
	}
	if (form.client_secret !== undefined) {
		const client = st.registry.get(surf.id, form.client_id);
		if (!client)
			throw oauthError(
				401,
				'invalid_client',
				form.client_id ? 'Unknown client.' : 'client_secret was sent without client_id.',
			);
		if (
			client.token_endpoint_auth !== 'client_secret_post' &&
			client.token_endpoint_auth !== 'both'
		) {
			throw oauthError(
				401,
				'invalid_client',
				`client_secret in the request body is not accepted for this client; ${METHOD_HINT[client.token_endpoint_auth]}.`,
			);
		}
		if (form.client_secret !== client.client_secret)
			throw oauthError(401, 'invalid_client', 'Client authentication failed.');
		return client;
	}
	if (form.client_id) {
		const client = st.registry.get(surf.id, form.client_id);
		if (!client) throw oauthError(401, 'invalid_client', 'Unknown client.');
		if (!isPublic(client)) {
			throw oauthError(
				401,
				'invalid_client',
				`Client authentication is required; ${METHOD_HINT[client.token_endpoint_auth]}.`,
				basicChallenge,
			);
		}
		return client;
	}
	throw oauthError(401, 'invalid_client', 'No client authentication was sent.', basicChallenge);
}

function s256(verifier: string): string {
	return createHash('sha256').update(verifier).digest('base64url');
}

function addToFamily(st: OAuthState, family: string | undefined, out: IssuedTokens): void {
	if (!family) return;
	let f = st.families.get(family);
	if (!f) st.families.set(family, (f = { access: new Set(), refresh: new Set() }));
	f.access.add(out.access_token);
	if (out.refresh_token) {
		f.refresh.add(out.refresh_token);
		st.familyOfRefresh.set(out.refresh_token, family);
	}
}

/** OAuth 2.0 Security BCP: a replayed code revokes what was issued from it. */
function revokeFamily(app: SandboxApp, st: OAuthState, family: string): number {
	const f = st.families.get(family);
	if (!f) return 0;
	let n = 0;
	for (const t of f.access) {
		const rec = app.tokens.access.get(t);
		if (rec && !rec.revoked) {
			rec.revoked = true;
			n++;
		}
	}
	for (const t of f.refresh) if (app.tokens.refresh.delete(t)) n++;
	return n;
}

function smartExtras(
	surf: OAuthSurface,
	scopes: string[],
	patient: string | undefined,
): Record<string, string> {
	if (!patient || (surf.id !== 'emp' && surf.id !== 'smart')) return {};
	return scopes.some((s) => s === 'launch/patient' || s.startsWith('patient/')) ? { patient } : {};
}

async function tokenRequest(
	app: SandboxApp,
	st: OAuthState,
	surf: OAuthSurface,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const ct = String(req.headers['content-type'] ?? '');
	if (!ct.toLowerCase().includes('application/x-www-form-urlencoded')) {
		throw oauthError(
			400,
			'invalid_request',
			'The token request must be application/x-www-form-urlencoded.',
		);
	}
	const form = req.form();
	const grant = form.grant_type;
	if (!grant) throw oauthError(400, 'invalid_request', 'grant_type is missing.');
	const client = await authenticateClient(app, st, surf, req, form);
	const reply = (body: object) =>
		sendJson(res, 200, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
	const now = app.clock.now();

	if (grant === 'authorization_code') {
		if (client.token_endpoint_auth === 'private_key_jwt')
			throw oauthError(400, 'unauthorized_client', 'This client may only use client_credentials.');
		const rec = form.code ? app.tokens.codes.get(form.code) : undefined;
		if (!rec || rec.surface !== surf.id)
			throw oauthError(400, 'invalid_grant', 'The authorization code is invalid.');
		if (rec.clientId !== client.client_id)
			throw oauthError(
				400,
				'invalid_grant',
				'The authorization code was issued to another client.',
			);
		if (rec.used) {
			const revoked = revokeFamily(app, st, rec.code);
			throw oauthError(
				400,
				'invalid_grant',
				`The authorization code has already been used${revoked ? '; the tokens issued from it are revoked' : ''}.`,
			);
		}
		if (rec.expiresAt <= now) {
			rec.used = true;
			throw oauthError(400, 'invalid_grant', 'The authorization code has expired.');
		}
		if (rec.redirectUri !== undefined && form.redirect_uri !== rec.redirectUri) {
			throw oauthError(
				400,
				'invalid_grant',
				'redirect_uri does not match the one used in the authorization request.',
			);
		}
		if (rec.codeChallenge) {
			if (!form.code_verifier)
				throw oauthError(400, 'invalid_grant', 'code_verifier is required (PKCE).');
			if (s256(form.code_verifier) !== rec.codeChallenge)
				throw oauthError(
					400,
					'invalid_grant',
					'code_verifier does not match the code_challenge (PKCE).',
				);
		}
		rec.used = true;
		const withRefresh = surf.refresh !== 'offline_access' || rec.scopes.includes('offline_access');
		const out = app.tokens.issue({
			surface: surf.id,
			clientId: client.client_id,
			scopes: rec.scopes,
			lifetimeSeconds: app.lifetimes[surf.id],
			withRefresh,
			subject: rec.subject,
			patient: rec.patient,
		});
		addToFamily(st, rec.code, out);
		return reply({ ...out, ...smartExtras(surf, rec.scopes, rec.patient) });
	}

	if (grant === 'refresh_token') {
		if (client.token_endpoint_auth === 'private_key_jwt')
			throw oauthError(400, 'unauthorized_client', 'This client may only use client_credentials.');
		const rt = form.refresh_token ? app.tokens.refresh.get(form.refresh_token) : undefined;
		if (!rt || rt.surface !== surf.id)
			throw oauthError(400, 'invalid_grant', 'The refresh token is invalid or has been revoked.');
		if (rt.clientId !== client.client_id)
			throw oauthError(400, 'invalid_grant', 'The refresh token was issued to another client.');
		if (rt.used)
			throw oauthError(
				400,
				'invalid_grant',
				'The refresh token has already been used; refresh tokens rotate, use the newest one.',
			);
		let scopes = rt.scopes;
		if (form.scope) {
			const asked = parseScopes(form.scope);
			const extra = asked.filter((s) => !rt.scopes.includes(s));
			if (extra.length)
				throw oauthError(
					400,
					'invalid_scope',
					`A refresh cannot widen the grant: ${extra.join(' ')}.`,
				);
			scopes = asked;
		}
		const family = st.familyOfRefresh.get(rt.token);
		const rotate = surf.refresh === 'rotate';
		if (rotate) rt.used = true;
		const out = app.tokens.issue({
			surface: surf.id,
			clientId: client.client_id,
			scopes,
			lifetimeSeconds: app.lifetimes[surf.id],
			withRefresh: rotate,
			subject: rt.subject,
			patient: rt.patient,
		});
		if (!rotate) out.refresh_token = rt.token;
		addToFamily(st, family, out);
		return reply({ ...out, ...smartExtras(surf, scopes, rt.patient) });
	}

	if (grant === 'client_credentials') {
		if (!surf.backendServices)
			throw oauthError(
				400,
				'unsupported_grant_type',
				'client_credentials is not supported by this server.',
			);
		if (client.token_endpoint_auth !== 'private_key_jwt') {
			throw oauthError(
				400,
				'unauthorized_client',
				`client_credentials needs a client_assertion (${JWT_BEARER}), signed with a registered key.`,
			);
		}
		const scopes = parseScopes(form.scope);
		if (!scopes.length)
			throw oauthError(400, 'invalid_scope', 'scope is required (system/ scopes).');
		const notSystem = scopes.filter((s) => !s.startsWith('system/'));
		if (notSystem.length)
			throw oauthError(
				400,
				'invalid_scope',
				`Only system/ scopes can be granted with client_credentials: ${notSystem.join(' ')}.`,
			);
		const bad = unallowedScopes(client, scopes);
		if (bad.length)
			throw oauthError(
				400,
				'invalid_scope',
				`The client is not allowed the scope(s): ${bad.join(' ')}.`,
			);
		return reply(
			app.tokens.issue({
				surface: surf.id,
				clientId: client.client_id,
				scopes,
				lifetimeSeconds: app.lifetimes.clientCredentials,
				withRefresh: false,
			}),
		);
	}

	if (grant === 'password' && surf.id === 'emp') {
		throw oauthError(
			400,
			'unsupported_grant_type',
			'The password grant is disabled on this server (off by default, not considered secure).',
		);
	}
	throw oauthError(400, 'unsupported_grant_type', `grant_type "${grant}" is not supported.`);
}

export function registerToken(app: SandboxApp, st: OAuthState, surf: OAuthSurface): void {
	app.route('POST', surf.tokenPath, surf.id, (req, res) => tokenRequest(app, st, surf, req, res));
}
