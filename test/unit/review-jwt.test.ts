// Review findings on private keys: an encrypted PKCS#1 PEM was called "malformed", a PEM pasted
// on one line (line breaks turned into spaces) was refused, and a JWK missing fields did not say
// which. Messages name the field and never hold key material.
import { generateKeyPairSync } from 'node:crypto';
import { parsePrivateKey, CredentialFieldError } from '../../nodes/shared/jwt';

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
	const enc = privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
	expect(enc).toContain('Proc-Type: 4,ENCRYPTED');
	expect(message(enc)).toBe('Private Key is an encrypted PEM. Export it unencrypted as PKCS#8 (openssl pkcs8 -topk8 -nocrypt).');
});

it('a PEM pasted on one line (spaces for line breaks) is read', () => {
	const key = parsePrivateKey(pkcs8.replace(/\n/g, ' '));
	expect(key.asymmetricKeyType).toBe('rsa');
	expect(key.export({ type: 'pkcs8', format: 'pem' })).toBe(pkcs8);
});

it('a cut PEM is still malformed', () => {
	expect(message(`${pkcs8.slice(0, 200)}\n-----END PRIVATE KEY-----`)).toMatch(/^Private Key is a malformed PEM/);
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
