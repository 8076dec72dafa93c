// EHR FHIR node, transport faults seen through Get Patient and List Immunizations, for every vendor
// of the sandbox: 503 and a connection reset (retried), HTML pages (200 and 500), an expired token
// (renewed the way the credential renews), a looping next link, a next link to another origin, a
// 302, rate limits (429 + Retry-After honoured, 429 and 503 that never end) and token lifetime (a
// token about to expire, a server-expired token whose refresh is refused). Exact items or the exact
// error class and message.
import { NodeApiError } from 'n8n-workflow';
import { armFault } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import type { FaultSpec } from '../../../sandbox/faults';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import {
	VENDORS,
	CREDENTIAL_TYPE,
	LIST,
	PATIENT,
	SURFACE,
	byId,
	credentialsFor,
	ids,
	immunizationIds,
	type Vendor,
} from './fixtures';
import { HEAVY_PATIENT, useFhirSandbox } from './helpers';

const PID = HEAVY_PATIENT;
let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});

async function list(vendor: Vendor, extra: Record<string, unknown> = {}) {
	const { type, store } = credentialsFor(sb, vendor);
	const res = await runNode(EhrFhir, {
		parameters: {
			authentication: type,
			...LIST,
			scope: 'patient',
			patientId: byId(PID),
			returnAll: true,
			...extra,
		} as never,
		credentials: store,
	});
	return { ...res, store, type };
}

async function listError(vendor: Vendor): Promise<NodeApiError> {
	try {
		await list(vendor);
	} catch (e) {
		return e as NodeApiError;
	}
	throw new Error('expected List Immunizations to fail');
}

/** a fault on the second list page of this vendor */
function onPage2(vendor: Vendor, spec: Omit<FaultSpec, 'surface'>): FaultSpec {
	return { surface: SURFACE[vendor], pathContains: 'mmunization', after: 1, ...spec } as FaultSpec;
}

const WHAT = `List Immunizations of patient ${PID}`;

describe.each(VENDORS)('%s', (vendor) => {
	it('503 on page 2: retried, every item once', async () => {
		await armFault(sb, onPage2(vendor, { kind: 'unavailable', times: 2, retryAfter: '0' }));
		const { output } = await list(vendor);
		expect(ids(output[0])).toEqual(immunizationIds(sb, PID));
	});

	it('connection reset in the middle of page 2: retried, every item once', async () => {
		await armFault(sb, onPage2(vendor, { kind: 'reset' }));
		const { output } = await list(vendor);
		expect(ids(output[0])).toEqual(immunizationIds(sb, PID));
		expect(sb.app.faults.fired.map((f) => f.kind)).toEqual(['reset']);
	});

	it('an HTML page with status 200: says so', async () => {
		await armFault(sb, onPage2(vendor, { kind: 'html-200' }));
		const err = await listError(vendor);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`${WHAT} failed: the server answered with an HTML page (status 200), check the base URL`,
		);
	});

	it('an HTML page with status 500: says so', async () => {
		await armFault(sb, { surface: SURFACE[vendor], pathContains: 'atient', kind: 'html-500' });
		const { type, store } = credentialsFor(sb, vendor);
		const err = await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byId('pt-00002') } as never,
			credentials: store,
		}).catch((e) => e as NodeApiError);
		expect(err).toBeInstanceOf(NodeApiError);
		expect((err as NodeApiError).message).toBe(
			'Get Patient pt-00002 failed: the server answered with an HTML page (status 500), check the base URL',
		);
	});

	it('an expired token: renewed the way the credential renews, then every item', async () => {
		// an expired token is refused until it is renewed: for the OAuth2 credentials page 2 goes out
		// twice with it (the execution's cached token, then once more through n8n's OAuth2 path,
		// which refreshes on the second 401; nodes/shared/http/token-cache.ts); for the
		// preAuthentication credentials (1upHealth, SMART Backend Services) once: after the 401 of
		// the execution's kept token the transport hands n8n the credential with the token blanked,
		// so n8n runs preAuthentication at once (':empty', not after a second 401: ':expired')
		const oauth2 = CREDENTIAL_TYPE[vendor].endsWith('OAuth2Api');
		await armFault(sb, onPage2(vendor, { kind: 'expired-token', times: oauth2 ? 2 : 1 }));
		const { output, authEvents, credentialsStore, type } = await list(vendor);
		expect(ids(output[0])).toEqual(immunizationIds(sb, PID));
		const stored = credentialsStore[type];
		if (type.endsWith('OAuth2Api')) {
			expect(authEvents).toEqual([`oauth2:refresh:${type}`]);
			const at = (stored.oauthTokenData as { access_token: string }).access_token;
			expect(sb.app.tokens.check(SURFACE[vendor], at)).toMatchObject({ surface: SURFACE[vendor] });
		} else {
			expect(authEvents).toEqual([`preAuthentication:${type}:empty`]);
			expect(sb.app.tokens.check(SURFACE[vendor], stored.accessToken as string)).toMatchObject({
				surface: SURFACE[vendor],
			});
		}
	});

	it('a next link that loops: stops with an error', async () => {
		// page 1's next link points at page 1 itself
		await armFault(sb, {
			surface: SURFACE[vendor],
			pathContains: 'mmunization',
			kind: 'loop-next',
		});
		const before = sb.app.requests.length;
		const err = await listError(vendor);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`${WHAT} failed: the server sent a next-page link that was already read (page 2 would repeat an earlier page); stopped to avoid an endless loop`,
		);
		expect(sb.app.requests.slice(before)).toHaveLength(1);
	});

	it('a next link to another origin: not followed, the token never leaves', async () => {
		await armFault(sb, {
			surface: SURFACE[vendor],
			pathContains: 'mmunization',
			kind: 'foreign-next',
		});
		const err = await listError(vendor);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`${WHAT} failed: the next-page link points to another server (${sb.fileUrl}); it was not followed, so the access token was not sent there`,
		);
		expect(sb.app.requests.filter((r) => r.origin === 'files')).toHaveLength(0);
	});

	it('a 302: followed on the same origin with the token, every item once', async () => {
		await armFault(sb, onPage2(vendor, { kind: 'redirect' }));
		const before = sb.app.requests.length;
		const { output } = await list(vendor);
		expect(ids(output[0])).toEqual(immunizationIds(sb, PID));
		const log = sb.app.requests.slice(before);
		const i = log.findIndex((r) => r.status === 302);
		expect(i).toBeGreaterThan(0);
		expect(log[i + 1].path).toBe(`${log[i].path}/`);
		expect(log[i + 1].headers.authorization).toBe(log[i].headers.authorization);
		expect(log[i + 1].headers.authorization).toMatch(/^Bearer /);
	});
});

describe('rate limits', () => {
	it.each(['onpatient', 'emp'] as Vendor[])(
		'%s: 429 with Retry-After is honoured, every item once',
		async (vendor) => {
			await armFault(sb, onPage2(vendor, { kind: 'rate-limit', retryAfter: '1' }));
			const t0 = Date.now();
			const { output } = await list(vendor);
			expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
			expect(ids(output[0])).toEqual(immunizationIds(sb, PID));
		},
	);

	it('429 that never ends: a readable error after the attempts', async () => {
		await armFault(sb, onPage2('smart', { kind: 'rate-limit', retryAfter: '0', times: 10 }));
		const err = await listError('smart');
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`${WHAT} failed (HTTP 429) after 5 attempts: rate_limited: Too many requests`,
		);
		expect(err.description).toBe(
			'The vendor is rate-limiting this app: wait and run the workflow again, or lower how often it runs.',
		);
	});

	it('503 that never ends: a readable error after the attempts', async () => {
		await armFault(sb, {
			surface: 'oneup',
			pathContains: 'Patient',
			kind: 'unavailable',
			retryAfter: '0',
			times: 10,
		});
		const { type, store } = credentialsFor(sb, 'oneup-r4');
		const err = await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byId('pt-00002') } as never,
			credentials: store,
		}).catch((e) => e as NodeApiError);
		expect(err).toBeInstanceOf(NodeApiError);
		expect((err as NodeApiError).message).toBe(
			'Get Patient pt-00002 failed (HTTP 503) after 5 attempts: service_unavailable: Service temporarily unavailable',
		);
	});
});

describe('token lifetime', () => {
	it('1upHealth: a token about to expire is renewed before the request', async () => {
		const { type, store } = credentialsFor(sb, 'oneup-r4');
		const old = store[type].accessToken;
		store[type].expiresAt = Math.floor(Date.now() / 1000) + 3;
		const before = sb.app.requests.length;
		const { output, authEvents } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byId('pt-00002'),
				simplify: false,
			} as never,
			credentials: store,
		});
		expect(output[0][0].json.id).toBe('pt-00002');
		expect(authEvents).toEqual([`preAuthentication:${type}:empty`]);
		expect(store[type].accessToken).not.toBe(old);
		expect(store[type].expiresAt as number).toBeGreaterThan(Date.now() / 1000 + 3600);
		const reads = sb.app.requests.slice(before).filter((r) => r.path.endsWith('/Patient/pt-00002'));
		expect(reads.map((r) => r.status)).toEqual([200]); // no 401 first
	});

	it('an OAuth2 token the server expired (clock) and a refused refresh: reconnect message, no token in it', async () => {
		const { type, store } = credentialsFor(sb, 'emp');
		(store[type].oauthTokenData as Record<string, string>).refresh_token =
			'rt_revoked_token_value_123456';
		sb.app.clock.advance(7200);
		try {
			const err = await runNode(EhrFhir, {
				parameters: { authentication: type, ...PATIENT, patientId: byId('pt-00002') } as never,
				credentials: store,
			}).catch((e) => e as NodeApiError);
			expect(err).toBeInstanceOf(NodeApiError);
			expect((err as NodeApiError).message).toMatch(
				/^Get Patient pt-00002 failed: the access token was refused and renewing it failed: /,
			);
			expect((err as NodeApiError).description).toContain('reconnect');
			const text = `${(err as NodeApiError).message} ${(err as NodeApiError).description}`;
			expect(text).not.toContain(
				(store[type].oauthTokenData as Record<string, string>).access_token,
			);
			expect(text).not.toContain('rt_revoked_token_value_123456');
			expect(text).not.toContain('emp-demo-secret');
		} finally {
			sb.app.clock.reset();
		}
	});
});

describe('bounds', () => {
	it('a server trickling its answer (one byte a second): Get Patient stops at Request Timeout with a clear error', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'drip',
			pathContains: 'Patient/pt-00002',
			delayMs: 1000,
		});
		const { type, store } = credentialsFor(sb, 'smart');
		const t0 = Date.now();
		const err = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...PATIENT,
				patientId: byId('pt-00002'),
				options: { requestTimeout: 2 },
			} as never,
			credentials: store,
		}).catch((e) => e as NodeApiError);
		const ms = Date.now() - t0;
		console.log(
			`[bounds] Get Patient against a drip (1 byte/s), Request Timeout 2 s: stopped after ${ms} ms`,
		);
		expect(err).toBeInstanceOf(NodeApiError);
		expect((err as NodeApiError).message).toBe(
			'Get Patient pt-00002 failed: the server did not finish its answer within 2 s; the request was stopped',
		);
		expect((err as NodeApiError).description).toMatch(
			/raise "Request Timeout \(Seconds\)" in the node's options/,
		);
		expect(ms).toBeLessThan(6000);
	}, 20_000);
});
