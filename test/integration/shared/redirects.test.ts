// nodes/shared/http redirect rules through the harness (real execute, real HTTP on loopback)
// against ad-hoc sandbox routes: a write answered 303 is read with a GET on the same origin and
// that answer is the write's; any other redirect of a write is re-sent only on the same origin and
// only for PUT / DELETE, otherwise nothing is sent and the error (without an HTTP status, like a
// lost answer) says that the outcome is unknown; no body ever goes to another origin; a Location
// with a user name and password is refused.
import { NodeApiError } from 'n8n-workflow';
import type { ServerResponse } from 'node:http';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { redirect, sendJson, type SandboxRequest } from '../../../sandbox/http';
import { probeWith } from './probe';

const TOKEN = 'probe-token-redirects-0123456789';
const PHI = { comment: 'patient note: allergic to penicillin' };
let sb: Sandbox;

const { call, callError } = probeWith(TOKEN);

const log = () => sb.app.requests.map((r) => `${r.origin} ${r.method} ${r.path} ${r.status}`);
const other = () => sb.app.requests.filter((r) => r.origin === 'files');

beforeAll(async () => {
	sb = await withSandbox();
	const r = (method: string, path: string, h: (req: SandboxRequest, res: ServerResponse) => void) =>
		sb.app.route(method, path, 'smart', h);
	r('POST', '/w/booking', (_req, res) => redirect(res, '/w/appointments/a-1', 303));
	r('POST', '/w/booking-away', (_req, res) =>
		redirect(res, sb.app.filesUrl('/w/appointments/a-1'), 303),
	);
	r('POST', '/w/booking-lost', (_req, res) => redirect(res, '/w/appointments/missing', 303));
	r('POST', '/w/temporary-away', (_req, res) => redirect(res, sb.app.filesUrl('/w/booking'), 307));
	r('POST', '/w/temporary-here', (_req, res) => redirect(res, '/w/booking-2', 307));
	r('PUT', '/w/resource', (_req, res) => redirect(res, '/w/resource-2', 308));
	r('PUT', '/w/resource-away', (_req, res) => redirect(res, sb.app.filesUrl('/w/resource-2'), 308));
	r('PUT', '/w/resource-2', (req, res) => sendJson(res, 200, { stored: req.json() }));
	r('POST', '/w/booking-2', (_req, res) => sendJson(res, 201, { booked: 'twice' }));
	r('GET', '/w/appointments/a-1', (req, res) =>
		sendJson(res, 200, {
			id: 'a-1',
			auth: req.headers.authorization ?? null,
			contentType: req.headers['content-type'] ?? null,
			bodyBytes: req.body.length,
		}),
	);
	r('GET', '/w/appointments/missing', (_req, res) =>
		sendJson(res, 404, { error: 'not_found', error_description: 'No such appointment' }),
	);
	r('GET', '/w/userinfo', (_req, res) =>
		redirect(res, sb.url.replace('://', '://intruder:chosen-pw@') + '/w/appointments/a-1', 302),
	);
	sb.app.route(
		'*',
		'/w/*rest',
		'files',
		(_req, res) => sendJson(res, 200, { stolen: true }),
		'files',
	);
});
afterAll(() => sb.close());
beforeEach(() => {
	sb.app.requests.length = 0;
});

describe('a write answered 303 See Other', () => {
	it("is read with a GET on the same origin (token, no body) and that answer is the write's answer", async () => {
		const { output } = await call({
			method: 'POST',
			url: `${sb.url}/w/booking`,
			body: PHI,
			okStatuses: [404, 422],
		});
		expect(output[0][0].json).toMatchObject({
			status: 200,
			url: `${sb.url}/w/appointments/a-1`,
			body: { id: 'a-1', auth: `Bearer ${TOKEN}`, contentType: null, bodyBytes: 0 },
		});
		expect(log()).toEqual(['main POST /w/booking 303', 'main GET /w/appointments/a-1 200']);
	});

	it('pointing to another origin: not followed, the error says the request was most likely carried out, no HTTP status', async () => {
		const err = await callError({
			method: 'POST',
			url: `${sb.url}/w/booking-away`,
			body: PHI,
			what: 'Book',
		});
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`Book: the server answered 303 See Other (it carried the request out) and put its result on another server (${sb.fileUrl}), which was not read`,
		);
		expect(err.description).toBe(
			'The request has most likely taken effect: check on the vendor side before running it again. If the vendor moved, update the base URL in the credential.',
		);
		expect(err.httpCode).toBeNull();
		expect(other()).toEqual([]);
	});

	it('whose result cannot be read: the error says the request was carried out, no HTTP status (the write happened)', async () => {
		const err = await callError({
			method: 'POST',
			url: `${sb.url}/w/booking-lost`,
			body: PHI,
			what: 'Book',
			okStatuses: [404],
		});
		expect(err.message).toBe(
			'Book: the server carried the request out (303 See Other), but reading its result failed (HTTP 404): not_found: No such appointment',
		);
		expect(err.httpCode).toBeNull();
		expect(err.description).toBe(
			'The server carried the request out (303 See Other) but its result could not be read: check on the vendor side before running it again.',
		);
		expect(log()).toEqual([
			'main POST /w/booking-lost 303',
			'main GET /w/appointments/missing 404',
		]);
	});
});

describe('a write answered 307 / 308', () => {
	it('a POST redirected to another origin is not sent there (its body stays here); the outcome is unknown, no HTTP status', async () => {
		const err = await callError({
			method: 'POST',
			url: `${sb.url}/w/temporary-away`,
			body: PHI,
			what: 'Book',
		});
		expect(err.message).toBe(
			`Book failed: the server redirected it (HTTP 307) to another server (${sb.fileUrl}); it was not sent there, so whether it took effect is unknown`,
		);
		expect(err.description).toBe(
			`Nothing of the request went to ${sb.fileUrl}. Check on the vendor side whether it took effect before running it again. If the vendor moved, update the base URL in the credential.`,
		);
		expect(err.httpCode).toBeNull();
		expect(other()).toEqual([]);
	});

	it('a POST redirected on the same origin is not repeated: outcome unknown', async () => {
		const err = await callError({
			method: 'POST',
			url: `${sb.url}/w/temporary-here`,
			body: PHI,
			what: 'Book',
		});
		expect(err.message).toBe(
			'Book failed: the server asked for the POST to be sent again to /w/booking-2 (HTTP 307); it was not repeated automatically, so whether it took effect is unknown',
		);
		expect(err.httpCode).toBeNull();
		expect(log()).toEqual(['main POST /w/temporary-here 307']);
	});

	it('a PUT (idempotent) is re-sent with its body on the same origin, never to another one', async () => {
		const { output } = await call({ method: 'PUT', url: `${sb.url}/w/resource`, body: { a: 1 } });
		expect(output[0][0].json).toMatchObject({
			status: 200,
			url: `${sb.url}/w/resource-2`,
			body: { stored: { a: 1 } },
		});
		const err = await callError({
			method: 'PUT',
			url: `${sb.url}/w/resource-away`,
			body: PHI,
			what: 'Update',
		});
		expect(err.message).toBe(
			`Update failed: the server redirected it (HTTP 308) to another server (${sb.fileUrl}); it was not sent there, so whether it took effect is unknown`,
		);
		expect(other()).toEqual([]);
	});
});

describe('a redirect to an address with a user name and password', () => {
	it('is refused: the request never goes out with credentials the server chose', async () => {
		const err = await callError({ method: 'GET', url: `${sb.url}/w/userinfo`, what: 'Get thing' });
		expect(err.message).toBe(
			`Get thing failed: the server redirected it (HTTP 302) to an address with a user name and password in it (${sb.url}); it was not followed, so the request did not go out with credentials the server chose`,
		);
		expect(err.message).not.toContain('chosen-pw');
		expect(log()).toEqual(['main GET /w/userinfo 302']);
	});

	it('a request URL with a user name and password is not sent at all', async () => {
		const err = await callError({
			method: 'GET',
			url: sb.url.replace('://', '://u:p@') + '/w/appointments/a-1',
			what: 'Get thing',
		});
		expect(err.message).toBe(
			'Get thing failed: the address has a user name or password in it; nothing was sent',
		);
		expect(log()).toEqual([]);
	});
});
