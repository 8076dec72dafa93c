// Start Export: the kick-off alone. A kick-off whose answer is lost after the server started the
// job is not sent again (a second export would run and leave its files on the server); a 429 /
// 503 to the kick-off (nothing started) is waited out and sent again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { armFault } from '../../../helpers/sandbox';
import { runNode } from '../../../harness';
import { FhirBulkExport } from '../../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { jobs, params, useBulkSandbox } from '../helpers';

describe('Start Export: the kick-off is never sent again blindly', () => {
	const bulk = useBulkSandbox({
		patients: 10,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 },
	});
	const { run, lastSeq } = bulk;
	const kickoffs = (since: number) =>
		bulk.newRequests(since).filter((r) => r.path.endsWith('/$export'));

	beforeEach(async () => {
		await fetch(`${bulk.sb.url}/_admin/reset`, { method: 'POST' });
	});

	it('the connection breaks after the server started the job: one kick-off, one job, an error that says so', async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'reset',
			pathContains: '/$export',
			method: 'GET',
		});
		const seq = lastSeq();
		const err = (await run({ operation: 'startExport', types: ['Patient'] }).catch(
			(e: unknown) => e,
		)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.description).toContain('it was not sent again, so that no second export runs');
		expect(kickoffs(seq)).toHaveLength(1);
		expect(await jobs(bulk.sb)).toHaveLength(1);
	});

	it('429 and 503 to the kick-off are waited out and the export starts once', async () => {
		await armFault(bulk.sb, [
			{ surface: 'smart', kind: 'rate-limit', pathContains: '/$export', times: 1, retryAfter: '0' },
			{
				surface: 'smart',
				kind: 'unavailable',
				pathContains: '/$export',
				times: 1,
				retryAfter: '0',
			},
		]);
		const seq = lastSeq();
		const { output } = await run({ operation: 'startExport', types: ['Patient'] });
		expect(String(output[0][0].json.statusUrl)).toContain('$bulkdata-status?job=');
		expect(kickoffs(seq).map((r) => r.status)).toEqual([429, 503, 202]);
		expect(await jobs(bulk.sb)).toHaveLength(1);
	});
});

describe('Start Export: Since and Until are FHIR instants', () => {
	const bulk = useBulkSandbox({
		patients: 5,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 },
	});
	const { run, lastSeq, newRequests } = bulk;
	const kickoffQuery = (since: number) =>
		new URLSearchParams(newRequests(since).find((r) => r.path.endsWith('/$export'))!.query);

	it('an instant with a time zone (Z or ±hh:mm, with or without a fraction) is sent as written, trimmed', async () => {
		for (const [since, until] of [
			['2025-01-01T00:00:00Z', '2025-06-30T23:59:59.123+02:00'],
			['2025-01-01T00:00:00.5-05:00', '2025-06-30T23:59:59Z'],
		]) {
			const seq = lastSeq();
			await run({
				operation: 'startExport',
				types: ['Patient'],
				since: ` ${since} `,
				exportOptions: { until },
			});
			expect(kickoffQuery(seq).get('_since')).toBe(since);
			expect(kickoffQuery(seq).get('_until')).toBe(until);
		}
	});

	it('an empty Since or Until is left out', async () => {
		const seq = lastSeq();
		await run({
			operation: 'startExport',
			types: ['Patient'],
			since: '  ',
			exportOptions: { until: '' },
		});
		expect(kickoffQuery(seq).has('_since')).toBe(false);
		expect(kickoffQuery(seq).has('_until')).toBe(false);
	});

	it('a date without a time or zone, a day that does not exist, or words: refused before any request', async () => {
		for (const bad of [
			'yesterday',
			'2025-01-01',
			'2025-01-01T00:00:00',
			'2024-02-30T00:00:00Z',
			'2025-01-01 00:00:00Z',
			'2025-01-01T00:00:00+0200',
		]) {
			const seq = lastSeq();
			await expect(run({ operation: 'startExport', since: bad })).rejects.toThrow(
				`Since "${bad}" is not a FHIR instant`,
			);
			await expect(
				run({ operation: 'startExport', exportOptions: { until: bad } }),
			).rejects.toThrow(`Until "${bad}" is not a FHIR instant`);
			expect(newRequests(seq)).toEqual([]);
		}
	});

	it('the error of a refused instant says what to enter and names the failed input item', async () => {
		const err = (await run(
			{ operation: 'startExport', types: ['Patient'], since: '={{ $json.since }}' },
			{ items: [{ json: { since: '2025-01-01T00:00:00Z' } }, { json: { since: 'yesterday' } }] },
		).catch((e: unknown) => e)) as Error & {
			description?: string;
			context?: { itemIndex?: number };
		};
		expect(err.message).toBe('Since "yesterday" is not a FHIR instant');
		expect(err.description).toBe(
			"Use a date and time with a time zone, e.g. 2025-01-01T00:00:00Z (the manifest's transactionTime works as is).",
		);
		expect(err.context?.itemIndex).toBe(1);
	});
});

describe('Start Export: a credential that gets no token says so, and that no export started', () => {
	const bulk = useBulkSandbox({
		patients: 5,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 0, retryAfterSeconds: 0 },
	});
	const KEY = readFileSync(
		join(__dirname, '../../../../sandbox/keys/TEST-ONLY-rs384-private.pem'),
		'utf8',
	);
	const start = (extra: Record<string, unknown>) =>
		runNode(FhirBulkExport, {
			parameters: params({ operation: 'startExport', types: ['Patient'] }),
			credentials: {
				smartBackendServicesApi: {
					fhirBaseUrl: `${bulk.sb.url}/smart/fhir`,
					tokenUrl: `${bulk.sb.url}/smart/auth/token`,
					clientId: 'smart-backend-demo',
					privateKey: KEY,
					keyId: 'sandbox-test-rs384',
					algorithm: 'RS384',
					...extra,
				},
			},
		}).then(
			() => new Error('the export started') as Error & { description?: string },
			(e: unknown) => e as Error & { description?: string },
		);
	const kickoff = () => `Bulk export kick-off (GET ${bulk.sb.url}/smart/fhir/$export)`;

	it('a malformed private key: refused before any request, no word of a broken connection', async () => {
		const seq = bulk.lastSeq();
		const err = await start({
			privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
		});
		expect(err.message).toBe(
			`${kickoff()} failed: the credential could not get an access token: Private Key is a malformed PEM: it could not be read as a private key. Paste the whole key including the BEGIN/END lines.`,
		);
		expect(err.description).toBe(
			'Fix Private Key in the credential, then run the workflow again. No export was started.',
		);
		expect(bulk.newRequests(seq)).toEqual([]);
		expect(await jobs(bulk.sb)).toEqual([]);
	});

	it('the default scope on a server that grants only system/*.read: invalid_scope names the scope and the presets', async () => {
		const seq = bulk.lastSeq();
		const err = await start({ clientId: 'smart-backend-v1-demo' });
		expect(err.message).toBe(
			`${kickoff()} failed: the credential could not get an access token: SMART Backend Services token request to ${bulk.sb.url}/smart/auth/token failed (HTTP 400: invalid_scope: The client is not allowed the scope(s): system/*.$export system/*.$bulkdata-status.).`,
		);
		expect(err.description).toBe(
			'Check Scope: the server grants only the system/ scopes your app is registered for. Try another Scope Preset: eMedicalPractice style (system/*.$export system/*.$bulkdata-status system/Binary.read), or SMART v1 (system/*.read), or SMART v2 (system/*.rs). No export was started.',
		);
		expect(bulk.newRequests(seq).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			'POST /smart/auth/token 400',
		]);
	});
});
