// SMART Backend Services at the emp and smart token endpoints: one test per assertion rule.
import {
	createPrivateKey,
	generateKeyPairSync,
	randomUUID,
	sign,
	type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { JWT_BEARER } from '../../sandbox/oauth/assertion';
import { PATHS, postForm } from './oauth-util';

const KEYS = join(__dirname, '..', '..', 'sandbox', 'keys');
const RS = createPrivateKey(readFileSync(join(KEYS, 'TEST-ONLY-rs384-private.pem')));
const ES = createPrivateKey(readFileSync(join(KEYS, 'TEST-ONLY-es384-private.pem')));

/** Hand-made JWT so that every field (even wrong ones) can be chosen by the test. */
function jwt(
	header: Record<string, unknown>,
	payload: Record<string, unknown>,
	key: KeyObject,
	alg: 'RS384' | 'ES384',
): string {
	const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
	const input = `${b64({ typ: 'JWT', ...header })}.${b64(payload)}`;
	const sig = sign(
		'sha384',
		Buffer.from(input),
		alg === 'ES384' ? { key, dsaEncoding: 'ieee-p1363' } : key,
	);
	return `${input}.${sig.toString('base64url')}`;
}

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
afterEach(() => sb.app.clock.reset());

type Over = {
	header?: Record<string, unknown>;
	claims?: Record<string, unknown>;
	key?: KeyObject;
	alg?: 'RS384' | 'ES384';
	scope?: string;
};

function assertionFor(surface: 'emp' | 'smart', o: Over = {}): string {
	const clientId = `${surface}-backend-demo`;
	const alg = o.alg ?? 'RS384';
	const now = Math.floor(sb.app.clock.now() / 1000);
	return jwt(
		{
			alg,
			kid: alg === 'RS384' ? 'sandbox-test-rs384' : 'sandbox-test-es384',
			...(o.header ?? {}),
		},
		{
			iss: clientId,
			sub: clientId,
			aud: sb.url + PATHS[surface].token,
			exp: now + 240,
			jti: randomUUID(),
			...(o.claims ?? {}),
		},
		o.key ?? (alg === 'RS384' ? RS : ES),
		alg,
	);
}

function tokenWith(
	surface: 'emp' | 'smart',
	assertion: string,
	scope = 'system/*.read system/*.$export',
) {
	return postForm(sb, PATHS[surface].token, {
		grant_type: 'client_credentials',
		client_assertion_type: JWT_BEARER,
		client_assertion: assertion,
		scope,
	});
}

describe.each(['emp', 'smart'] as const)('%s backend services', (surface) => {
	it.each(['RS384', 'ES384'] as const)(
		'a valid %s assertion gets a 60 s token without refresh token',
		async (alg) => {
			const r = await tokenWith(surface, assertionFor(surface, { alg }));
			expect(r.status).toBe(200);
			expect(r.body.expires_in).toBe(60);
			expect(r.body.refresh_token).toBeUndefined();
			expect(r.body.scope).toBe('system/*.read system/*.$export');
		},
	);

	it('a client-credentials token expires after 60 s', async () => {
		const r = await tokenWith(surface, assertionFor(surface));
		const at = String(r.body.access_token);
		sb.app.clock.advance(59);
		expect(typeof sb.app.tokens.check(surface, at)).toBe('object');
		sb.app.clock.advance(2);
		expect(sb.app.tokens.check(surface, at)).toBe('expired');
	});

	it('a forged assertion (signed by an unregistered key) is refused', async () => {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const r = await tokenWith(surface, assertionFor(surface, { key: privateKey }));
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
		expect(String(r.body.error_description)).toContain('signature');
	});

	it('a replayed jti is refused', async () => {
		const a = assertionFor(surface, { claims: { jti: 'same-jti-1' } });
		expect((await tokenWith(surface, a)).status).toBe(200);
		const again = await tokenWith(
			surface,
			assertionFor(surface, { claims: { jti: 'same-jti-1' } }),
		);
		expect(again.status).toBe(401);
		expect(String(again.body.error_description)).toContain('replay');
	});

	it('a wrong aud is refused', async () => {
		const other = surface === 'emp' ? 'smart' : 'emp';
		const r = await tokenWith(
			surface,
			assertionFor(surface, { claims: { aud: sb.url + PATHS[other].token } }),
		);
		expect(r.status).toBe(401);
		expect(String(r.body.error_description)).toContain('aud');
	});

	it('an exp more than 5 minutes ahead is refused', async () => {
		const r = await tokenWith(
			surface,
			assertionFor(surface, { claims: { exp: Math.floor(sb.app.clock.now() / 1000) + 600 } }),
		);
		expect(r.status).toBe(401);
		expect(String(r.body.error_description)).toContain('5 minutes');
	});

	it('an expired assertion is refused (sandbox clock moved past exp)', async () => {
		const a = assertionFor(surface);
		sb.app.clock.advance(300);
		const r = await tokenWith(surface, a);
		expect(r.status).toBe(401);
		expect(String(r.body.error_description)).toContain('expired');
	});

	it('an alg that does not match the key is refused', async () => {
		// ES384 header naming the RSA key's kid, signed with the EC key
		const r = await tokenWith(
			surface,
			assertionFor(surface, { alg: 'ES384', header: { kid: 'sandbox-test-rs384' } }),
		);
		expect(r.status).toBe(401);
		expect(String(r.body.error_description)).toContain('does not match');
	});

	it('sub different from iss is refused', async () => {
		const r = await tokenWith(surface, assertionFor(surface, { claims: { sub: 'someone-else' } }));
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
	});

	it('an assertion without exp is refused', async () => {
		const r = await tokenWith(surface, assertionFor(surface, { claims: { exp: undefined } }));
		expect(r.status).toBe(401);
	});

	it('an unknown kid is refused', async () => {
		const r = await tokenWith(surface, assertionFor(surface, { header: { kid: 'nope' } }));
		expect(r.status).toBe(401);
		expect(String(r.body.error_description)).toContain('kid');
	});

	it('only system/ scopes are granted', async () => {
		const r = await tokenWith(surface, assertionFor(surface), 'patient/*.read');
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('invalid_scope');
	});

	it('client_credentials without an assertion is refused', async () => {
		const r = await postForm(sb, PATHS[surface].token, {
			grant_type: 'client_credentials',
			client_id: `${surface}-backend-demo`,
			scope: 'system/*.read',
		});
		expect(r.status).toBe(401);
		expect(r.body.error).toBe('invalid_client');
	});
});

it('client_credentials is not offered by onpatient', async () => {
	const r = await postForm(sb, PATHS.onpatient.token, {
		grant_type: 'client_credentials',
		client_id: 'onpatient-demo',
		client_secret: 'onpatient-demo-secret',
	});
	expect(r.status).toBe(400);
	expect(r.body.error).toBe('unsupported_grant_type');
});
