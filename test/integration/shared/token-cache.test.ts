// nodes/shared/http/token-cache.ts through the EHR FHIR node (onpatient OAuth2, List
// Immunizations, Return All) against the sandbox: one execution reads the credential a fixed
// number of times however many pages it lists; a token revoked in the middle of the list is
// refreshed once through n8n's OAuth2 path and every item arrives once; a redirect to another
// origin in the middle of the list never carries the token; two executions do not share a token.
import type { ServerResponse } from 'node:http';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import { countingStore as countReads } from '../../helpers/credential-reads';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson, type SandboxRequest } from '../../../sandbox/http';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { cachedToken, forgetToken, rememberToken } from '../../../nodes/shared/http/token-cache';
import type { Ctx } from '../../../nodes/shared/http/types';
import { EXPIRING_CREDENTIALS } from '../../../nodes/shared/http/renewal';
import { TransportProbe, PROBE_CREDENTIAL_TYPES } from '../../harness/probe';
import { LIST, byId, credentialsFor, ids, immunizationIds } from '../EhrFhir/fixtures';

const TYPE = 'onpatientOAuth2Api';
const PATIENT = 'pt-00002';
const COUNT = 10_000; // 200 pages of 50
let sb: Sandbox;

beforeAll(async () => {
	sb = await withSandbox({ patients: 5, heavyPatients: { [PATIENT]: COUNT } });
	// a list served by the test on the main origin, whose page 3 redirects to the files origin
	const page = (req: SandboxRequest, res: ServerResponse, n: number, next: string | null) =>
		sendJson(res, 200, {
			count: 4,
			next,
			results: [{ resourceType: 'Immunization', id: `imm-${n}`, patient: PATIENT }],
		});
	sb.app.route('GET', '/moved/onpatient_api/fhir/Immunization', 'onpatient', (req, res) => {
		const n = Number(req.query.get('page') ?? 1);
		if (n === 3) {
			res.writeHead(302, { Location: sb.app.filesUrl('/elsewhere/Immunization?page=3') });
			res.end();
			return;
		}
		page(
			req,
			res,
			n,
			n < 4 ? sb.app.url(`/moved/onpatient_api/fhir/Immunization?page=${n + 1}`) : null,
		);
	});
	sb.app.route(
		'GET',
		'/elsewhere/Immunization',
		'files',
		(req, res) => page(req, res, 3, sb.app.url('/moved/onpatient_api/fhir/Immunization?page=4')),
		'files',
	);
});
afterAll(() => sb.close());

/** the credential store, counting every read of the onpatient credential (harness getCredentials) */
const countingStore = (store: Record<string, ICredentialDataDecryptedObject>, type = TYPE) =>
	countReads(store, type);

async function listAll(store: Record<string, ICredentialDataDecryptedObject>, patient = PATIENT) {
	return runNode(EhrFhir, {
		parameters: {
			authentication: TYPE,
			...LIST,
			scope: 'patient',
			patientId: byId(patient),
			returnAll: true,
			simplify: false,
		} as never,
		credentials: store,
	});
}

const bearer = (store: Record<string, ICredentialDataDecryptedObject>) =>
	`Bearer ${(store[TYPE].oauthTokenData as { access_token: string }).access_token}`;

const listRequests = (since: number) =>
	sb.app.requests.filter(
		(r) => r.seq > since && r.path.endsWith('/onpatient_api/fhir/Immunization'),
	);

const lastSeq = () => sb.app.requests.at(-1)?.seq ?? 0;

it('a 200-page list reads the credential a fixed number of times and sends the token on every page', async () => {
	const { store } = credentialsFor(sb, 'onpatient');
	const { proxy, reads } = countingStore(store);
	const token = bearer(store);
	const since = lastSeq();
	const { output, authEvents } = await listAll(proxy);
	expect(ids(output[0])).toEqual(immunizationIds(sb, PATIENT));
	expect(output[0]).toHaveLength(COUNT);
	const pages = listRequests(since);
	expect(pages).toHaveLength(COUNT / 50);
	expect(pages.every((r) => r.headers.authorization === token && r.status === 200)).toBe(true);
	expect(authEvents).toEqual([]);
	// the node's own read of the credential (vendor profile), n8n's read for the first request,
	// and the one read that fills the token cache: 3, not one per page
	expect(reads.n).toBe(3);
});

it('a token revoked in the middle of the list is refreshed once and every item arrives once', async () => {
	const { store } = credentialsFor(sb, 'onpatient');
	const { proxy, reads } = countingStore(store);
	const first = (store[TYPE].oauthTokenData as { access_token: string }).access_token;
	const since = lastSeq();
	// revoke the token when the 101st page is asked for (before the sandbox checks it)
	const check = sb.app.tokens.check.bind(sb.app.tokens);
	let onpatientChecks = 0;
	sb.app.tokens.check = (surface, token) => {
		if (surface === 'onpatient' && ++onpatientChecks === 101) {
			const rec = sb.app.tokens.access.get(first);
			if (rec) rec.revoked = true;
		}
		return check(surface, token);
	};
	try {
		const { output, authEvents } = await listAll(proxy);
		const got = ids(output[0]);
		expect(got).toEqual(immunizationIds(sb, PATIENT));
		expect(new Set(got).size).toBe(COUNT);
		expect(authEvents).toEqual([`oauth2:refresh:${TYPE}`]);
		const renewed = bearer(store);
		expect(renewed).not.toBe(`Bearer ${first}`);
		const pages = listRequests(since);
		// page 101: refused with the cached token, refused again through n8n's path (same stored
		// token), then sent with the refreshed one; 202 requests for 200 pages
		expect(pages.map((r) => r.status)).toEqual([
			...Array(100).fill(200),
			401,
			401,
			...Array(100).fill(200),
		]);
		expect(pages.slice(0, 102).every((r) => r.headers.authorization === `Bearer ${first}`)).toBe(
			true,
		);
		expect(pages.slice(102).every((r) => r.headers.authorization === renewed)).toBe(true);
		// 3 as above; the refresh reads it twice (n8n's read for the repeated request and the save
		// of the new token) and the cache is filled again once
		expect(reads.n).toBe(6);
	} finally {
		sb.app.tokens.check = check;
	}
});

it('a redirect to another origin in the middle of the list never carries the cached token', async () => {
	const { store } = credentialsFor(sb, 'onpatient');
	store[TYPE] = { ...store[TYPE], apiHost: `${sb.url}/moved` };
	const token = bearer(store);
	const since = lastSeq();
	const { output } = await listAll(store);
	expect(ids(output[0])).toEqual(['imm-1', 'imm-2', 'imm-3', 'imm-4']);
	const log = sb.app.requests.filter((r) => r.seq > since);
	const main = log.filter((r) => r.path.startsWith('/moved/'));
	const foreign = log.filter((r) => r.path.startsWith('/elsewhere/'));
	expect(main.map((r) => r.status)).toEqual([200, 200, 302, 200]);
	expect(main.every((r) => r.headers.authorization === token)).toBe(true);
	expect(foreign).toHaveLength(1);
	expect(foreign[0].headers.authorization).toBeUndefined();
	expect(JSON.stringify(foreign[0].headers)).not.toContain(token.slice(7));
});

it('two executions do not share a token: the second signs with the token stored now', async () => {
	const { store } = credentialsFor(sb, 'onpatient');
	const old = (store[TYPE].oauthTokenData as { access_token: string }).access_token;
	await listAll(store, 'pt-00001');
	// between the executions the stored token is replaced (another workflow refreshed it) and the
	// old one revoked
	const fresh = credentialsFor(sb, 'onpatient').store[TYPE].oauthTokenData;
	store[TYPE] = { ...store[TYPE], oauthTokenData: fresh };
	const rec = sb.app.tokens.access.get(old);
	if (rec) rec.revoked = true;
	const since = lastSeq();
	const { output, authEvents } = await listAll(store, 'pt-00001');
	expect(ids(output[0])).toEqual(immunizationIds(sb, 'pt-00001'));
	expect(authEvents).toEqual([]);
	const pages = listRequests(since);
	expect(pages.length).toBeGreaterThan(0);
	expect(pages.every((r) => r.headers.authorization === bearer(store) && r.status === 200)).toBe(
		true,
	);
});

it('the cached token is only handed out for the origin of the credential’s own API', async () => {
	const { store } = credentialsFor(sb, 'onpatient');
	const ctx = { getCredentials: async () => store[TYPE] } as unknown as Ctx;
	const api = `${sb.url}/onpatient/api/onpatient_api/fhir/Immunization`;
	expect(cachedToken(ctx, TYPE, api)).toBeUndefined();
	await rememberToken(ctx, TYPE);
	expect(cachedToken(ctx, TYPE, api)?.authorization).toBe(bearer(store));
	expect(
		cachedToken(ctx, TYPE, sb.app.filesUrl('/onpatient/api/onpatient_api/fhir/x')),
	).toBeUndefined();
	expect(cachedToken(ctx, TYPE, api.replace('http://', 'https://'))).toBeUndefined();
	// another context (execution) has nothing
	expect(cachedToken({ ...ctx } as Ctx, TYPE, api)).toBeUndefined();
	forgetToken(ctx, TYPE);
	expect(cachedToken(ctx, TYPE, api)).toBeUndefined();
	// a token that n8n would not sign as a bearer header is not cached
	store[TYPE] = {
		...store[TYPE],
		oauthTokenData: { access_token: 'x', token_type: 'mac' } as never,
	};
	await rememberToken(ctx, TYPE);
	expect(cachedToken(ctx, TYPE, api)).toBeUndefined();
});

describe('preAuthentication credentials (before-expiry renewal)', () => {
	const PAGES = 20;
	let offset = 0;
	const seen: string[] = [];
	beforeAll(() => {
		EXPIRING_CREDENTIALS.probeExpiringApi = {
			tokenField: 'accessToken',
			expiresAtField: 'expiresAt',
		};
		sb.app.route('POST', '/rc/t/token', 'smart', (_req, res) =>
			sendJson(res, 200, { access_token: 'rc-renewed-token', expires_in: 3600 }),
		);
		sb.app.route('GET', '/rc/page', 'smart', (req, res) => {
			const n = Number(req.query.get('n') ?? 1);
			seen.push(String(req.headers.authorization));
			// the clock moves to 5 s before the stored expiry while page 10 is served
			if (n === 10) offset = 55_000;
			sendJson(res, 200, {
				results: [{ id: `rc${n}` }],
				next: n < PAGES ? `/rc/page?n=${n + 1}` : null,
			});
		});
	});
	afterAll(() => {
		delete EXPIRING_CREDENTIALS.probeExpiringApi;
	});
	afterEach(() => jest.restoreAllMocks());

	it('reads the expiry once while it is far, and still renews before expiry in the middle of a list', async () => {
		const real = Date.now.bind(Date);
		offset = 0;
		jest.spyOn(Date, 'now').mockImplementation(() => real() + offset);
		const store: Record<string, ICredentialDataDecryptedObject> = {
			probeExpiringApi: {
				host: `${sb.url}/rc`,
				accessToken: 'rc-old-token',
				expiresAt: real() + 60_000,
			},
		};
		const { proxy, reads } = countingStore(store, 'probeExpiringApi');
		const { output, authEvents } = await runNode(TransportProbe, {
			parameters: {
				authentication: 'probeExpiringApi',
				request: JSON.stringify({ method: 'GET', url: `${sb.url}/rc/page`, what: 'List things' }),
				paginate: true,
				paginateOptions: '{}',
			},
			credentials: proxy,
			credentialTypes: PROBE_CREDENTIAL_TYPES,
		});
		const pages = output[0][0].json.pages as Array<{ entries: Array<{ id: string }> }>;
		expect(pages.flatMap((p) => p.entries.map((e) => e.id))).toEqual(
			Array.from({ length: PAGES }, (_, i) => `rc${i + 1}`),
		);
		expect(authEvents).toEqual(['preAuthentication:probeExpiringApi:empty']);
		expect(seen).toEqual([
			...Array(10).fill('Bearer rc-old-token'),
			...Array(10).fill('Bearer rc-renewed-token'),
		]);
		expect(store.probeExpiringApi.accessToken).toBe('rc-renewed-token');
		// n8n reads it for each of the 20 requests (harness, as n8n-core does); the renewal check
		// reads it on page 1, on page 11 (within the window: renewal) and on page 12 (new expiry)
		expect(reads.n).toBe(PAGES + 3);
	});
});
