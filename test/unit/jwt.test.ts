// nodes/shared/jwt.ts: client assertions verify with jose; malformed or mismatched keys give
// errors that name the credential field and carry no key material.
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Jose from 'jose';
import { CredentialFieldError } from '../../nodes/shared/credentials-util';
import { fieldError } from '../helpers/field-error';
import {
	MAX_ASSERTION_LIFETIME_S,
	assertKeyMatchesAlgorithm,
	parsePrivateKey,
	publicJwks,
	signClientAssertion,
} from '../../nodes/shared/jwt';

// jose 6 is ESM only; load it with Node's own require (see sandbox/oauth/assertion.ts)
const jose = process.getBuiltinModule('node:module').createRequire(__filename)(
	'jose',
) as typeof Jose;

const KEYS = join(__dirname, '..', '..', 'sandbox', 'keys');
const RS_PEM = readFileSync(join(KEYS, 'TEST-ONLY-rs384-private.pem'), 'utf8');
const ES_PEM = readFileSync(join(KEYS, 'TEST-ONLY-es384-private.pem'), 'utf8');
const RS_JWK = readFileSync(join(KEYS, 'TEST-ONLY-rs384-private.jwk.json'), 'utf8');
const TOKEN_URL = 'https://ehr.example.org/connect/token';

describe('signClientAssertion', () => {
	it.each([
		['RS384', RS_PEM],
		['ES384', ES_PEM],
		['RS384', RS_JWK],
	] as const)(
		'%s assertion verifies with jose against the public JWKS, claims right',
		async (alg, key) => {
			const now = Math.floor(Date.now() / 1000);
			const jwt = signClientAssertion({
				clientId: 'app-1',
				tokenUrl: TOKEN_URL,
				privateKey: key,
				keyId: 'kid-1',
				algorithm: alg,
				now,
			});
			const jwks = publicJwks(key, 'kid-1', alg);
			const header = jose.decodeProtectedHeader(jwt);
			expect(header).toEqual({ alg, typ: 'JWT', kid: 'kid-1' });
			const pub = await jose.importJWK(jwks.keys[0] as Jose.JWK, alg);
			const { payload } = await jose.jwtVerify(jwt, pub, {
				algorithms: [alg],
				audience: TOKEN_URL,
				issuer: 'app-1',
				subject: 'app-1',
				currentDate: new Date(now * 1000),
			});
			expect(payload.exp! - now).toBeGreaterThan(0);
			expect(payload.exp! - now).toBeLessThanOrEqual(MAX_ASSERTION_LIFETIME_S);
			expect(typeof payload.jti).toBe('string');
		},
	);

	it('uses a new jti every time and caps exp at 5 minutes', () => {
		const opts = {
			clientId: 'a',
			tokenUrl: TOKEN_URL,
			privateKey: ES_PEM,
			keyId: 'k',
			algorithm: 'ES384',
			now: 1_700_000_000,
			lifetimeSeconds: 3600,
		};
		const a = jose.decodeJwt(signClientAssertion(opts));
		const b = jose.decodeJwt(signClientAssertion(opts));
		expect(a.jti).not.toBe(b.jti);
		expect(a.exp).toBe(1_700_000_000 + 300);
	});

	it('a signature from another key does not verify', async () => {
		const jwt = signClientAssertion({
			clientId: 'a',
			tokenUrl: TOKEN_URL,
			privateKey: RS_PEM,
			keyId: 'k',
			algorithm: 'RS384',
		});
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
		const pub = await jose.importJWK(publicJwks(other, 'k', 'RS384').keys[0] as Jose.JWK, 'RS384');
		await expect(jose.jwtVerify(jwt, pub)).rejects.toThrow();
	});

	it('publicJwks contains no private parts', () => {
		for (const [key, alg] of [
			[RS_PEM, 'RS384'],
			[ES_PEM, 'ES384'],
		] as const) {
			const k = publicJwks(key, 'kid', alg).keys[0] as unknown as Record<string, unknown>;
			for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k[p]).toBeUndefined();
			expect(k.kid).toBe('kid');
			expect(k.alg).toBe(alg);
		}
	});
});

describe('key validation names the field', () => {
	it('malformed PEM', () => {
		const e = fieldError(() =>
			parsePrivateKey(
				'-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----',
				'Private Key',
			),
		);
		expect(e.field).toBe('Private Key');
		expect(e.message).toContain('Private Key');
		expect(e.message).toContain('malformed');
	});

	it('text that is no key at all', () => {
		expect(fieldError(() => parsePrivateKey('hello')).message).toContain(
			'Private Key is not a PEM private key',
		);
	});

	it('empty key', () => {
		expect(fieldError(() => parsePrivateKey('  ')).message).toContain('Private Key is empty');
	});

	it('a public key instead of the private key', () => {
		const pub = createPrivateKey(RS_PEM)
			.export({ format: 'pem', type: 'pkcs1' })
			.toString()
			.replace(/PRIVATE/g, 'PUBLIC');
		expect(
			fieldError(() => parsePrivateKey(pub.replace('RSA PUBLIC', 'PUBLIC'))).message,
		).toContain('public key');
	});

	it('a public JWK instead of the private JWK', () => {
		const pubJwk = JSON.stringify(publicJwks(RS_PEM, 'k', 'RS384').keys[0]);
		expect(fieldError(() => parsePrivateKey(pubJwk)).message).toContain('public JWK');
	});

	it('a symmetric (oct) JWK gets its own message, not the public-JWK one, and no key material', () => {
		const secret = 'c2VjcmV0LXNoYXJlZC1rZXktbm90LWZvci1hc3NlcnRpb25z';
		for (const oct of [
			JSON.stringify({ kty: 'oct', k: secret, alg: 'HS256' }),
			JSON.stringify({ kty: 'oct', k: secret, d: 'x' }),
		]) {
			const e = fieldError(() => parsePrivateKey(oct));
			expect(e.field).toBe('Private Key');
			expect(e.message).toBe(
				'Private Key is a symmetric JWK (kty "oct"): a symmetric (oct) key cannot sign RS384/ES384 assertions; paste the RSA or EC private key (PKCS#8 PEM or private JWK).',
			);
			expect(e.message).not.toContain(secret);
		}
		expect(
			fieldError(() => publicJwks(JSON.stringify({ kty: 'oct', k: secret }), 'k', 'RS384')).message,
		).toContain('symmetric (oct) key cannot sign');
	});

	it('an RSA key with ES384 is refused, naming both fields', () => {
		const e = fieldError(() => assertKeyMatchesAlgorithm(parsePrivateKey(RS_PEM), 'ES384'));
		expect(e.field).toBe('Private Key');
		expect(e.message).toContain('Algorithm ES384');
		expect(e.message).toContain('RSA');
	});

	it('an EC key with RS384 is refused', () => {
		expect(
			fieldError(() =>
				signClientAssertion({
					clientId: 'a',
					tokenUrl: TOKEN_URL,
					privateKey: ES_PEM,
					keyId: 'k',
					algorithm: 'RS384',
				}),
			).message,
		).toContain('RS384 needs an RSA key');
	});

	it('an EC key on another curve is refused for ES384', () => {
		const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
			.privateKey.export({ format: 'pem', type: 'pkcs8' })
			.toString();
		expect(
			fieldError(() => assertKeyMatchesAlgorithm(parsePrivateKey(p256), 'ES384')).message,
		).toContain('P-384');
	});

	it('a pasted PEM with literal \\n sequences is accepted', () => {
		const oneLine = RS_PEM.trim().replace(/\n/g, '\\n');
		expect(parsePrivateKey(oneLine).asymmetricKeyType).toBe('rsa');
	});

	it('errors never contain key material', () => {
		const broken = RS_PEM.replace(/[A-Za-z]{10}/, '!!!!!!!!!!');
		const e = fieldError(() => parsePrivateKey(broken));
		const body = RS_PEM.split('\n')[2];
		expect(e.message).not.toContain(body);
	});
});

// an encrypted PKCS#1 PEM is called encrypted (not malformed), a PEM pasted on one line (line breaks
// turned into spaces) is read, a JWK missing fields says which; messages never hold key material
describe('parsePrivateKey: encrypted, one-line, cut and incomplete keys', () => {
	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
	const body = pkcs8.split('\n').filter((l) => l && !l.startsWith('-----'));

	function message(input: string): string {
		try {
			parsePrivateKey(input);
		} catch (e) {
			expect(e).toBeInstanceOf(CredentialFieldError);
			const m = (e as Error).message;
			for (const line of body) expect(m).not.toContain(line.slice(0, 20));
			return m;
		}
		throw new Error('expected the key to be refused');
	}

	it('an encrypted PKCS#1 PEM (Proc-Type: 4,ENCRYPTED) is called encrypted, not malformed', () => {
		const enc = privateKey.export({
			type: 'pkcs1',
			format: 'pem',
			cipher: 'aes-256-cbc',
			passphrase: 'pw',
		}) as string;
		expect(enc).toContain('Proc-Type: 4,ENCRYPTED');
		expect(message(enc)).toBe(
			'Private Key is an encrypted PEM. Export it unencrypted as PKCS#8 (openssl pkcs8 -topk8 -nocrypt).',
		);
	});

	it('a PEM pasted on one line (spaces for line breaks) is read', () => {
		const key = parsePrivateKey(pkcs8.replace(/\n/g, ' '));
		expect(key.asymmetricKeyType).toBe('rsa');
		expect(key.export({ type: 'pkcs8', format: 'pem' })).toBe(pkcs8);
	});

	it('a cut PEM is still malformed', () => {
		expect(message(`${pkcs8.slice(0, 200)}\n-----END PRIVATE KEY-----`)).toMatch(
			/^Private Key is a malformed PEM/,
		);
	});

	it('a JWK missing fields names them', () => {
		const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
		const { n: _n, qi: _qi, ...partial } = jwk;
		expect(message(JSON.stringify(partial))).toBe(
			'Private Key is an RSA JWK without "n", "qi". Paste the complete private JWK (or a PKCS#8 PEM).',
		);
		expect(message('{"kty":"EC","crv":"P-384","d":"abc"}')).toBe(
			'Private Key is an EC JWK without "x", "y". Paste the complete private JWK (or a PKCS#8 PEM).',
		);
	});
});
