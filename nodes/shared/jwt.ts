// SMART Backend Services client assertions (RFC 7523 / SMART App Launch "Backend Services"),
// signed with node:crypto only. Also derives the public JWKS a user registers at the server.
//
// Errors are CredentialFieldError: the message names the credential field to fix and never
// contains key material.
import {
	createPrivateKey,
	createPublicKey,
	randomUUID,
	sign,
	type KeyObject,
	type JsonWebKey,
} from 'node:crypto';
import { CredentialFieldError } from './credentials-util';

export type AssertionAlgorithm = 'RS384' | 'ES384';
export const ASSERTION_ALGORITHMS: AssertionAlgorithm[] = ['RS384', 'ES384'];
/** SMART: exp no more than five minutes in the future. We stay under it. */
export const MAX_ASSERTION_LIFETIME_S = 300;
export const DEFAULT_ASSERTION_LIFETIME_S = 240;
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Reads a private key from a PKCS#8 PEM (also PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE
 * KEY" PEMs) or a private JWK in JSON. Pasted PEMs with literal `\n` sequences are accepted.
 */
export function parsePrivateKey(input: unknown, field = 'Private Key'): KeyObject {
	if (typeof input !== 'string' || input.trim() === '') {
		throw new CredentialFieldError(
			field,
			`${field} is empty. Paste the PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or the private JWK (JSON) of the key registered at the server.`,
		);
	}
	const text = input.trim();
	if (text.startsWith('{')) {
		let jwk: (JsonWebKey & { d?: string }) | undefined;
		try {
			jwk = JSON.parse(text) as JsonWebKey;
		} catch {
			jwk = undefined;
		}
		if (jwk === undefined) {
			throw new CredentialFieldError(
				field,
				`${field} looks like JSON but is not valid JSON. Paste a private JWK such as {"kty":"RSA",…,"d":"…"} or a PKCS#8 PEM.`,
			);
		}
		if (!jwk || typeof jwk !== 'object' || !jwk.kty)
			throw new CredentialFieldError(field, `${field} is JSON but not a JWK (no "kty").`);
		// a symmetric key has no "d" either, but it is no public key: it cannot sign these assertions at all
		if (String(jwk.kty).toLowerCase() === 'oct') {
			throw new CredentialFieldError(
				field,
				`${field} is a symmetric JWK (kty "oct"): a symmetric (oct) key cannot sign RS384/ES384 assertions; paste the RSA or EC private key (PKCS#8 PEM or private JWK).`,
			);
		}
		if (!jwk.d)
			throw new CredentialFieldError(
				field,
				`${field} is a public JWK (no "d"). Paste the PRIVATE key; the server only needs the public half.`,
			);
		const needed =
			jwk.kty === 'RSA'
				? ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']
				: jwk.kty === 'EC'
					? ['crv', 'x', 'y', 'd']
					: [];
		const missing = needed.filter(
			(k) =>
				typeof (jwk as Record<string, unknown>)[k] !== 'string' ||
				!(jwk as Record<string, string>)[k],
		);
		if (missing.length) {
			throw new CredentialFieldError(
				field,
				`${field} is an ${String(jwk.kty)} JWK without ${missing.map((k) => `"${k}"`).join(', ')}. Paste the complete private JWK (or a PKCS#8 PEM).`,
			);
		}
		const fromJwk = tryKey(() => createPrivateKey({ key: jwk, format: 'jwk' }));
		if (!fromJwk) {
			throw new CredentialFieldError(
				field,
				`${field} is a JWK that cannot be used as a private key (kty "${String(jwk.kty)}"). Use an RSA (RS384) or P-384 EC (ES384) key.`,
			);
		}
		return fromJwk;
	}
	const pem = unfoldPem(
		text.includes('\\n') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text,
	);
	if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
		if (/-----BEGIN (PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY)-----/.test(pem)) {
			throw new CredentialFieldError(
				field,
				`${field} holds a public key or certificate. Paste the PRIVATE key (PKCS#8 PEM, -----BEGIN PRIVATE KEY-----).`,
			);
		}
		if (/ENCRYPTED PRIVATE KEY/.test(pem)) {
			throw new CredentialFieldError(
				field,
				`${field} is an encrypted PEM. Export it unencrypted as PKCS#8 (openssl pkcs8 -topk8 -nocrypt).`,
			);
		}
		throw new CredentialFieldError(
			field,
			`${field} is not a PEM private key or a JWK. Expected -----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----.`,
		);
	}
	// PKCS#8 "ENCRYPTED PRIVATE KEY", or a PKCS#1 / SEC1 PEM with "Proc-Type: 4,ENCRYPTED"
	if (/ENCRYPTED PRIVATE KEY|Proc-Type:\s*4,\s*ENCRYPTED/i.test(pem)) {
		throw new CredentialFieldError(
			field,
			`${field} is an encrypted PEM. Export it unencrypted as PKCS#8 (openssl pkcs8 -topk8 -nocrypt).`,
		);
	}
	const fromPem = tryKey(() => createPrivateKey({ key: pem, format: 'pem' }));
	if (!fromPem) {
		throw new CredentialFieldError(
			field,
			`${field} is a malformed PEM: it could not be read as a private key. Paste the whole key including the BEGIN/END lines.`,
		);
	}
	return fromPem;
}

/**
 * A PEM pasted into a one-line field (line breaks turned into spaces) back into lines:
 * `-----BEGIN X----- MIIE… -----END X-----` → header, base64 in 64-character lines, footer.
 */
function unfoldPem(pem: string): string {
	const m = /^(-----BEGIN [A-Z0-9 ]+-----)([\s\S]*?)(-----END [A-Z0-9 ]+-----)\s*$/.exec(
		pem.trim(),
	);
	if (!m || /\n\s*\S/.test(m[2].trim()) || /:/.test(m[2])) return pem; // already in lines, or has headers
	const body = m[2].replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/=]+$/.test(body)) return pem;
	return `${m[1]}\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n${m[3]}\n`;
}

function tryKey(make: () => KeyObject): KeyObject | undefined {
	try {
		return make();
	} catch {
		return undefined;
	}
}

/** Checks that the key can sign with the algorithm: RSA (≥ 2048 bits) for RS384, P-384 EC for ES384. */
export function assertKeyMatchesAlgorithm(
	key: KeyObject,
	algorithm: string,
	field = 'Private Key',
	algorithmField = 'Algorithm',
): AssertionAlgorithm {
	if (!(ASSERTION_ALGORITHMS as string[]).includes(algorithm)) {
		throw new CredentialFieldError(
			algorithmField,
			`${algorithmField} "${algorithm}" is not supported. Choose RS384 or ES384.`,
		);
	}
	const type = key.asymmetricKeyType;
	const details = key.asymmetricKeyDetails ?? {};
	if (algorithm === 'RS384') {
		if (type !== 'rsa') {
			throw new CredentialFieldError(
				field,
				`${field} is ${describeKey(key)}, but ${algorithmField} RS384 needs an RSA key. Choose ES384 for a P-384 EC key, or paste an RSA key.`,
			);
		}
		if ((details.modulusLength ?? 0) < 2048) {
			throw new CredentialFieldError(
				field,
				`${field} is an RSA key of ${String(details.modulusLength)} bits; RS384 needs at least 2048 bits.`,
			);
		}
	} else {
		if (type !== 'ec' || details.namedCurve !== 'secp384r1') {
			throw new CredentialFieldError(
				field,
				`${field} is ${describeKey(key)}, but ${algorithmField} ES384 needs an EC key on curve P-384. Choose RS384 for an RSA key, or paste a P-384 key.`,
			);
		}
	}
	return algorithm as AssertionAlgorithm;
}

function describeKey(key: KeyObject): string {
	const type = key.asymmetricKeyType;
	if (type === 'rsa') return 'an RSA key';
	if (type === 'ec')
		return `an EC key on curve ${String(key.asymmetricKeyDetails?.namedCurve ?? 'unknown')}`;
	return `a ${String(type ?? 'unknown')} key`;
}

function b64url(data: Buffer | string): string {
	return Buffer.from(data).toString('base64url');
}

export interface ClientAssertionOptions {
	clientId: string;
	/** the token endpoint URL, exactly: it becomes `aud` */
	tokenUrl: string;
	privateKey: KeyObject | string;
	keyId: string;
	algorithm: AssertionAlgorithm | string;
	/** seconds until exp; capped at 300 (default 240) */
	lifetimeSeconds?: number;
	/** epoch seconds "now" (tests) */
	now?: number;
	jti?: string;
	/** optional JWKS URL put in the header */
	jku?: string;
}

/** Signs a fresh client assertion: new jti, exp ≤ 5 minutes, iss = sub = client id, aud = token URL. */
export function signClientAssertion(o: ClientAssertionOptions): string {
	if (!o.clientId) throw new CredentialFieldError('Client ID', 'Client ID is empty.');
	if (!o.keyId)
		throw new CredentialFieldError(
			'Key ID',
			'Key ID (kid) is empty. Enter the kid of the key you registered in the JWKS at the server.',
		);
	if (!o.tokenUrl) throw new CredentialFieldError('Token URL', 'Token URL is empty.');
	const key = typeof o.privateKey === 'string' ? parsePrivateKey(o.privateKey) : o.privateKey;
	const alg = assertKeyMatchesAlgorithm(key, o.algorithm);
	const now = Math.floor(o.now ?? Date.now() / 1000);
	const life = Math.max(
		1,
		Math.min(o.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_S, MAX_ASSERTION_LIFETIME_S),
	);
	const header: Record<string, string> = { alg, typ: 'JWT', kid: o.keyId };
	if (o.jku) header.jku = o.jku;
	const payload = {
		iss: o.clientId,
		sub: o.clientId,
		aud: o.tokenUrl,
		exp: now + life,
		iat: now,
		jti: o.jti ?? randomUUID(),
	};
	const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
	const signature =
		alg === 'ES384'
			? sign('sha384', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
			: sign('sha384', Buffer.from(input), key);
	return `${input}.${b64url(signature)}`;
}

export interface PublicJwk extends JsonWebKey {
	kid: string;
	alg: AssertionAlgorithm;
	use: 'sig';
	key_ops: string[];
}

/** The public JWKS to register at the server for this private key (no private parts). */
export function publicJwks(
	privateKey: KeyObject | string,
	keyId: string,
	algorithm: AssertionAlgorithm | string,
): { keys: PublicJwk[] } {
	const key = typeof privateKey === 'string' ? parsePrivateKey(privateKey) : privateKey;
	const alg = assertKeyMatchesAlgorithm(key, algorithm);
	const pub = createPublicKey(key).export({ format: 'jwk' });
	const allowed = alg === 'RS384' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y'];
	const clean: JsonWebKey = {};
	for (const k of allowed)
		(clean as Record<string, unknown>)[k] = (pub as Record<string, unknown>)[k];
	return { keys: [{ ...clean, kid: keyId, alg, use: 'sig', key_ops: ['verify'] }] };
}
