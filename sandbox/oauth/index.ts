// The OAuth side of the sandbox: client registry, authorize pages, token endpoints, 1upHealth
// user management, SMART Backend Services and the discovery documents.
//
// | surface   | authorize                      | token                      | client auth (default clients)        |
// |-----------|--------------------------------|----------------------------|--------------------------------------|
// | onpatient | /onpatient/auth/o/authorize/   | /onpatient/auth/o/token/   | form body only                       |
// | oneup     | (user management, no browser)  | /1up/auth/oauth2/token     | form body only; refresh rotates      |
// | mpp       | /mpp/oauth/authorize           | /mpp/oauth/token           | Basic or body                        |
// | emp       | /emp/connect/authorize         | /emp/connect/token         | Basic only / public + PKCE / JWT     |
// | smart     | /smart/auth/authorize          | /smart/auth/token          | Basic or body / public + PKCE / JWT  |
//
// Clients: sandbox/clients.json (SandboxOptions.clientsFile overrides it).
import type { SandboxApp } from '../app';
import { PREFIX } from '../app';
import { sendJson, type SandboxRequest } from '../http';
import { ClientRegistry, n8nCallbackUris } from './clients';
import { registerAuthorize, registerToken, type OAuthState, type OAuthSurface } from './flows';
import { registerOneUp } from './oneup';

export const OAUTH_SURFACES: OAuthSurface[] = [
	{
		id: 'onpatient',
		vendor: 'onpatient',
		authorizePath: `${PREFIX.onpatientAuth}/o/authorize/`,
		tokenPath: `${PREFIX.onpatientAuth}/o/token/`,
		refresh: 'always',
		backendServices: false,
		// "omitted to default to all scopes"
		defaultScopes: (c) => [...c.scopes],
	},
	{
		id: 'oneup',
		vendor: '1upHealth',
		tokenPath: `${PREFIX.oneupAuth}/oauth2/token`,
		refresh: 'rotate',
		backendServices: false,
	},
	{
		id: 'mpp',
		vendor: 'MyPatientPortal',
		authorizePath: `${PREFIX.mpp}/oauth/authorize`,
		tokenPath: `${PREFIX.mpp}/oauth/token`,
		refresh: 'always',
		backendServices: false,
		defaultScopes: (c) => c.scopes.filter((s) => !['openid', 'profile', 'email'].includes(s)),
	},
	{
		id: 'emp',
		vendor: 'eMedicalPractice',
		authorizePath: `${PREFIX.emp}/connect/authorize`,
		tokenPath: `${PREFIX.emp}/connect/token`,
		audPath: `${PREFIX.emp}/fhir/r4`,
		refresh: 'offline_access',
		backendServices: true,
	},
	{
		id: 'smart',
		vendor: 'SMART on FHIR server',
		authorizePath: `${PREFIX.smart}/auth/authorize`,
		tokenPath: `${PREFIX.smart}/auth/token`,
		audPath: `${PREFIX.smart}/fhir`,
		refresh: 'always',
		backendServices: true,
	},
];

function oauthState(app: SandboxApp): OAuthState {
	return app.state.oauth as OAuthState;
}

function scopesOf(st: OAuthState, surface: string): string[] {
	return [
		...new Set(st.registry.clients.filter((c) => c.surface === surface).flatMap((c) => c.scopes)),
	];
}

function smartConfiguration(
	app: SandboxApp,
	req: SandboxRequest,
	surf: OAuthSurface,
): Record<string, unknown> {
	const o = req.url.origin;
	const st = oauthState(app);
	const methods = [
		...new Set(
			st.registry.clients.filter((c) => c.surface === surf.id).map((c) => c.token_endpoint_auth),
		),
	].flatMap((m) => (m === 'both' ? ['client_secret_basic', 'client_secret_post'] : [m]));
	return {
		issuer: `${o}${surf.id === 'emp' ? PREFIX.emp : PREFIX.smart}`,
		authorization_endpoint: `${o}${surf.authorizePath}`,
		token_endpoint: `${o}${surf.tokenPath}`,
		token_endpoint_auth_methods_supported: [...new Set(methods)],
		token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
		grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
		response_types_supported: ['code'],
		scopes_supported: scopesOf(st, surf.id),
		code_challenge_methods_supported: ['S256'],
		capabilities: [
			'launch-standalone',
			'client-public',
			'client-confidential-symmetric',
			'client-confidential-asymmetric',
			'context-standalone-patient',
			'sso-openid-connect',
			'permission-offline',
			'permission-patient',
			'permission-user',
			'permission-v1',
			'permission-v2',
		],
	};
}

function openidConfiguration(
	app: SandboxApp,
	req: SandboxRequest,
	surf: OAuthSurface,
	issuerPath: string,
): Record<string, unknown> {
	const o = req.url.origin;
	const st = oauthState(app);
	return {
		issuer: `${o}${issuerPath}`,
		authorization_endpoint: `${o}${surf.authorizePath}`,
		token_endpoint: `${o}${surf.tokenPath}`,
		...(surf.id === 'mpp' ? { userinfo_endpoint: `${o}${PREFIX.mpp}/oauth/userinfo` } : {}),
		scopes_supported: scopesOf(st, surf.id),
		response_types_supported: ['code'],
		grant_types_supported: surf.backendServices
			? ['authorization_code', 'refresh_token', 'client_credentials']
			: ['authorization_code', 'refresh_token'],
		subject_types_supported: ['public'],
		id_token_signing_alg_values_supported: ['RS256'],
		token_endpoint_auth_methods_supported:
			surf.id === 'mpp'
				? ['client_secret_basic', 'client_secret_post']
				: ['client_secret_basic', 'private_key_jwt', 'none'],
		code_challenge_methods_supported: ['S256'],
	};
}

/** The clients file, plus the redirect URIs the options add (`redirectUris`, `n8nPorts`). */
function loadRegistry(app: SandboxApp, file: string | undefined): ClientRegistry {
	const registry = ClientRegistry.load(file);
	const { redirectUris = [], n8nPorts = [] } = app.options;
	registry.addRedirectUris([...redirectUris, ...n8nPorts.flatMap((p) => n8nCallbackUris(p))]);
	return registry;
}

export function register(app: SandboxApp): void {
	const file = typeof app.options.clientsFile === 'string' ? app.options.clientsFile : undefined;
	const st: OAuthState = {
		registry: loadRegistry(app, file),
		seenJti: new Map(),
		families: new Map(),
		familyOfRefresh: new Map(),
		requirePkce: new Set(),
	};
	app.state.oauth = st;
	app.onReset(() => {
		st.seenJti.clear();
		st.families.clear();
		st.familyOfRefresh.clear();
		st.requirePkce.clear();
	});
	registerSettings(app, st);

	for (const surf of OAUTH_SURFACES) {
		registerAuthorize(app, st, surf);
		registerToken(app, st, surf);
	}
	registerOneUp(app, st);

	const surf = (id: string) => OAUTH_SURFACES.find((s) => s.id === id)!;
	app.route('GET', `${PREFIX.emp}/fhir/r4/.well-known/smart-configuration`, 'emp', (req, res) =>
		sendJson(res, 200, smartConfiguration(app, req, surf('emp'))),
	);
	app.route('GET', `${PREFIX.smart}/fhir/.well-known/smart-configuration`, 'smart', (req, res) =>
		sendJson(res, 200, smartConfiguration(app, req, surf('smart'))),
	);
	app.route('GET', `${PREFIX.mpp}/.well-known/openid-configuration`, 'mpp', (req, res) =>
		sendJson(res, 200, openidConfiguration(app, req, surf('mpp'), PREFIX.mpp)),
	);
	app.route('GET', `${PREFIX.emp}/.well-known/openid-configuration`, 'emp', (req, res) =>
		sendJson(res, 200, openidConfiguration(app, req, surf('emp'), PREFIX.emp)),
	);

	const userinfo = (req: SandboxRequest, res: Parameters<typeof sendJson>[0]) => {
		const tok = app.requireBearer(
			req,
			res,
			'mpp',
			(scopes) => scopes.includes('openid') || scopes.includes('profile'),
		);
		if (!tok) return;
		sendJson(res, 200, {
			sub: tok.subject ?? tok.patient ?? tok.clientId,
			patient_id: tok.patient,
		});
	};
	app.route('GET', `${PREFIX.mpp}/oauth/userinfo`, 'mpp', userinfo);
	app.route('POST', `${PREFIX.mpp}/oauth/userinfo`, 'mpp', userinfo);
}

/**
 * `GET|POST /_admin/oauth/settings`: `{requirePkce: true | false | surface ids}` makes the
 * authorize pages of those surfaces (true = every surface) refuse a confidential client that sends
 * no PKCE code_challenge, as SMART App Launch 2 servers may; `POST /_admin/reset` turns it off.
 */
function registerSettings(app: SandboxApp, st: OAuthState): void {
	const settings = () => ({ requirePkce: [...st.requirePkce].sort() });
	app.route('GET', '/_admin/oauth/settings', 'admin', (_req, res) =>
		sendJson(res, 200, settings()),
	);
	app.route('POST', '/_admin/oauth/settings', 'admin', (req, res) => {
		const body = req.json<{ requirePkce?: unknown }>() ?? {};
		const known = OAUTH_SURFACES.filter((s) => s.authorizePath).map((s) => s.id as string);
		const want = body.requirePkce;
		if (want !== undefined) {
			const list = want === true ? known : want === false ? [] : want;
			if (
				!Array.isArray(list) ||
				list.some((id) => typeof id !== 'string' || !known.includes(id))
			) {
				return sendJson(res, 400, {
					error: 'invalid_setting',
					error_description: `requirePkce is true, false or a list of: ${known.join(', ')}`,
				});
			}
			st.requirePkce.clear();
			for (const id of list as string[]) st.requirePkce.add(id);
		}
		sendJson(res, 200, settings());
	});
}
