// nodes/shared/http (apiRequest) through the harness (real execute, real HTTP on loopback) against
// a sandbox with ad-hoc routes on the `smart` surface, so framework faults apply to them: retries,
// redirects, vendor messages, token refresh and renewal, dot segments and invalid URLs.
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestHelper,
} from 'n8n-workflow';
import type { ServerResponse } from 'node:http';
import { withSandbox, armFault } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson, redirect, sendHtml, type SandboxRequest } from '../../../sandbox/http';
import { runNode } from '../../harness';
import { TransportProbe, PROBE_CREDENTIAL_TYPES, ProbeExpiringApi } from '../../harness/probe';
import { joinUrl, EXPIRING_CREDENTIALS, type ApiRequest } from '../../../nodes/shared/http';

const TOKEN = 'probe-token-abcdefghijklmnop';
let sb: Sandbox;

function bearer(req: SandboxRequest): string | undefined {
	const h = req.headers.authorization;
	return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

async function call(
	req: ApiRequest,
	auth = 'probeBearerApi',
	credentials?: Record<string, Record<string, unknown>>,
) {
	return runNode(TransportProbe, {
		parameters: { authentication: auth, request: JSON.stringify(req) },
		credentials: (credentials ?? { probeBearerApi: { token: TOKEN } }) as never,
		credentialTypes: PROBE_CREDENTIAL_TYPES,
	});
}

async function callError(
	req: ApiRequest,
	auth?: string,
	credentials?: Record<string, Record<string, unknown>>,
): Promise<NodeApiError> {
	try {
		await call(req, auth, credentials);
	} catch (e) {
		return e as NodeApiError;
	}
	throw new Error('expected the node to fail');
}

function hits(path: string) {
	return sb.app.requests.filter((r) => r.path === path);
}

/** A probe OAuth2 credential (authentication: body) holding the given tokens. */
function oauthStore(accessToken: string, refreshToken: string) {
	return {
		probeOAuth2Api: {
			host: sb.url,
			clientId: 'cid',
			clientSecret: 'csecret',
			oauthTokenData: {
				access_token: accessToken,
				refresh_token: refreshToken,
				token_type: 'Bearer',
			},
		},
	};
}

let oauthCurrent = 'oauth-old-token';
let refreshCount = 0;

beforeAll(async () => {
	sb = await withSandbox();
	const r = (
		method: string,
		path: string,
		h: (req: SandboxRequest, res: ServerResponse) => void,
		origin: 'main' | 'files' = 'main',
	) => sb.app.route(method, path, origin === 'main' ? 'smart' : 'files', h, origin);
	r('GET', '/t/json', (req, res) =>
		sendJson(res, 200, { ok: true, auth: bearer(req) ?? null, pad: 'x'.repeat(3000) }),
	);
	r('POST', '/t/json', (req, res) =>
		sendJson(res, 201, { created: req.json(), pad: 'y'.repeat(3000) }),
	);
	r('GET', '/t/Patient/:id', (req, res) =>
		sendJson(res, 200, { id: req.params.id, path: req.path }),
	);
	r('GET', '/t/old', (_req, res) => redirect(res, '/t/json', 302));
	r('GET', '/t/moved-away', (_req, res) => redirect(res, sb.app.filesUrl('/f/data'), 302));
	r(
		'GET',
		'/f/data',
		(req, res) => sendJson(res, 200, { files: true, auth: bearer(req) ?? null }),
		'files',
	);
	r('GET', '/t/oo', (_req, res) =>
		sendJson(
			res,
			404,
			{
				resourceType: 'OperationOutcome',
				issue: [
					{ severity: 'error', code: 'not-found', diagnostics: 'Resource Patient/zz is not known' },
				],
			},
			{},
			'application/fhir+json',
		),
	);
	r('GET', '/t/oauth-error', (_req, res) =>
		sendJson(res, 400, {
			error: 'invalid_request',
			error_description: 'The patient parameter is required',
		}),
	);
	r('GET', '/t/emp-error', (_req, res) =>
		sendJson(res, 422, {
			validationErrors: { pid: 'must be a number' },
			internalErrors: [],
			data: [],
		}),
	);
	r('GET', '/t/drf-error', (_req, res) =>
		sendJson(res, 403, { detail: 'You do not have permission to perform this action.' }),
	);
	r('GET', '/t/bad-json', (_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end('{"resourceType":"Bundle","entry":[');
	});
	r('GET', '/t/html', (_req, res) => sendHtml(res, 200, '<html><body>Login</body></html>'));
	r('GET', '/t/oauth-protected', (req, res) => {
		if (bearer(req) !== oauthCurrent)
			return sendJson(res, 401, {
				error: 'invalid_token',
				error_description: 'The access token expired.',
			});
		sendJson(res, 200, { ok: true });
	});
	r('POST', '/t/token', (req, res) => {
		const form = req.form();
		refreshCount++;
		if (form.grant_type === 'refresh_token' && form.refresh_token !== 'rt-1') {
			return sendJson(res, 400, {
				error: 'invalid_grant',
				error_description: 'The refresh token is invalid.',
			});
		}
		oauthCurrent = `oauth-new-token-${refreshCount}`;
		sendJson(res, 200, {
			access_token: oauthCurrent,
			token_type: 'Bearer',
			expires_in: 3600,
			refresh_token: 'rt-2',
		});
	});
	r('GET', '/rt/Group/:id/$export', (req, res) => sendJson(res, 200, { group: req.params.id }));
	r('GET', '/rt/$export', (_req, res) => sendJson(res, 200, { system: true }));
});
afterAll(() => sb.close());
beforeEach(() => {
	sb.app.faults.clear();
	sb.app.requests.length = 0;
});

describe('encodePathSegment on the wire', () => {
	it('an id cannot change the path on the wire', async () => {
		const { output } = await call({
			method: 'GET',
			url: joinUrl(`${sb.url}/t`, 'Patient', '1/../../Group/1'),
		});
		expect(output[0][0].json.body).toEqual({
			id: '1/../../Group/1',
			path: '/t/Patient/1%2F..%2F..%2FGroup%2F1',
		});
	});
});

describe('dot segments and invalid URLs: nothing is sent', () => {
	it('an id of ".." never reaches the server as another resource (Group/.. would be a system export)', async () => {
		const before = sb.app.requests.length;
		const err = await callError({
			method: 'GET',
			url: `${joinUrl(`${sb.url}/rt`, 'Group', '..')}/$export`,
			what: 'Start export',
		});
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'Start export failed: the address has a "." or ".." path segment, which would address another resource; nothing was sent',
		);
		expect(sb.app.requests.length).toBe(before);
	});

	it('an invalid URL is a NodeApiError, not a TypeError', async () => {
		const err = await callError({ method: 'GET', url: 'not a url', what: 'Get thing' });
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe('Get thing failed: "not a url" is not a valid URL; nothing was sent');
	});
});

describe('apiRequest', () => {
	it('sends the credential and returns status, body and URL', async () => {
		const { output } = await call({ method: 'GET', url: `${sb.url}/t/json` });
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].json).toMatchObject({
			status: 200,
			url: `${sb.url}/t/json`,
			body: { ok: true, auth: TOKEN },
		});
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
	});

	it('honours Retry-After on 429 and then succeeds', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'rate-limit',
			retryAfter: '1',
			pathContains: '/t/json',
		});
		const t0 = Date.now();
		const { output } = await call({ method: 'GET', url: `${sb.url}/t/json` });
		const elapsed = Date.now() - t0;
		expect(output[0][0].json.status).toBe(200);
		expect(hits('/t/json').map((h) => h.status)).toEqual([429, 200]);
		expect(elapsed).toBeGreaterThanOrEqual(1000);
		expect(elapsed).toBeLessThan(3000);
	});

	it('retries 503 with backoff, then succeeds', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'unavailable',
			times: 2,
			pathContains: '/t/json',
		});
		const { output } = await call({ method: 'GET', url: `${sb.url}/t/json`, backoffBaseMs: 50 });
		expect(output[0][0].json.status).toBe(200);
		expect(hits('/t/json').map((h) => h.status)).toEqual([503, 503, 200]);
	});

	it('gives up after the attempts and says so', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'unavailable',
			times: 5,
			pathContains: '/t/json',
		});
		const err = await callError({
			method: 'GET',
			url: `${sb.url}/t/json`,
			backoffBaseMs: 10,
			maxAttempts: 3,
		});
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`GET ${sb.url}/t/json failed (HTTP 503) after 3 attempts: service_unavailable: Service temporarily unavailable`,
		);
		expect(hits('/t/json')).toHaveLength(3);
	});

	it('does not wait longer than its bound for a long Retry-After', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'rate-limit',
			retryAfter: '120',
			pathContains: '/t/json',
		});
		const t0 = Date.now();
		const err = await callError({ method: 'GET', url: `${sb.url}/t/json` });
		expect(Date.now() - t0).toBeLessThan(1000);
		expect(err.message).toBe(
			`GET ${sb.url}/t/json failed (HTTP 429) (the server asked to wait 120 s, more than this node waits): rate_limited: Too many requests`,
		);
		expect(err.description).toContain('rate-limiting');
	});

	it('retries a GET whose connection is reset mid-body', async () => {
		await armFault(sb, { surface: 'smart', kind: 'reset', pathContains: '/t/json' });
		const { output } = await call({ method: 'GET', url: `${sb.url}/t/json`, backoffBaseMs: 20 });
		expect(output[0][0].json.body).toMatchObject({ ok: true });
		expect(hits('/t/json')).toHaveLength(2);
	});

	it('never retries a POST whose connection is reset', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'reset',
			pathContains: '/t/json',
			method: 'POST',
		});
		const err = await callError({ method: 'POST', url: `${sb.url}/t/json`, body: { a: 1 } });
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toMatch(
			new RegExp(
				`^POST ${sb.url}/t/json failed: the connection was closed before the answer was complete \\(ECONNRESET\\)$`,
			),
		);
		expect(err.description).toContain('not repeated automatically');
		expect(hits('/t/json')).toHaveLength(1);
	});

	it('never retries a POST answered 503 unless retry is set', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'unavailable',
			pathContains: '/t/json',
			method: 'POST',
		});
		const err = await callError({ method: 'POST', url: `${sb.url}/t/json`, body: { a: 1 } });
		expect(err.message).toBe(
			`POST ${sb.url}/t/json failed (HTTP 503) (not retried automatically: it may already have taken effect): service_unavailable: Service temporarily unavailable`,
		);
		expect(hits('/t/json')).toHaveLength(1);
		await armFault(sb, {
			surface: 'smart',
			kind: 'unavailable',
			pathContains: '/t/json',
			method: 'POST',
		});
		const { output } = await call({
			method: 'POST',
			url: `${sb.url}/t/json`,
			body: { a: 2 },
			retry: true,
			backoffBaseMs: 10,
		});
		expect(output[0][0].json).toMatchObject({ status: 201, body: { created: { a: 2 } } });
	});

	it('follows a 302 on the same origin with the Authorization header', async () => {
		const { output } = await call({ method: 'GET', url: `${sb.url}/t/old` });
		expect(output[0][0].json).toMatchObject({
			status: 200,
			url: `${sb.url}/t/json`,
			body: { auth: TOKEN },
		});
		expect(hits('/t/old')[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(hits('/t/json')[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
	});

	it('follows a 302 to another origin without the token', async () => {
		const { output } = await call({ method: 'GET', url: `${sb.url}/t/moved-away` });
		expect(output[0][0].json).toMatchObject({
			status: 200,
			url: `${sb.fileUrl}/f/data`,
			body: { files: true, auth: null },
		});
		const fileHit = sb.app.requests.filter((r) => r.origin === 'files' && r.path === '/f/data');
		expect(fileHit).toHaveLength(1);
		expect(fileHit[0].headers.authorization).toBeUndefined();
		expect(JSON.stringify(fileHit[0].headers)).not.toContain(TOKEN);
	});

	it('explains an HTML page with status 200', async () => {
		await armFault(sb, { surface: 'smart', kind: 'html-200', pathContains: '/t/json' });
		const err = await callError({ method: 'GET', url: `${sb.url}/t/json` });
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`GET ${sb.url}/t/json failed: the server answered with an HTML page (status 200), check the base URL`,
		);
	});

	it('explains an HTML page with status 500', async () => {
		await armFault(sb, { surface: 'smart', kind: 'html-500', pathContains: '/t/json' });
		const err = await callError({ method: 'GET', url: `${sb.url}/t/json` });
		expect(err.message).toBe(
			`GET ${sb.url}/t/json failed: the server answered with an HTML page (status 500), check the base URL`,
		);
		expect(hits('/t/json')).toHaveLength(1);
	});

	it('explains an HTML page served as the API', async () => {
		const err = await callError({ method: 'GET', url: `${sb.url}/t/html`, what: 'Get Patient' });
		expect(err.message).toBe(
			'Get Patient failed: the server answered with an HTML page (status 200), check the base URL',
		);
	});

	it('reads a FHIR OperationOutcome', async () => {
		const err = await callError({ method: 'GET', url: `${sb.url}/t/oo`, what: 'Get Patient zz' });
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'Get Patient zz failed (HTTP 404): error/not-found: Resource Patient/zz is not known',
		);
		expect(err.description).toBe('Check the ID and the base URL in the credential.');
		expect(err.httpCode).toBe('404');
	});

	it('reads {error, error_description}, {validationErrors}, and {detail}', async () => {
		expect(
			(await callError({ method: 'GET', url: `${sb.url}/t/oauth-error`, what: 'X' })).message,
		).toBe('X failed (HTTP 400): invalid_request: The patient parameter is required');
		expect(
			(await callError({ method: 'GET', url: `${sb.url}/t/emp-error`, what: 'X' })).message,
		).toBe('X failed (HTTP 422): validation errors: pid: must be a number');
		expect(
			(await callError({ method: 'GET', url: `${sb.url}/t/drf-error`, what: 'X' })).message,
		).toBe('X failed (HTTP 403): You do not have permission to perform this action.');
	});

	it('says so when a JSON answer is not valid JSON', async () => {
		const err = await callError({ method: 'GET', url: `${sb.url}/t/bad-json`, what: 'List' });
		expect(err.message).toBe("List failed: the server's answer (status 200) is not valid JSON");
	});

	it('an OAuth2 credential is refreshed on 401 and the new token saved', async () => {
		oauthCurrent = 'oauth-current-token';
		const store = oauthStore('oauth-stale-token', 'rt-1');
		const res = await call(
			{ method: 'GET', url: `${sb.url}/t/oauth-protected` },
			'probeOAuth2Api',
			store,
		);
		expect(res.output[0][0].json).toMatchObject({ status: 200, body: { ok: true } });
		expect(res.authEvents).toEqual(['oauth2:refresh:probeOAuth2Api']);
		expect(
			(res.credentialsStore.probeOAuth2Api.oauthTokenData as Record<string, string>).access_token,
		).toBe(oauthCurrent);
		expect(
			(res.credentialsStore.probeOAuth2Api.oauthTokenData as Record<string, string>).refresh_token,
		).toBe('rt-2');
		const tokenHit = hits('/t/token')[0];
		expect(tokenHit.headers.authorization).toBeUndefined(); // authentication: body
	});

	it('a refused refresh says to reconnect, without any token', async () => {
		oauthCurrent = 'oauth-current-token-2';
		const store = oauthStore('oauth-stale-token', 'rt-revoked');
		const err = await callError(
			{ method: 'GET', url: `${sb.url}/t/oauth-protected`, what: 'Get Patient' },
			'probeOAuth2Api',
			store,
		);
		expect(err).toBeInstanceOf(NodeApiError);
		// n8n 2.41 keeps the OAuth2 client's AuthError (with the token endpoint's body) as the cause
		expect(err.message).toBe(
			'Get Patient failed: the access token was refused and renewing it failed: invalid_grant: The refresh token is invalid.',
		);
		expect(err.description).toBe(
			'Open the credential and reconnect it (sign in again), then run the workflow again.',
		);
		expect(`${err.message} ${err.description}`).not.toMatch(/oauth-stale-token|rt-revoked|csecret/);
	});

	it('renews a preAuthentication token shortly before it expires', async () => {
		EXPIRING_CREDENTIALS.probeExpiringApi = {
			tokenField: 'accessToken',
			expiresAtField: 'expiresAt',
		};
		oauthCurrent = 'unused';
		const store = {
			probeExpiringApi: {
				host: sb.url,
				accessToken: 'exp-old-token',
				expiresAt: Date.now() + 5000,
			},
		};
		sb.app.route('GET', '/t/exp-protected', 'smart', (req, res) =>
			sendJson(res, bearer(req) === oauthCurrent ? 200 : 401, { auth: bearer(req) ?? null }),
		);
		const res = await call(
			{ method: 'GET', url: `${sb.url}/t/exp-protected` },
			'probeExpiringApi',
			store,
		);
		expect(res.authEvents).toEqual(['preAuthentication:probeExpiringApi:empty']);
		expect(res.output[0][0].json).toMatchObject({ status: 200, body: { auth: oauthCurrent } });
		expect(res.credentialsStore.probeExpiringApi.accessToken).toBe(oauthCurrent);
		expect(res.credentialsStore.probeExpiringApi.expiresAt as number).toBeGreaterThan(
			Date.now() + 3000 * 1000,
		);
		expect(hits('/t/exp-protected')).toHaveLength(1); // renewed before sending, not after a 401
		// a token far from expiry is used as is
		const res2 = await call(
			{ method: 'GET', url: `${sb.url}/t/exp-protected` },
			'probeExpiringApi',
			store,
		);
		expect(res2.authEvents).toEqual([]);
	});
});

describe('apiRequest after n8n gave up refreshing', () => {
	it('reads the status and body n8n keeps on its NodeApiError (401 after refresh)', async () => {
		sb.app.route('GET', '/t/always-401', 'smart', (_req, res) =>
			sendJson(res, 401, {
				error: 'invalid_token',
				error_description: 'The access token is invalid.',
			}),
		);
		const store = oauthStore('oauth-stale-token', 'rt-1');
		const err = await callError(
			{ method: 'GET', url: `${sb.url}/t/always-401`, what: 'Get Patient' },
			'probeOAuth2Api',
			store,
		);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'Get Patient failed (HTTP 401): invalid_token: The access token is invalid.',
		);
		expect(err.description).toContain('reconnect the credential');
		expect(hits('/t/always-401')).toHaveLength(2); // once, then once more after the refresh
	});
});

describe('apiRequest: "aborted" in an HTTP answer is not a broken connection', () => {
	const POLICY = { error: 'request aborted by policy' };

	it('a token endpoint answering 400 "request aborted by policy" is asked once: the GET is not retried as a reset', async () => {
		// like this package's credentials: preAuthentication reports the token answer in its own words
		sb.app.route('POST', '/t/policy/token', 'smart', (_req, res) => sendJson(res, 400, POLICY));
		const policyCredential = {
			...new ProbeExpiringApi(),
			async preAuthentication(
				this: IHttpRequestHelper,
				credentials: ICredentialDataDecryptedObject,
			) {
				const url = `${credentials.host as string}/t/policy/token`;
				const r = (await this.helpers.httpRequest({
					method: 'POST',
					url,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					json: true,
				})) as {
					statusCode: number;
					body: { error?: string; access_token?: string };
				};
				if (r.statusCode !== 200)
					throw new Error(
						`Token request to ${url} failed (HTTP ${r.statusCode}: ${r.body.error}). Try again later.`,
					);
				return { accessToken: r.body.access_token, expiresAt: Date.now() + 60_000 };
			},
		} as unknown as ICredentialType;
		let err: NodeApiError | undefined;
		try {
			await runNode(TransportProbe, {
				parameters: {
					authentication: 'probeExpiringApi',
					request: JSON.stringify({
						method: 'GET',
						url: `${sb.url}/t/json`,
						what: 'Get thing',
						backoffBaseMs: 10,
					}),
				},
				credentials: {
					probeExpiringApi: { host: sb.url, accessToken: '', expiresAt: '' },
				} as never,
				credentialTypes: [...PROBE_CREDENTIAL_TYPES, policyCredential],
			});
		} catch (e) {
			err = e as NodeApiError;
		}
		expect(err).toBeDefined();
		expect(err!.message).toContain('request aborted by policy');
		expect(err!.message).not.toMatch(/connection was closed/);
		expect(hits('/t/policy/token')).toHaveLength(1);
		expect(hits('/t/json')).toHaveLength(0);
	});

	it('a 400 answer of the API itself whose body says "aborted" reaches the server once', async () => {
		sb.app.route('GET', '/t/policy-400', 'smart', (_req, res) => sendJson(res, 400, POLICY));
		const err = await callError({
			method: 'GET',
			url: `${sb.url}/t/policy-400`,
			what: 'Get thing',
			backoffBaseMs: 10,
		});
		expect(err.message).toBe('Get thing failed (HTTP 400): request aborted by policy');
		expect(hits('/t/policy-400')).toHaveLength(1);
	});

	it('a 401 that stays after the refresh, whose body says "aborted", is not retried as a reset', async () => {
		sb.app.route('GET', '/t/policy-401', 'smart', (_req, res) =>
			sendJson(res, 401, {
				error: 'invalid_token',
				error_description: 'Session aborted by policy.',
			}),
		);
		const store = oauthStore('oauth-stale-token', 'rt-1');
		const err = await callError(
			{ method: 'GET', url: `${sb.url}/t/policy-401`, what: 'Get thing', backoffBaseMs: 10 },
			'probeOAuth2Api',
			store,
		);
		expect(err.message).toBe(
			'Get thing failed (HTTP 401): invalid_token: Session aborted by policy.',
		);
		expect(hits('/t/policy-401')).toHaveLength(2); // once, then once more after the refresh
	});
});
