// SMART Backend Services client authentication: verifies a `client_assertion` JWT against the
// JWKS the client registered, with `jose`. Every rule of the SMART spec is checked; a failure
// throws an RFC 6749 `invalid_client` (401) that says which rule failed.
import type * as Jose from 'jose';
import { HttpError } from '../http';
import type { Clock } from '../clock';
import type { ClientRegistration, ClientRegistry, PublicJwk } from './clients';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const ASSERTION_ALGS = ['RS384', 'ES384'] as const;
/** SMART: `exp` no more than five minutes in the future; a few seconds of skew are tolerated. */
export const MAX_EXP_AHEAD_S = 300;
const SKEW_S = 5;

let joseModule: typeof Jose | undefined;
/**
 * `jose` 6 is ESM only. Jest's CommonJS runtime cannot load it through its own `require`, so it
 * is loaded with Node's genuine require (Node ≥ 20.19 loads ES modules synchronously).
 */
export function jose(): typeof Jose {
	if (!joseModule) {
		const mod = process.getBuiltinModule('node:module');
		joseModule = mod.createRequire(__filename)('jose') as typeof Jose;
	}
	return joseModule;
}

export function oauthError(
	status: number,
	error: string,
	description: string,
	headers: Record<string, string> = {},
): HttpError {
	return new HttpError(
		status,
		{ error, error_description: description },
		{ 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers },
	);
}

const invalidClient = (description: string) => oauthError(401, 'invalid_client', description);

/** The algorithm a registered public key can verify. */
function algOfKey(jwk: PublicJwk): string | undefined {
	if (jwk.alg) return jwk.alg;
	if (jwk.kty === 'RSA') return 'RS384';
	if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384';
	return undefined;
}

export interface AssertionContext {
	surface: string;
	registry: ClientRegistry;
	clock: Clock;
	/** token URLs the assertion's `aud` may name (the token endpoint's absolute URL) */
	audiences: string[];
	/** client_id from the form body, if sent */
	formClientId?: string;
	/** jti → expiry (ms) per client, to refuse replays */
	seenJti: Map<string, number>;
}

export async function verifyClientAssertion(
	ctx: AssertionContext,
	assertionType: string | undefined,
	assertion: string | undefined,
): Promise<ClientRegistration> {
	if (assertionType !== JWT_BEARER) {
		throw oauthError(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}.`);
	}
	if (!assertion) throw oauthError(400, 'invalid_request', 'client_assertion is missing.');
	const j = jose();
	let header: Jose.ProtectedHeaderParameters;
	let claims: Jose.JWTPayload;
	try {
		header = j.decodeProtectedHeader(assertion);
		claims = j.decodeJwt(assertion);
	} catch {
		throw invalidClient('client_assertion is not a well-formed JWT.');
	}
	const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
	if (!iss) throw invalidClient('client_assertion has no iss claim (it must be the client_id).');
	const client = ctx.registry.get(ctx.surface, iss);
	if (!client) throw invalidClient(`Unknown client "${iss}" (iss of the client_assertion).`);
	if (client.token_endpoint_auth !== 'private_key_jwt') {
		throw invalidClient(
			'This client is not registered for private_key_jwt (SMART Backend Services).',
		);
	}
	if (ctx.formClientId && ctx.formClientId !== iss)
		throw invalidClient('client_id does not match the iss of the client_assertion.');
	if (claims.sub !== iss)
		throw invalidClient('client_assertion sub must equal iss (the client_id).');
	const alg = header.alg;
	if (!alg || !(ASSERTION_ALGS as readonly string[]).includes(alg)) {
		throw invalidClient(
			`client_assertion alg "${String(alg)}" is not supported; use RS384 or ES384.`,
		);
	}
	if (!header.kid) throw invalidClient('client_assertion header has no kid.');
	const jwk = client.jwks?.keys.find((k) => k.kid === header.kid);
	if (!jwk) throw invalidClient(`No registered key with kid "${header.kid}" for this client.`);
	if (algOfKey(jwk) !== alg) {
		throw invalidClient(
			`client_assertion alg ${alg} does not match the registered key "${header.kid}" (${String(algOfKey(jwk))}).`,
		);
	}
	let key: Awaited<ReturnType<typeof j.importJWK>>;
	try {
		key = await j.importJWK({ ...jwk, use: undefined } as Jose.JWK, alg);
	} catch {
		throw invalidClient(`The registered key "${header.kid}" cannot verify ${alg}.`);
	}
	const nowMs = ctx.clock.now();
	try {
		await j.jwtVerify(assertion, key, {
			algorithms: [alg],
			currentDate: new Date(nowMs),
			clockTolerance: SKEW_S,
			requiredClaims: ['exp', 'jti', 'iss', 'sub', 'aud'],
		});
	} catch (e) {
		const code = (e as { code?: string }).code;
		if (code === 'ERR_JWT_EXPIRED')
			throw invalidClient('client_assertion has expired (exp has passed).');
		if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
			throw invalidClient('client_assertion signature does not verify with the registered key.');
		if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
			throw invalidClient(`client_assertion claim check failed: ${(e as Error).message}.`);
		throw invalidClient('client_assertion could not be verified.');
	}
	const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
	if (!aud.some((a) => typeof a === 'string' && ctx.audiences.includes(a))) {
		throw invalidClient(`client_assertion aud must be the token URL (${ctx.audiences[0]}).`);
	}
	const exp = Number(claims.exp);
	const nowS = nowMs / 1000;
	if (exp > nowS + MAX_EXP_AHEAD_S + SKEW_S) {
		throw invalidClient('client_assertion exp is more than 5 minutes in the future.');
	}
	const jti = String(claims.jti);
	for (const [k, until] of ctx.seenJti) if (until < nowMs - 600_000) ctx.seenJti.delete(k);
	const jtiKey = `${client.client_id}|${jti}`;
	if (ctx.seenJti.has(jtiKey))
		throw invalidClient('client_assertion jti has been used before (replay).');
	ctx.seenJti.set(jtiKey, exp * 1000);
	return client;
}
