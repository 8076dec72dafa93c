// The access token of one execution, kept so that n8n does not re-read (decrypt and evaluate the
// expressions of) the credential on every request. n8n's `requestOAuth2` calls `getCredentials`
// for each request it signs, and so does `httpRequestWithAuthentication` for the credentials whose
// token our own `preAuthentication` makes (1upHealth, SMART Backend Services: n8n runs it when the
// token field is empty or after a 401, saves the token on the credential and signs with
// `authenticate`); inside a real n8n that is most of the per-request time. Rules:
//   - kept per execution (execution-memo.ts: keyed on its context object, `this`): nothing
//     outlives the execution, nothing is shared between executions or workers;
//   - filled only after a request succeeded through n8n's own helper (so the credential is
//     connected, and n8n refreshed it if it had to), from the credential as stored then;
//   - used only for a request to the origin of the credential's own API (the FHIR base URL of its
//     vendor profile, the MyPatientPortal portal URL): every other origin, redirects included,
//     goes through n8n's helper as before and never sees the cached token;
//   - signed the way n8n signs it (`Authorization: Bearer <token>`, only for a bearer token, with
//     the credential's "Ignore SSL Issues");
//   - a 401 forgets it, and the request is made again once through n8n's helper, which refreshes
//     and saves the token as it always did (request.ts);
//   - while no token is kept, one request at a time goes through n8n's helper for it: requests of
//     the same execution that start meanwhile (a bulk export's parallel downloads) wait for it and
//     then use the token it kept, so an empty or refused token is fetched or renewed once, not
//     once per request in flight; if it kept none, each goes through n8n's helper as before;
//   - a preAuthentication token is kept with its stored expiry: within the renewal window
//     (renewal.ts) it is forgotten and the request goes through the renewal check and n8n's helper,
//     which renews it before it expires as before.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { ExecutionMemo } from '../execution-memo';
import { credentialBaseUrl, getVendorProfile } from '../vendors';
import { EXPIRING_CREDENTIALS, expiresAtMs, isExpiring } from './renewal';
import type { Ctx } from './types';

export interface CachedToken {
	/** the `Authorization` header value */
	authorization: string;
	/** origin of the credential's own API: the only origin the token is sent to from the cache */
	origin: string;
	ignoreSsl: boolean;
	/** a preAuthentication token's stored expiry (ms), when the credential has one */
	expiresAt?: number;
}

/**
 * Credential types whose token is kept → the base URL of their own API: the OAuth2 ones (they
 * extend oAuth2Api; token in `oauthTokenData`) and the preAuthentication ones of
 * EXPIRING_CREDENTIALS (token and expiry in their hidden fields, signed `Bearer <token>` by their
 * `authenticate`)
 */
const API_BASE: Record<string, (c: ICredentialDataDecryptedObject, type: string) => string> = {
	onpatientOAuth2Api: (c, t) => getVendorProfile(t, c).fhirBaseUrl,
	eMedicalPracticeOAuth2Api: (c, t) => getVendorProfile(t, c).fhirBaseUrl,
	smartOnFhirOAuth2Api: (c, t) => getVendorProfile(t, c).fhirBaseUrl,
	myPatientPortalOAuth2Api: (c, t) => credentialBaseUrl(c.portalUrl, 'Portal URL', t),
	// the FHIR base and (1upHealth) the user management API are both under the API host
	oneUpHealthApi: (c, t) => credentialBaseUrl(c.apiHost, 'API host', t),
	smartBackendServicesApi: (c, t) => getVendorProfile(t, c).fhirBaseUrl,
};

/** `null`: looked at and not cacheable (no bearer token, unusable base URL) */
const cache = new ExecutionMemo<CachedToken | null>();

export function cachesToken(credentialType: string): boolean {
	return credentialType in API_BASE;
}

/** The cached token for a request to `url`, if there is one for this context and that origin. */
export function cachedToken(
	ctx: Ctx,
	credentialType: string,
	url: string,
): CachedToken | undefined {
	const entry = cache.get(ctx, credentialType);
	if (!entry) return undefined;
	if (entry.expiresAt !== undefined && isExpiring(entry.expiresAt)) {
		// near its expiry: the renewal check and n8n's helper renew it, then it is read again
		forgetToken(ctx, credentialType);
		return undefined;
	}
	let origin: string;
	try {
		origin = new URL(url).origin;
	} catch {
		return undefined;
	}
	return origin === entry.origin ? entry : undefined;
}

export function hasCacheEntry(ctx: Ctx, credentialType: string): boolean {
	return cache.has(ctx, credentialType);
}

export function forgetToken(ctx: Ctx, credentialType: string): void {
	cache.delete(ctx, credentialType);
}

/** Forgets the kept token only if it is still the one that was refused (another request may already have kept a renewed one). */
export function forgetRefusedToken(ctx: Ctx, credentialType: string, authorization: string): void {
	const entry = cache.get(ctx, credentialType);
	if (entry && entry.authorization === authorization) forgetToken(ctx, credentialType);
}

/** the request of a context that is getting a credential's token through n8n's helper */
const fetching = new ExecutionMemo<Promise<void>>();

/**
 * Marks this request as the one of its context that gets `credentialType`'s token through n8n's
 * helper (when no other does); call the returned function once it kept the token or failed.
 */
export function fetchingToken(ctx: Ctx, credentialType: string): () => void {
	if (fetching.has(ctx, credentialType)) return () => undefined;
	let settle!: () => void;
	const p = new Promise<void>((resolve) => (settle = resolve));
	fetching.set(ctx, credentialType, p);
	return () => {
		if (fetching.get(ctx, credentialType) === p) fetching.delete(ctx, credentialType);
		settle();
	};
}

/** What settles once the request of this context that is getting the token kept it or failed, if one is. */
export function tokenBeingFetched(ctx: Ctx, credentialType: string): Promise<void> | undefined {
	return fetching.get(ctx, credentialType);
}

/** Reads the credential as stored now and keeps its token for this context (see the rules above). */
export async function rememberToken(ctx: Ctx, credentialType: string): Promise<void> {
	const base = API_BASE[credentialType];
	if (!base) return;
	let entry: CachedToken | null = null;
	try {
		const c = await ctx.getCredentials(credentialType);
		const spec = EXPIRING_CREDENTIALS[credentialType];
		if (spec) {
			// preAuthentication: `authenticate` signs `Bearer {{$credentials.<tokenField>}}`
			const token = c[spec.tokenField];
			if (typeof token === 'string' && token !== '') {
				entry = {
					authorization: `Bearer ${token}`,
					origin: new URL(base(c, credentialType)).origin,
					ignoreSsl: false,
					expiresAt: expiresAtMs(c[spec.expiresAtField]),
				};
			}
		} else {
			const data = c.oauthTokenData as { access_token?: unknown; token_type?: unknown } | undefined;
			const token = data?.access_token;
			// n8n signs with a bearer header only for a bearer token (client-oauth2's default type)
			const type = typeof data?.token_type === 'string' ? data.token_type.toLowerCase() : 'bearer';
			if (typeof token === 'string' && token !== '' && type === 'bearer') {
				entry = {
					authorization: `Bearer ${token}`,
					origin: new URL(base(c, credentialType)).origin,
					ignoreSsl: c.ignoreSSLIssues === true,
				};
			}
		}
	} catch {
		entry = null; // keep n8n's own path for this credential
	}
	cache.set(ctx, credentialType, entry);
}
