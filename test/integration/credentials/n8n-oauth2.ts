// n8n's OAuth2 "Connect" and refresh, reproduced with n8n's own client library
// (@n8n/client-oauth2) as packages/cli/src/controllers/oauth/oauth2-credential.controller.ts
// and request-helper-functions.ts (requestOAuth2) use it, driven by a credential type's
// declared fields (defaults and `={{$self[...]}}` expressions resolved like n8n does).
import { createHash, randomBytes } from 'node:crypto';
import * as qs from 'node:querystring';
import { ClientOAuth2, type ClientOAuth2Options, type ClientOAuth2Token } from '@n8n/client-oauth2';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { CredentialRegistry } from '../../harness/credentials';
import type { Sandbox } from '../../../sandbox/server';

export const REDIRECT_URI = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

const registry = new CredentialRegistry();

/** The credential as n8n sees it on "Connect": stored `scope` dropped, defaults + expressions applied. */
export function resolveCredential(
	type: string,
	stored: ICredentialDataDecryptedObject,
): ICredentialDataDecryptedObject {
	if (!registry.get(type)) throw new Error(`credential type ${type} not found in credentials/`);
	const { scope: _dropped, ...rest } = stored; // the controller deletes a stored scope of non-generic types
	return registry.resolve(type, rest);
}

/** convertCredentialToOptions from the OAuth2 controller. */
function toOptions(c: ICredentialDataDecryptedObject): ClientOAuth2Options {
	const scope = c.scope as string | undefined;
	return {
		clientId: String(c.clientId),
		clientSecret: String(c.clientSecret ?? ''),
		accessTokenUri: String(c.accessTokenUrl ?? ''),
		authorizationUri: String(c.authUrl ?? ''),
		authentication: (c.authentication as 'header' | 'body') ?? 'header',
		redirectUri: REDIRECT_URI,
		scopes: (scope ?? 'openid').split(','),
		scopesSeparator: scope?.includes(',') ? ',' : ' ',
	};
}

export interface ConnectResult {
	authorizeUrl: string;
	token: ClientOAuth2Token;
	credentials: ICredentialDataDecryptedObject;
}

/** "Connect" in the credential modal: authorize URL → (auto-approved) redirect → token exchange. */
export async function connect(
	sb: Sandbox,
	type: string,
	stored: ICredentialDataDecryptedObject,
): Promise<ConnectResult> {
	const c = resolveCredential(type, stored);
	const state = Buffer.from(
		JSON.stringify({ token: randomBytes(8).toString('hex'), cid: 'test' }),
	).toString('base64');
	const authOptions: ClientOAuth2Options = { ...toOptions(c), state };
	if (c.authQueryParameters)
		authOptions.query = qs.parse(String(c.authQueryParameters)) as Record<string, string>;
	// oauth.service.ts shouldUsePkce (n8n 2.41): grantType pkce, or authorizationCode with usePkce
	const usePkce =
		c.grantType === 'pkce' || (c.grantType === 'authorizationCode' && c.usePkce === true);
	let codeVerifier: string | undefined;
	if (usePkce) {
		codeVerifier = randomBytes(48).toString('base64url');
		const challenge = createHash('sha256').update(codeVerifier).digest('base64url');
		authOptions.query = {
			...authOptions.query,
			code_challenge: challenge,
			code_challenge_method: 'S256',
		};
	}
	const authorizeUrl = new ClientOAuth2(authOptions).code.getUri();

	sb.app.autoApprove = true;
	let location: string;
	try {
		const r = await fetch(authorizeUrl, { redirect: 'manual' });
		if (r.status !== 302)
			throw new Error(`authorize page answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
		location = r.headers.get('location')!;
	} finally {
		sb.app.autoApprove = false;
	}

	// handleCallback (n8n 2.41): the code_verifier for PKCE, with the secret as the client authenticates
	const oAuthOptions = toOptions(c);
	const isPkce = c.grantType === 'pkce' || c.usePkce === true;
	const isBodyAuth = c.authentication === 'body';
	const body: Record<string, unknown> = { ...(oAuthOptions.body ?? {}) };
	if (isPkce) body.code_verifier = codeVerifier;
	if (isBodyAuth) {
		body.client_id = oAuthOptions.clientId;
		if (oAuthOptions.clientSecret) body.client_secret = oAuthOptions.clientSecret;
		delete oAuthOptions.clientSecret;
	}
	const options: Partial<ClientOAuth2Options> =
		isPkce || isBodyAuth ? { body: body as ClientOAuth2Options['body'] } : {};
	const query = location.split('?').slice(1).join('');
	const token = await new ClientOAuth2(oAuthOptions).code.getToken(
		`${REDIRECT_URI}?${query}`,
		options,
	);
	return { authorizeUrl, token, credentials: c };
}

/** requestOAuth2's refresh after a 401 (no includeCredentialsOnRefreshOnBody). */
export async function refresh(
	c: ICredentialDataDecryptedObject,
	tokenData: Record<string, unknown>,
): Promise<ClientOAuth2Token> {
	const scope = c.scope as string | undefined;
	const client = new ClientOAuth2({
		clientId: String(c.clientId),
		clientSecret: String(c.clientSecret ?? ''),
		accessTokenUri: String(c.accessTokenUrl),
		scopes: scope ? scope.split(' ') : undefined,
		authentication: (c.authentication as 'header' | 'body') ?? 'header',
	});
	return await client.createToken(tokenData as never).refresh();
}
