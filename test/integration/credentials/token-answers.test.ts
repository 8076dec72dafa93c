// 1upHealth and SMART Backend Services token requests answered with a redirect: the form body
// (client secret, refresh token, signed client assertion) and the secret headers are never sent
// on, neither to another origin nor to the same one; the error names the origin it pointed at and
// the field to check, and carries no secret. A long refusal reason behind a long token URL reaches
// the node error whole (the URL is shortened). The credentials' own preAuthentication, and a node,
// over real HTTP against ad-hoc sandbox routes (the files origin plays the other server).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import { redirect, sendJson } from '../../../sandbox/http';
import type { Sandbox } from '../../../sandbox/server';
import { CredentialRegistry } from '../../harness/credentials';
import { n8nHttpRequest } from '../../harness/http';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { OneUpHealthApi } from '../../../credentials/OneUpHealthApi.credentials';
import { SmartBackendServicesApi } from '../../../credentials/SmartBackendServicesApi.credentials';

const RS_PEM = readFileSync(
	join(__dirname, '..', '..', '..', 'sandbox', 'keys', 'TEST-ONLY-rs384-private.pem'),
	'utf8',
);
const helper = { helpers: { httpRequest: n8nHttpRequest } } as unknown as IHttpRequestHelper;
const registry = new CredentialRegistry();
const SECRET = 'oneup-secret-must-stay-0001';
const REFRESH = 'rt-refresh-must-stay-0001';

const LONG_PATH = 'tenant/segment/'.repeat(12);
const REASON =
	'The requested scope system/*.$export is not registered for client smart-backend-demo; registered scopes are system/Patient.read system/Immunization.read system/Observation.read. Ask the server administrator to register the scope, or request only registered scopes.';
let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
	const away = (path: string) => sb.app.filesUrl(`/stolen${path}?code=abc`);
	sb.app.route('POST', '/r/1up/auth/oauth2/token', 'oneup', (_req, res) =>
		redirect(res, away('/token'), 307),
	);
	sb.app.route('POST', '/r/1up/api/user-management/v1/user/auth-code', 'oneup', (_req, res) =>
		redirect(res, away('/auth-code'), 308),
	);
	sb.app.route('POST', '/r/smart/token', 'smart', (_req, res) =>
		redirect(res, away('/smart'), 302),
	);
	sb.app.route('POST', '/r/smart/same-origin', 'smart', (_req, res) =>
		redirect(res, '/smart/auth/token', 307),
	);
	sb.app.route('POST', '/r/smart/no-location', 'smart', (_req, res) => {
		res.writeHead(307);
		res.end();
	});
	sb.app.route('POST', `/r/${LONG_PATH}token`, 'smart', (_req, res) =>
		sendJson(res, 400, { error: 'invalid_scope', error_description: REASON }),
	);
	sb.app.route(
		'POST',
		'/stolen/*rest',
		'files',
		(_req, res) => sendJson(res, 200, { access_token: 'attacker-token', expires_in: 3600 }),
		'files',
	);
});
afterAll(() => sb.close());
beforeEach(() => {
	sb.app.requests.length = 0;
});

/** every request the other origin received, and whether any secret reached it */
function otherOrigin() {
	return sb.app.requests.filter((r) => r.origin === 'files');
}

const oneUp = (extra: Record<string, unknown>) =>
	registry.resolve('oneUpHealthApi', {
		clientId: 'oneup-demo',
		clientSecret: SECRET,
		appUserId: 'n8n-user-redirect',
		authHost: `${sb.url}/r/1up/auth`,
		apiHost: `${sb.url}/1up/api`,
		...extra,
	} as ICredentialDataDecryptedObject);

const smart = (tokenUrl: string) =>
	registry.resolve('smartBackendServicesApi', {
		fhirBaseUrl: `${sb.url}/smart/fhir`,
		tokenUrl,
		clientId: 'smart-backend-demo',
		privateKey: RS_PEM,
		keyId: 'sandbox-test-rs384',
		algorithm: 'RS384',
	} as ICredentialDataDecryptedObject);

async function refusal(run: Promise<unknown>): Promise<Error & { field?: string }> {
	const err = await run.then(
		() => undefined,
		(e: Error) => e,
	);
	if (!err) throw new Error('expected the token request to fail');
	return err;
}

describe('token requests answered with a redirect', () => {
	it('1upHealth refresh answered 307 to another origin: not sent there, the error names the origin and the Auth Host', async () => {
		const err = await refusal(
			new OneUpHealthApi().preAuthentication.call(helper, oneUp({ refreshToken: REFRESH })),
		);
		expect(err.message).toBe(
			`The token endpoint ${sb.url}/r/1up/auth/oauth2/token redirected (HTTP 307) to ${sb.fileUrl}; the request was not sent on, because it carries the client's credentials. Check the Auth Host in the credential.`,
		);
		expect(err.field).toBe('Auth Host');
		expect(otherOrigin()).toEqual([]);
		expect(sb.app.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			'POST /r/1up/auth/oauth2/token 307',
		]);
	});

	it('1upHealth user management (auth-code) answered 308: the client secret (form and headers) stays here', async () => {
		const err = await refusal(
			new OneUpHealthApi().preAuthentication.call(
				helper,
				oneUp({ apiHost: `${sb.url}/r/1up/api` }),
			),
		);
		expect(err.message).toBe(
			`1upHealth user management ${sb.url}/r/1up/api/user-management/v1/user/auth-code redirected (HTTP 308) to ${sb.fileUrl}; the request was not sent on, because it carries the client's credentials. Check the API Host in the credential.`,
		);
		expect(otherOrigin()).toEqual([]);
	});

	it('SMART Backend Services: a 302 to another origin, a 307 on the same origin and a 307 without Location are all refused, the assertion sent once', async () => {
		const cred = new SmartBackendServicesApi();
		const away = await refusal(
			cred.preAuthentication.call(helper, smart(`${sb.url}/r/smart/token`)),
		);
		expect(away.message).toBe(
			`The token endpoint ${sb.url}/r/smart/token redirected (HTTP 302) to ${sb.fileUrl}; the request was not sent on, because it carries the client's credentials. Check the Token URL in the credential.`,
		);
		const same = await refusal(
			cred.preAuthentication.call(helper, smart(`${sb.url}/r/smart/same-origin`)),
		);
		expect(same.message).toBe(
			`The token endpoint ${sb.url}/r/smart/same-origin redirected (HTTP 307) to ${sb.url}; the request was not sent on, because it carries the client's credentials. Check the Token URL in the credential.`,
		);
		const none = await refusal(
			cred.preAuthentication.call(helper, smart(`${sb.url}/r/smart/no-location`)),
		);
		expect(none.message).toBe(
			`The token endpoint ${sb.url}/r/smart/no-location redirected (HTTP 307) to an address it did not give (no Location header); the request was not sent on, because it carries the client's credentials. Check the Token URL in the credential.`,
		);
		expect(otherOrigin()).toEqual([]);
		expect(sb.app.requests.filter((r) => r.path === '/smart/auth/token')).toEqual([]);
		expect(sb.app.requests.map((r) => r.path)).toEqual([
			'/r/smart/token',
			'/r/smart/same-origin',
			'/r/smart/no-location',
		]);
	});

	it('through a node: the node error says the token endpoint redirected, with no secret and no code from the Location', async () => {
		const store = { oneUpHealthApi: { ...oneUp({ refreshToken: REFRESH }), accessToken: '' } };
		const err = (await runNode(EhrFhir, {
			parameters: {
				authentication: 'oneUpHealthApi',
				resource: 'patient',
				operation: 'get',
				patientId: { __rl: true, mode: 'id', value: 'pt-00001' },
			},
			credentials: store as never,
		}).catch((e: Error) => e)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toContain(
			`The token endpoint ${sb.url}/r/1up/auth/oauth2/token redirected (HTTP 307) to ${sb.fileUrl};`,
		);
		const everything = JSON.stringify([err.message, err.description, String(err.stack)]);
		expect(everything).not.toContain(SECRET);
		expect(everything).not.toContain(REFRESH);
		expect(everything).not.toContain('code=abc');
		expect(otherOrigin()).toEqual([]);
	});
});

describe('a long refusal behind a long token URL', () => {
	it('reaches the node error whole: the URL is shortened, not the reason', async () => {
		const store = {
			smartBackendServicesApi: {
				...smart(`${sb.url}/r/${LONG_PATH}token`),
				scope: 'system/*.$export',
				accessToken: '',
			},
		};
		const err = (await runNode(EhrFhir, {
			parameters: {
				authentication: 'smartBackendServicesApi',
				resource: 'patient',
				operation: 'get',
				patientId: { __rl: true, mode: 'id', value: 'pt-00001' },
			},
			credentials: store as never,
		}).catch((e: Error) => e)) as Error;
		expect(err).toBeInstanceOf(Error);
		expect(`${sb.url}/r/${LONG_PATH}token`.length + REASON.length).toBeGreaterThan(400);
		expect(err.message).toContain(
			`Get Patient pt-00001 failed: the credential could not get an access token: SMART Backend Services token request to ${sb.url}/…/token failed (HTTP 400: invalid_scope: ${REASON}).`,
		);
		expect(err.message).not.toContain(LONG_PATH);
	});
});
