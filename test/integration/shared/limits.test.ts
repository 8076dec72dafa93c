// The bounds of one apiRequest (nodes/shared/http/limits.ts) through the harness against a small
// hostile server on loopback: an endless chunked JSON body, a gzip bomb and a 200 MB Patient stop
// at the response size limit with a clear error in bounded memory (RSS measured); the limit can
// be raised per request; a server that trickles its answer (one byte a second), or never sends
// its headers, is stopped at the whole-request deadline.
import type { NodeApiError } from 'n8n-workflow';
import { runNode } from '../../harness';
import { TransportProbe, PROBE_CREDENTIAL_TYPES } from '../../harness/probe';
import type { ApiRequest } from '../../../nodes/shared/http';
import {
	gzipMember,
	pump,
	repeat,
	rssMonitor,
	startHostile,
	type Hostile,
} from '../../helpers/hostile';

const MB = 1024 * 1024;
let host: Hostile;

async function call(req: Partial<ApiRequest> & { url: string }) {
	return runNode(TransportProbe, {
		parameters: {
			authentication: 'probeBearerApi',
			request: JSON.stringify({ method: 'GET', ...req }),
		},
		credentials: { probeBearerApi: { token: 'probe-token-abcdefghijklmnop' } } as never,
		credentialTypes: PROBE_CREDENTIAL_TYPES,
	});
}

/** The node's error for this request, with the time it took and the peak RSS while it ran. */
async function failing(req: Partial<ApiRequest> & { url: string }) {
	const rss = rssMonitor();
	const t0 = Date.now();
	const err = (await call(req).then(
		() => undefined,
		(e: unknown) => e,
	)) as NodeApiError | undefined;
	const ms = Date.now() - t0;
	const peakMb = rss.stop();
	const growthMb = rss.growthMb();
	if (!err) throw new Error('expected the request to fail');
	return { err, ms, peakMb, growthMb };
}

beforeAll(async () => {
	const chunk = Buffer.alloc(MB, 'a');
	const json = (res: import('node:http').ServerResponse, extra: Record<string, string> = {}) =>
		res.writeHead(200, { 'content-type': 'application/fhir+json', ...extra });
	host = await startHostile({
		// chunked without end as far as the client can tell (it stops after 1 GB, so that a client
		// without a limit fails this test instead of the machine)
		'/endless': (_q, res) => {
			json(res);
			res.write('{"resourceType":"Patient","id":"x","pad":"');
			pump(res, repeat(chunk, 1024));
		},
		'/bomb': (_q, res) => {
			json(res, { 'content-encoding': 'gzip' });
			pump(res, repeat(gzipMember('a', 16 * MB), 64));
		},
		'/Patient/big': (_q, res) => {
			const head = '{"resourceType":"Patient","id":"big","pad":"';
			json(res, { 'content-length': String(head.length + 200 * MB + 2) });
			res.write(head);
			let n = 0;
			pump(res, () => (n < 200 ? (n++, chunk) : n++ === 200 ? Buffer.from('"}') : null));
		},
		'/three-mb': (_q, res) => {
			json(res);
			res.end(JSON.stringify({ resourceType: 'Patient', id: 'p3', pad: 'b'.repeat(3 * MB) }));
		},
		'/drip': (_q, res) => {
			json(res);
			const body = Buffer.from(
				JSON.stringify({ resourceType: 'Patient', id: 'slow', name: [{ family: 'Drip' }] }),
			);
			let i = 0;
			const t = setInterval(() => {
				if (res.destroyed || i >= body.length) {
					clearInterval(t);
					if (!res.destroyed) res.end();
					return;
				}
				res.write(body.subarray(i, ++i));
			}, 1000);
			res.on('close', () => clearInterval(t));
		},
		'/no-headers': () => {
			/* never answers */
		},
	});
});
afterAll(() => host.close());

describe('response size limit (default 64 MB decompressed)', () => {
	it('an endless chunked body, a gzip bomb and a 200 MB Patient: a clear error past the limit, memory bounded, connection closed', async () => {
		for (const path of ['/endless', '/bomb', '/Patient/big']) {
			const { err, ms, peakMb, growthMb } = await failing({
				url: `${host.url}${path}`,
				what: 'Get Patient big',
			});
			console.log(`[bounds] ${path}: ${ms} ms, peak RSS ${peakMb} MB (+${growthMb} MB)`);
			expect(err.message).toBe(
				'Get Patient big failed: the answer is larger than 64 MB (the most one answer may have); the download was stopped',
			);
			expect(err.description).toBe(
				'No answer of this API should be this large: check the base URL in the credential.',
			);
			// bounded: the request holds at most about the limit (unbounded, it grew by 2 GB); the
			// worker's absolute RSS (under 400 MB alone) also depends on what ran before in it
			expect(growthMb).toBeLessThan(300);
		}
		await new Promise((r) => setTimeout(r, 100));
		expect(host.sockets.size).toBe(0);
	}, 60_000);

	it('the limit is a request field; the error names the option that raises it', async () => {
		const { err } = await failing({
			url: `${host.url}/three-mb`,
			what: 'Get Patient p3',
			maxResponseBytes: 2 * MB,
			limitOptions: { size: 'Max Response Size (MB)' },
		});
		expect(err.message).toBe(
			'Get Patient p3 failed: the answer is larger than 2 MB (the most one answer may have); the download was stopped',
		);
		expect(err.description).toMatch(/^Raise "Max Response Size \(MB\)" in the node's options/);
		const { output } = await call({ url: `${host.url}/three-mb`, maxResponseBytes: 4 * MB });
		expect((output[0][0].json.body as { id: string }).id).toBe('p3');
	});
});

describe('whole-request deadline', () => {
	it('a body trickling one byte a second is stopped at the deadline, the connection closed', async () => {
		const { err, ms } = await failing({
			url: `${host.url}/drip`,
			what: 'Get Patient slow',
			deadlineMs: 2000,
			limitOptions: { time: 'Request Timeout (Seconds)' },
		});
		console.log(`[bounds] drip, deadline 2 s: stopped after ${ms} ms`);
		expect(err.message).toBe(
			'Get Patient slow failed: the server did not finish its answer within 2 s; the request was stopped',
		);
		expect(err.description).toMatch(/raise "Request Timeout \(Seconds\)" in the node's options/);
		expect(ms).toBeLessThan(5000);
		await new Promise((r) => setTimeout(r, 100));
		expect(host.sockets.size).toBe(0);
	}, 15_000);

	it('a server that never sends its headers is stopped at the deadline too', async () => {
		const { err, ms } = await failing({
			url: `${host.url}/no-headers`,
			what: 'Get Patient none',
			deadlineMs: 1500,
		});
		console.log(`[bounds] no headers, deadline 1.5 s: stopped after ${ms} ms`);
		expect(err.message).toBe(
			'Get Patient none failed: the server did not finish its answer within 1.5 s; the request was stopped',
		);
		expect(ms).toBeLessThan(5000);
	}, 15_000);
});
