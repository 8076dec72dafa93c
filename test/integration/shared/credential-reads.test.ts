// One credential read per execution, not one per request, for the credentials whose token our own
// preAuthentication makes (1upHealth, SMART Backend Services: n8n's httpRequestWithAuthentication
// reads the credential for every request it signs) and for MyPatientPortal's portal API base
// (portalApiBase read it for every request); a refused token is still renewed once through n8n's
// helper and every item arrives once. Rules: nodes/shared/http/token-cache.ts.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { countingStore, revokeAt } from '../../helpers/credential-reads';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { FhirBulkExport } from '../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { MyPatientPortal } from '../../../nodes/MyPatientPortal/MyPatientPortal.node';
import { LIST, byId, credentialsFor, ids, immunizationIds } from '../EhrFhir/fixtures';
import {
	BULK_SCOPES,
	params,
	stubBackendCredential,
	useBulkSandbox,
} from '../FhirBulkExport/helpers';

describe('1upHealth and MyPatientPortal', () => {
	const PATIENT = 'pt-00002';
	const COUNT = 3_000; // 30 pages of 100 on 1upHealth
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await withSandbox({ patients: 5, heavyPatients: { [PATIENT]: COUNT } });
	});
	afterAll(() => sb.close());
	const lastSeq = () => sb.app.requests.at(-1)?.seq ?? 0;
	const pagesSince = (since: number) =>
		sb.app.requests.filter((r) => r.seq > since && r.path.endsWith('/1up/api/r4/Immunization'));

	const listOneUp = (store: Record<string, ICredentialDataDecryptedObject>) =>
		runNode(EhrFhir, {
			parameters: {
				authentication: 'oneUpHealthApi',
				...LIST,
				scope: 'patient',
				patientId: byId(PATIENT),
				returnAll: true,
				simplify: false,
			} as never,
			credentials: store,
		});

	it('1upHealth: a 30-page list reads the credential a fixed number of times, every page with the stored token', async () => {
		const { store } = credentialsFor(sb, 'oneup-r4');
		const { proxy, reads } = countingStore(store, 'oneUpHealthApi');
		const token = `Bearer ${String(store.oneUpHealthApi.accessToken)}`;
		const since = lastSeq();
		const { output, authEvents } = await listOneUp(proxy);
		expect(ids(output[0])).toEqual(immunizationIds(sb, PATIENT));
		const pages = pagesSince(since);
		expect(pages).toHaveLength(COUNT / 100);
		expect(pages.every((r) => r.headers.authorization === token && r.status === 200)).toBe(true);
		expect(authEvents).toEqual([]);
		// the node's read (vendor profile), the renewal check's first read, n8n's read for the first
		// request and the read that keeps the token: 4, not one or two per page (64 before)
		expect(reads.n).toBe(4);
	});

	it('1upHealth: a token revoked in the middle of the list is renewed once and every item arrives once', async () => {
		const { store } = credentialsFor(sb, 'oneup-r4');
		const { proxy, reads } = countingStore(store, 'oneUpHealthApi');
		const first = String(store.oneUpHealthApi.accessToken);
		const since = lastSeq();
		const restore = revokeAt(sb, 'oneup', 16, () => first);
		try {
			const { output, authEvents } = await listOneUp(proxy);
			const got = ids(output[0]);
			expect(got).toEqual(immunizationIds(sb, PATIENT));
			expect(new Set(got).size).toBe(COUNT);
			// one renewal by the credential's preAuthentication, run by n8n's helper
			expect(authEvents).toHaveLength(1);
			expect(authEvents[0]).toMatch(/^preAuthentication:oneUpHealthApi:/);
			const renewed = String(store.oneUpHealthApi.accessToken);
			expect(renewed).not.toBe(first);
			const pages = pagesSince(since);
			// page 16 refused once with the kept token, then sent once with the renewed one
			expect(pages.map((r) => r.status)).toEqual([
				...Array(15).fill(200),
				401,
				...Array(15).fill(200),
			]);
			expect(pages.slice(0, 16).every((r) => r.headers.authorization === `Bearer ${first}`)).toBe(
				true,
			);
			expect(pages.slice(16).every((r) => r.headers.authorization === `Bearer ${renewed}`)).toBe(
				true,
			);
			// 4 as above, the renewal (the renewal check's read of the refused token's credential,
			// n8n's read and preAuthentication's save) and the read that keeps the new token: 7
			// (33 before)
			expect(reads.n).toBe(7);
		} finally {
			restore();
		}
	});

	const mppCredential = (withRefresh: boolean) => {
		const t = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 'mpp-demo',
			scopes: ['profile_read', 'appointment_read', 'appointment_write'],
			lifetimeSeconds: 3600,
			withRefresh,
			patient: 'pt-00001',
		});
		return {
			myPatientPortalOAuth2Api: {
				portalUrl: `${sb.url}/mpp`,
				clientId: 'mpp-demo',
				clientSecret: 'mpp-demo-secret',
				oauthTokenData: { ...t, token_type: 'Bearer' } as never,
			} as ICredentialDataDecryptedObject,
		};
	};
	const ITEMS = 12;
	const profiles = (store: Record<string, ICredentialDataDecryptedObject>) =>
		runNode(MyPatientPortal, {
			parameters: { operation: 'getProfile' },
			credentials: store,
			items: Array.from({ length: ITEMS }, (_, i) => ({ json: { i } })),
		});
	const profileRequests = (since: number) =>
		sb.app.requests.filter((r) => r.seq > since && r.path.endsWith('/api/portal/v1/me'));

	it('MyPatientPortal: 12 items (12 requests) read the credential a fixed number of times', async () => {
		const store = mppCredential(false);
		const { proxy, reads } = countingStore(store, 'myPatientPortalOAuth2Api');
		const since = lastSeq();
		const { output, authEvents } = await profiles(proxy);
		expect(output[0]).toHaveLength(ITEMS);
		expect(output[0].every((i) => i.json.id === 'pt-00001')).toBe(true);
		expect(profileRequests(since)).toHaveLength(ITEMS);
		expect(authEvents).toEqual([]);
		// the portal API base once, n8n's read for the first request, the read that keeps the
		// token: 3 (14 before: the base was read for every request)
		expect(reads.n).toBe(3);
	});

	it('MyPatientPortal: a token revoked after the 5th request is refreshed once through n8n and every item answered', async () => {
		const store = mppCredential(true);
		const { proxy, reads } = countingStore(store, 'myPatientPortalOAuth2Api');
		const first = (store.myPatientPortalOAuth2Api.oauthTokenData as { access_token: string })
			.access_token;
		const since = lastSeq();
		const restore = revokeAt(sb, 'mpp', 6, () => first);
		try {
			const { output, authEvents } = await profiles(proxy);
			expect(output[0]).toHaveLength(ITEMS);
			expect(output[0].every((i) => i.json.id === 'pt-00001')).toBe(true);
			expect(authEvents).toEqual(['oauth2:refresh:myPatientPortalOAuth2Api']);
			const renewed = (store.myPatientPortalOAuth2Api.oauthTokenData as { access_token: string })
				.access_token;
			expect(renewed).not.toBe(first);
			const reqs = profileRequests(since);
			// the 6th refused with the kept token and again through n8n's OAuth2 path (same stored
			// token), then sent with the refreshed one
			expect(reqs.map((r) => r.status)).toEqual([
				...Array(5).fill(200),
				401,
				401,
				...Array(7).fill(200),
			]);
			expect(reqs.slice(7).every((r) => r.headers.authorization === `Bearer ${renewed}`)).toBe(
				true,
			);
			// 3 as above; the refresh: n8n's read for the repeated request and its save of the new
			// token; the read that keeps it again: 6 (16 before: the portal API base per request)
			expect(reads.n).toBe(6);
		} finally {
			restore();
		}
	});
});

describe('SMART Backend Services: Download Export Files', () => {
	const bulk = useBulkSandbox({
		patients: 40,
		bulk: { resourcesPerFile: 8, pollsBeforeDone: 0, retryAfterSeconds: 0 },
	});
	const download = (manifest: unknown, store: Record<string, ICredentialDataDecryptedObject>) =>
		runNode(FhirBulkExport, {
			parameters: params({
				operation: 'downloadFiles',
				manifest: JSON.stringify(manifest),
				outputMode: 'files',
				options: { concurrency: 4 },
			}),
			credentials: store,
			credentialTypes: [stubBackendCredential(bulk.sb)],
		});
	/** the credential with a token of an earlier execution (an hour left) */
	const backendStore = (): Record<string, ICredentialDataDecryptedObject> => {
		const t = bulk.sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'test',
			scopes: BULK_SCOPES,
			lifetimeSeconds: 3600,
		});
		return {
			smartBackendServicesApi: {
				fhirBaseUrl: `${bulk.sb.url}/smart/fhir`,
				accessToken: t.access_token,
				expiresAt: Date.now() + 3600_000,
			},
		};
	};
	const fileRequests = (since: number) =>
		bulk.newRequests(since).filter((r) => r.path.includes('/bulkfiles/'));

	it('every file of a manifest with requiresAccessToken: the credential is read a fixed number of times, not per file', async () => {
		const { manifest } = (await bulk.completedExport(['Patient', 'Immunization'])) as {
			manifest: { output: unknown[]; requiresAccessToken: boolean };
		};
		expect(manifest.requiresAccessToken).toBe(true);
		expect(manifest.output.length).toBeGreaterThanOrEqual(8);
		const store = backendStore();
		const { proxy, reads } = countingStore(store, 'smartBackendServicesApi');
		const since = bulk.lastSeq();
		const { output, authEvents } = await download(manifest, proxy);
		expect(output[0]).toHaveLength(manifest.output.length);
		expect(output[0].every((i) => i.binary?.data && !i.json.error)).toBe(true);
		const files = fileRequests(since);
		expect(files).toHaveLength(manifest.output.length);
		const token = `Bearer ${String(store.smartBackendServicesApi.accessToken)}`;
		expect(files.every((r) => r.status === 200 && r.headers.authorization === token)).toBe(true);
		expect(authEvents).toEqual([]);
		// the FHIR base (origin check) once, and for the first download (the 3 others started with
		// it wait until the token is kept) the renewal check, n8n's read and the read that keeps the
		// token: 4 (up to 13 while the 4 first downloads each went through n8n's helper; 105 for
		// these 50 files before the token was kept: two per file and more)
		expect(reads.n).toBe(4);
	});

	it('an empty credential (its first use): the 4 parallel first downloads get one token, not four', async () => {
		const { manifest } = (await bulk.completedExport(['Patient', 'Immunization'])) as {
			manifest: { output: unknown[] };
		};
		expect(manifest.output.length).toBeGreaterThanOrEqual(8);
		const store: Record<string, ICredentialDataDecryptedObject> = {
			smartBackendServicesApi: { fhirBaseUrl: `${bulk.sb.url}/smart/fhir` },
		};
		const { proxy, reads } = countingStore(store, 'smartBackendServicesApi');
		const since = bulk.lastSeq();
		const { output, authEvents } = await download(manifest, proxy);
		expect(output[0]).toHaveLength(manifest.output.length);
		expect(output[0].every((i) => i.binary?.data && !i.json.error)).toBe(true);
		expect(authEvents.filter((e) => e.startsWith('preAuthentication:'))).toHaveLength(1);
		const token = `Bearer ${String(store.smartBackendServicesApi.accessToken)}`;
		const files = fileRequests(since);
		expect(files).toHaveLength(manifest.output.length);
		expect(files.every((r) => r.status === 200 && r.headers.authorization === token)).toBe(true);
		// the origin check, then for the one first download the renewal check, n8n's read, its
		// preAuthentication's save of the new token and the read that keeps it: 5
		expect(reads.n).toBe(5);
	});

	it('a token revoked during the downloads is renewed once (not once per refused download) and every file is delivered', async () => {
		const { manifest } = (await bulk.completedExport(['Patient', 'Immunization'])) as {
			manifest: { output: unknown[] };
		};
		const store = backendStore();
		const { proxy, reads } = countingStore(store, 'smartBackendServicesApi');
		const since = bulk.lastSeq();
		// revoke the token the execution got, once 6 files were asked for
		const restore = revokeAt(bulk.sb, 'smart', 6, () =>
			String(store.smartBackendServicesApi.accessToken),
		);
		try {
			const { output, authEvents } = await download(manifest, proxy);
			expect(output[0]).toHaveLength(manifest.output.length);
			expect(output[0].every((i) => i.binary?.data && !i.json.error)).toBe(true);
			// one renewal, however many of the 4 downloads in flight were refused: the others wait
			// for it and use the renewed token (before: one renewal per refused download)
			const preAuths = authEvents.filter((e) => e.startsWith('preAuthentication:'));
			expect(preAuths).toHaveLength(1);
			const files = fileRequests(since);
			// each refused download refused once (1 to 4 of them), then sent with the renewed token
			const refusedFiles = files.filter((r) => r.status === 401).length;
			expect(refusedFiles).toBeGreaterThanOrEqual(1);
			expect(refusedFiles).toBeLessThanOrEqual(4);
			expect(files.filter((r) => r.status === 200)).toHaveLength(manifest.output.length);
			// a fixed number of reads for the first downloads and each renewal, not per file
			expect(reads.n).toBeLessThan(manifest.output.length);
			const renewed = `Bearer ${String(store.smartBackendServicesApi.accessToken)}`;
			expect(
				files
					.filter((r) => r.status === 200)
					.slice(-2)
					.every((r) => r.headers.authorization === renewed),
			).toBe(true);
		} finally {
			restore();
		}
	});
});
