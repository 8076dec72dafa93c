// The OAuth callback of an n8n on any port: `npm start` passes n8n's port to the sandbox
// (SandboxOptions.n8nPorts, `npm run sandbox -- --n8n-port`), whose browser-login clients then
// accept that callback; other ports stay unregistered.
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { ClientRegistry, n8nCallbackUris } from '../../sandbox/oauth/clients';
import { PATHS, authorizeRaw } from './oauth-util';

const CLIENTS: Array<[keyof typeof PATHS, string, string]> = [
	['onpatient', 'onpatient-demo', 'patient/*.read'],
	['mpp', 'mpp-demo', 'profile_read'],
	['emp', 'emp-demo', 'openid'],
	['smart', 'smart-demo', 'openid'],
];

async function authorizeWith(
	sb: Sandbox,
	redirect: string,
	surface: keyof typeof PATHS,
	client: string,
	scope: string,
) {
	sb.app.autoApprove = true;
	const path = (PATHS[surface] as { authorize?: string }).authorize!;
	const r = await authorizeRaw(sb, path, {
		client_id: client,
		redirect_uri: redirect,
		response_type: 'code',
		scope,
		state: 's',
		aud:
			surface === 'emp'
				? `${sb.url}${PATHS.emp.fhir}`
				: surface === 'smart'
					? `${sb.url}${PATHS.smart.fhir}`
					: undefined,
		code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
		code_challenge_method: 'S256',
	});
	return {
		status: r.status,
		location: r.headers.get('location') ?? '',
		body: r.status === 302 ? '' : await r.text(),
	};
}

describe('redirect URIs of n8n on another port', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({
			port: 0,
			filePort: 0,
			n8nPorts: [5999],
			redirectUris: ['https://n8n.example.test/rest/oauth2-credential/callback'],
		});
	});
	afterAll(() => sb.close());

	for (const [surface, client, scope] of CLIENTS) {
		it(`${client}: the callback of n8n on port 5999 is registered, on 127.0.0.1 and localhost`, async () => {
			for (const cb of n8nCallbackUris(5999)) {
				const r = await authorizeWith(sb, cb, surface, client, scope);
				expect({ status: r.status, body: r.body }).toEqual({ status: 302, body: '' });
				expect(r.location.startsWith(`${cb}?`)).toBe(true);
			}
		});

		it(`${client}: a URL given in redirectUris is registered; another port is not`, async () => {
			const extra = await authorizeWith(
				sb,
				'https://n8n.example.test/rest/oauth2-credential/callback',
				surface,
				client,
				scope,
			);
			expect(extra.status).toBe(302);
			const other = await authorizeWith(sb, n8nCallbackUris(5998)[0], surface, client, scope);
			expect(other.status).toBe(400);
			expect(other.body).toContain('is not registered');
		});
	}
});

describe('ClientRegistry.addRedirectUris', () => {
	it('adds to browser-login clients only, once', () => {
		const r = ClientRegistry.load();
		r.addRedirectUris(n8nCallbackUris(6001));
		r.addRedirectUris(n8nCallbackUris(6001));
		const mpp = r.get('mpp', 'mpp-demo')!;
		expect(mpp.redirect_uris.filter((u) => u.includes(':6001/'))).toHaveLength(2);
		expect(r.get('oneup', 'oneup-demo')!.redirect_uris).toEqual([]);
	});
});
