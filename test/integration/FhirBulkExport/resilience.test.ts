// FHIR Bulk Export under stress, across the operations that poll and download: Retry-After
// (seconds, HTTP-date, absurd), 429 and 503 while polling, transient 5xx, 60-second tokens
// expiring mid-export (real SMART Backend Services credential), timeout and cancel deleting the
// job, truncated NDJSON, a file retried after a 503, the NDJSON check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '../../harness';
import { armFault } from '../../helpers/sandbox';
import { FhirBulkExport } from '../../../nodes/FhirBulkExport/FhirBulkExport.node';
import { jobs, params, setBulkOptions, stubBackendCredential, useBulkSandbox } from './helpers';

describe('FHIR Bulk Export: polling, tokens, failures', () => {
	const bulk = useBulkSandbox({
		patients: 20,
		bulk: { resourcesPerFile: 50, pollsBeforeDone: 1, retryAfterSeconds: 0 },
	});
	const { run, lastSeq } = bulk;
	const statusPolls = (since: number) =>
		bulk
			.newRequests(since)
			.filter((r) => r.path.endsWith('$bulkdata-status') && r.method === 'GET');

	afterEach(async () => {
		await fetch(`${bulk.sb.url}/_admin/faults`, { method: 'DELETE' });
		await setBulkOptions(bulk.sb, {
			pollsBeforeDone: 1,
			retryAfterSeconds: 0,
			retryAfterStyle: 'seconds',
		});
	});

	it('honours Retry-After in seconds between status checks', async () => {
		await setBulkOptions(bulk.sb, { retryAfterSeconds: 1 });
		const t0 = Date.now();
		const { output, logs } = await run({ types: ['Patient'] });
		const elapsed = Date.now() - t0;
		expect(output[0].length).toBe(1);
		expect(elapsed).toBeGreaterThanOrEqual(950);
		expect(elapsed).toBeLessThan(4000);
		expect(
			logs.some(
				(l) => /in progress: \d+% complete/.test(l.message) && /next check in 1 s/.test(l.message),
			),
		).toBe(true);
	});

	it('honours Retry-After as an HTTP-date', async () => {
		await setBulkOptions(bulk.sb, { retryAfterStyle: 'http-date', retryAfterSeconds: 2 });
		const t0 = Date.now();
		await run({ types: ['Patient'], options: { maxWait: 5 } });
		// an HTTP-date has 1-s resolution: between 1 and 2 s ahead
		expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
	});

	it('distrusts an absurd Retry-After (a day, or an epoch timestamp) and waits the ceiling', async () => {
		for (const style of ['absurd', 'absurd-date']) {
			await setBulkOptions(bulk.sb, { retryAfterStyle: style });
			const t0 = Date.now();
			const { logs } = await run({ types: ['Patient'], options: { maxWait: 0.3 } });
			const elapsed = Date.now() - t0;
			expect(elapsed).toBeGreaterThanOrEqual(280);
			expect(elapsed).toBeLessThan(3000);
			expect(
				logs.some((l) => l.level === 'warn' && /beyond the maximum wait/.test(l.message)),
			).toBe(true);
		}
	});

	it('slows down on 429 and rides out 503 and transient 5xx while polling', async () => {
		await setBulkOptions(bulk.sb, { pollsBeforeDone: 2 });
		await armFault(bulk.sb, [
			{ surface: 'smart', kind: 'rate-limit', pathContains: '$bulkdata-status', retryAfter: '0' },
			{ surface: 'smart', kind: 'unavailable', pathContains: '$bulkdata-status', after: 1 },
			{
				surface: 'smart',
				kind: 'transient-5xx',
				pathContains: '$bulkdata-status',
				status: 500,
				after: 1,
			},
		]);
		const seq = lastSeq();
		const { output, logs } = await run({ types: ['Patient'] });
		expect(output[0].reduce((a, i) => a + (i.json.lines as number), 0)).toBe(20);
		const statuses = statusPolls(seq).map((r) => r.status);
		expect(statuses).toContain(429);
		expect(statuses).toContain(503);
		expect(statuses).toContain(500);
		expect(statuses.at(-1)).toBe(200);
		expect(logs.some((l) => /rate-limited \(HTTP 429\); slowing down/.test(l.message))).toBe(true);
		expect(
			logs.some((l) =>
				/temporary failure \(HTTP 500: .*The export service is busy/.test(l.message),
			),
		).toBe(true);
	});

	it('gives up after the bounded number of transient errors, with the server message', async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'transient-5xx',
			pathContains: '$bulkdata-status',
			times: 10,
		});
		await expect(run({ types: ['Patient'], options: { transientRetries: 2 } })).rejects.toThrow(
			/HTTP 503\) 3 times in a row: .*The export service is busy/,
		);
	});

	it('a 60-s token expiring mid-export: new token during polling and during downloads (real credential)', async () => {
		await setBulkOptions(bulk.sb, { pollsBeforeDone: 2 });
		const pem = readFileSync(
			join(__dirname, '../../../sandbox/keys/TEST-ONLY-rs384-private.pem'),
			'utf8',
		);
		const seq = lastSeq();
		// advance the sandbox clock past the token's 60 s at the first status check and at the first file
		let stage = 0;
		const timer = setInterval(() => {
			const reqs = bulk.sb.app.requests.filter((r) => r.seq > seq);
			if (stage === 0 && reqs.some((r) => r.path.endsWith('$bulkdata-status'))) {
				bulk.sb.app.clock.advance(61);
				stage = 1;
			} else if (stage === 1 && reqs.some((r) => r.path.includes('/bulkfiles/'))) {
				bulk.sb.app.clock.advance(61);
				stage = 2;
			}
		}, 2);
		try {
			const res = await runNode(FhirBulkExport, {
				parameters: params({
					types: ['Patient', 'Immunization'],
					options: { minWait: 0.15, concurrency: 1 },
				}),
				credentials: {
					smartBackendServicesApi: {
						fhirBaseUrl: `${bulk.sb.url}/smart/fhir`,
						tokenUrl: `${bulk.sb.url}/smart/auth/token`,
						clientId: 'smart-backend-demo',
						privateKey: pem,
						keyId: 'sandbox-test-rs384',
						algorithm: 'RS384',
					},
				},
			});
			expect(stage).toBe(2);
			expect(res.output[0].find((i) => i.json.type === 'Patient')!.json.lines).toBe(20);
			// the first token (field empty), then a renewal for each refused token: after a 401 of the
			// token the execution kept (token-cache.ts) the transport hands n8n the credential with
			// the token blanked, so n8n renews at once (':empty') instead of sending the refused
			// token again and renewing after a second 401 (':expired')
			const preAuths = res.authEvents.filter((e) =>
				/^preAuthentication:smartBackendServicesApi:(empty|expired)$/.test(e),
			);
			const renewals = preAuths.slice(1);
			expect(renewals.length).toBeGreaterThanOrEqual(2);
			const reqs = bulk.sb.app.requests.filter((r) => r.seq > seq);
			// one refused request per renewal, not two
			expect(reqs.filter((r) => r.status === 401).length).toBe(renewals.length);
			expect(reqs.filter((r) => r.path.endsWith('/smart/auth/token')).length).toBe(
				1 + renewals.length,
			);
		} finally {
			clearInterval(timer);
			bulk.sb.app.clock.reset();
		}
	});

	it('deletes the job on the server when the maximum total wait runs out', async () => {
		await setBulkOptions(bulk.sb, { pollsBeforeDone: 1000 });
		const seq = lastSeq();
		await expect(
			run({ types: ['Patient'], options: { minWait: 0.05, maxTotalWait: 0.4 } }),
		).rejects.toThrow(
			/did not finish within the maximum wait of 0.4 s (?:\(a status check was still waiting for the server's answer\) )?\(the job was deleted on the server\)/,
		);
		const del = bulk.sb.app.requests.filter((r) => r.seq > seq && r.method === 'DELETE');
		expect(del).toHaveLength(1);
		expect(del[0].status).toBe(202);
		const job = (await jobs(bulk.sb)).find((j) => del[0].query.endsWith(j.id))!;
		expect(job.status).toBe('cancelled');
	});

	it('Maximum Total Wait ends a status check in progress (a manifest trickling one byte a second) and the job is deleted', async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'drip',
			pathContains: '$bulkdata-status',
			method: 'GET',
			after: 1,
			delayMs: 1000,
		});
		const seq = lastSeq();
		const t0 = Date.now();
		await expect(
			run({ types: ['Patient'], options: { minWait: 0.05, maxTotalWait: 2 } }),
		).rejects.toThrow(
			/did not finish within the maximum wait of 2 s \(a status check was still waiting for the server's answer\) \(the job was deleted on the server\)/,
		);
		const ms = Date.now() - t0;
		console.log(
			`[bounds] Bulk Export, manifest dripping, Maximum Total Wait 2 s: stopped after ${ms} ms`,
		);
		expect(ms).toBeLessThan(6000);
		const del = bulk.sb.app.requests.filter((r) => r.seq > seq && r.method === 'DELETE');
		expect(del.map((r) => r.status)).toEqual([202]);
	}, 20_000);

	it('Maximum Total Wait ends a file download in progress: that file is an item with the error, the job is kept', async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'drip',
			pathContains: '/bulkfiles/',
			delayMs: 20,
		});
		const t0 = Date.now();
		const { output } = await run({
			types: ['Patient'],
			options: { maxTotalWait: 3, fileRetries: 2 },
		});
		const ms = Date.now() - t0;
		console.log(
			`[bounds] Bulk Export, file dripping, Maximum Total Wait 3 s: stopped after ${ms} ms`,
		);
		expect(ms).toBeLessThan(8000);
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].json.error).toBe(
			'Download of bulk export file Patient-1.ndjson did not finish within the Maximum Total Wait; it was stopped',
		);
		expect(String(output[0][0].json.description)).toMatch(/Raise "Maximum Total Wait \(Seconds\)"/);
		const statusUrl = String(output[0][0].json.statusUrl);
		expect((await jobs(bulk.sb)).find((j) => statusUrl.endsWith(j.id))?.status).toBe('completed');
	}, 20_000);

	it('when the execution is cancelled, stops polling and names the status URL to cancel', async () => {
		await setBulkOptions(bulk.sb, { pollsBeforeDone: 1000 });
		const abort = new AbortController();
		const seq = lastSeq();
		setTimeout(() => abort.abort(), 300);
		await expect(
			runNode(FhirBulkExport, {
				parameters: params({ types: ['Patient'], options: { minWait: 0.05 } }),
				credentials: { smartBackendServicesApi: { fhirBaseUrl: `${bulk.sb.url}/smart/fhir` } },
				credentialTypes: [stubBackendCredential(bulk.sb)],
				abortSignal: abort.signal,
			}),
		).rejects.toThrow(
			/The bulk export was cancelled; the job is still on the server: .*\$bulkdata-status\?job=/,
		);
		const polls = statusPolls(seq).length;
		await new Promise((r) => setTimeout(r, 200));
		expect(statusPolls(seq).length).toBe(polls);
	});

	it("reports truncated NDJSON with the file name, on that file's item", async () => {
		await armFault(bulk.sb, {
			surface: 'smart',
			kind: 'truncate-ndjson',
			pathContains: 'Patient-1.ndjson',
		});
		const { output } = await run({ types: ['Patient'] });
		expect(output[0]).toHaveLength(1);
		expect(String(output[0][0].json.error)).toMatch(
			/Patient-1\.ndjson: the file ends in the middle of line \d+ \(truncated download\)/,
		);
	});

	it('retries a file after a transient 503 and a connection reset', async () => {
		await armFault(bulk.sb, [
			{ surface: 'smart', kind: 'transient-5xx', pathContains: '/bulkfiles/' },
			{ surface: 'smart', kind: 'reset', pathContains: '/bulkfiles/', after: 1 },
		]);
		const seq = lastSeq();
		const { output } = await run({ types: ['Patient'] });
		expect(output[0][0].json.lines).toBe(20);
		const fileStatuses = bulk.sb.app.requests
			.filter((r) => r.seq > seq && r.path.includes('/bulkfiles/'))
			.map((r) => r.status);
		expect(fileStatuses.length).toBe(3);
		expect(fileStatuses[0]).toBe(503);
		expect(fileStatuses[2]).toBe(200);
	});

	it('the NDJSON check reports a type mismatch (an error) and a line count other than the manifest count (countMismatch)', async () => {
		const { NdjsonChecker } = await import('../../../nodes/shared/bulk/ndjson');
		const c = new NdjsonChecker({
			fileName: 'Immunization-1.ndjson',
			expectedType: 'Immunization',
			validate: true,
		});
		expect(() => c.write(Buffer.from('{"resourceType":"Patient","id":"x"}\n'))).toThrow(
			/Immunization-1\.ndjson: line 1 has resourceType "Patient" but the manifest lists this file as Immunization/,
		);
		const short = new NdjsonChecker({
			fileName: 'Patient-3.ndjson',
			expectedType: 'Patient',
			expectedCount: 3,
			validate: true,
		});
		short.write(Buffer.from('{"resourceType":"Patient","id":"a"}\n{"resourceType":"Pat'));
		short.write(Buffer.from('ient","id":"b"}\n'));
		expect(() => short.end()).not.toThrow();
		expect(short.countMismatch).toEqual({ manifest: 3, lines: 2 });
		const ok = new NdjsonChecker({
			fileName: 'Patient-5.ndjson',
			expectedType: 'Patient',
			expectedCount: 2,
			validate: true,
		});
		ok.write(
			Buffer.from('{"resourceType":"Patient","id":"a"}\r\n\n{"resourceType" : "Patient","id":"b"}'),
		);
		expect(() => ok.end()).not.toThrow();
		expect(ok.lines).toBe(2);
	});
});
