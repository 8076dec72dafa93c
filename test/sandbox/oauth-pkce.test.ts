// The requirePkce switch (POST /_admin/oauth/settings): a server that demands PKCE of confidential
// clients too, as SMART App Launch 2 servers may. Off by default; reset turns it off.
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { CALLBACK, PATHS, authorize, codeFor, pkcePair, postForm } from './oauth-util';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());

async function settings(
	body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
	const r = await fetch(
		`${sb.url}/_admin/oauth/settings`,
		body === undefined
			? {}
			: {
					method: 'POST',
					body: JSON.stringify(body),
					headers: { 'content-type': 'application/json' },
				},
	);
	return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const confidential = (extra: Record<string, string> = {}) => ({
	client_id: 'emp-demo',
	redirect_uri: CALLBACK,
	response_type: 'code',
	scope: 'openid patient/*.read',
	aud: `${sb.url}${PATHS.emp.fhir}`,
	state: 's1',
	...extra,
});

describe('requirePkce', () => {
	afterEach(async () => {
		await settings({ requirePkce: false });
	});

	it('is off by default: a confidential client without PKCE gets a code', async () => {
		expect((await settings()).body).toEqual({ requirePkce: [] });
		const loc = await authorize(sb, PATHS.emp.authorize, confidential());
		expect(loc.searchParams.get('code')).toBeTruthy();
	});

	it('on: a confidential client without PKCE is refused with invalid_request naming code_challenge_method', async () => {
		expect((await settings({ requirePkce: ['emp'] })).body).toEqual({ requirePkce: ['emp'] });
		const loc = await authorize(sb, PATHS.emp.authorize, confidential());
		expect(loc.searchParams.get('code')).toBeNull();
		expect(loc.searchParams.get('error')).toBe('invalid_request');
		expect(loc.searchParams.get('error_description')).toBe(
			'This server requires PKCE of every client, confidential ones too: send code_challenge with code_challenge_method=S256.',
		);
		expect(loc.searchParams.get('state')).toBe('s1');
	});

	it('on: a confidential client with PKCE S256 and its secret gets tokens; the verifier is checked', async () => {
		await settings({ requirePkce: true });
		const { challenge, verifier } = pkcePair();
		const withPkce = { code_challenge: challenge, code_challenge_method: 'S256' };
		const basic: [string, string] = ['emp-demo', 'emp-demo-secret'];
		const missing = await postForm(
			sb,
			PATHS.emp.token,
			{
				grant_type: 'authorization_code',
				code: await codeFor(sb, PATHS.emp.authorize, confidential(withPkce)),
				redirect_uri: CALLBACK,
			},
			{ basic },
		);
		expect([missing.status, missing.body.error]).toEqual([400, 'invalid_grant']);
		const code = await codeFor(sb, PATHS.emp.authorize, confidential(withPkce));
		const ok = await postForm(
			sb,
			PATHS.emp.token,
			{ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
			{ basic },
		);
		expect(ok.status).toBe(200);
		expect(ok.body.scope).toBe('openid patient/*.read');
	});

	it('applies only to the surfaces named; reset turns it off; a bad value is refused', async () => {
		await settings({ requirePkce: ['smart'] });
		expect(
			(await authorize(sb, PATHS.emp.authorize, confidential())).searchParams.get('code'),
		).toBeTruthy();
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		expect((await settings()).body).toEqual({ requirePkce: [] });
		const bad = await settings({ requirePkce: ['nowhere'] });
		expect(bad.status).toBe(400);
		expect(bad.body.error_description).toBe(
			'requirePkce is true, false or a list of: onpatient, mpp, emp, smart',
		);
	});
});
