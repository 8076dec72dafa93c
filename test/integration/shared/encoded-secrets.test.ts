// nodes/shared/http + errors.ts scrubbing: a server that echoes the access token URL-encoded,
// JSON-escaped (`\/`) and base64-encoded in its error text. No form of the token reaches the
// NodeApiError (message, description, cause, context, stack) or the continue-on-fail item.
// Real execute (harness) against ad-hoc sandbox routes.
import { NodeApiError } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson } from '../../../sandbox/http';
import { probeWith } from './probe';

const TOKEN = 'probe/tok+en=abcdefghijklmnopqrstu';
const FORMS = [
	TOKEN,
	encodeURIComponent(TOKEN),
	JSON.stringify(TOKEN).slice(1, -1).replace(/\//g, '\\/'),
	Buffer.from(TOKEN).toString('base64'),
	Buffer.from(TOKEN).toString('base64url'),
	// the part of base64("client:" + token) that only depends on the token
	Buffer.from(`client:${TOKEN}`).toString('base64').slice(8, 40),
];
let sb: Sandbox;

beforeAll(async () => {
	sb = await withSandbox();
	const token = (h: unknown) => String(h ?? '').replace(/^Bearer /, '');
	sb.app.route('GET', '/e/url', 'smart', (req, res) =>
		sendJson(res, 400, {
			error: 'invalid_request',
			error_description: `callback ?token=${encodeURIComponent(token(req.headers.authorization))} refused`,
		}),
	);
	sb.app.route('GET', '/e/text', 'smart', (req, res) => {
		const t = token(req.headers.authorization);
		res.writeHead(403, { 'Content-Type': 'text/plain' });
		res.end(
			`upstream said {"token":${JSON.stringify(t).replace(/\//g, '\\/')}} for ${Buffer.from(`client:${t}`).toString('base64')}`,
		);
	});
	sb.app.route('GET', '/e/b64', 'smart', (req, res) =>
		sendJson(res, 422, {
			detail: `session ${Buffer.from(token(req.headers.authorization)).toString('base64url')} is not valid`,
		}),
	);
});
afterAll(() => sb.close());

const { call } = probeWith(TOKEN);
const fail = async (path: string, continueOnFail = false) =>
	await call({ method: 'GET', url: `${sb.url}${path}`, what: 'Get thing' }, continueOnFail).then(
		(r) => r,
		(e: NodeApiError) => e,
	);

function everything(err: NodeApiError): string {
	return JSON.stringify([
		err.message,
		err.description,
		err.messages,
		err.cause,
		err.context,
		String(err.stack),
	]);
}

describe('a vendor echoing the access token in encoded forms', () => {
	it.each([
		['/e/url', 'Get thing failed (HTTP 400): invalid_request: callback ?token=[redacted] refused'],
		['/e/text', 'Get thing failed (HTTP 403): upstream said {"token":"[redacted]"} for [redacted]'],
		['/e/b64', 'Get thing failed (HTTP 422): session [redacted] is not valid'],
	])(
		'%s: no form of the token in the error or the continue-on-fail item',
		async (path, message) => {
			const err = (await fail(path)) as NodeApiError;
			expect(err).toBeInstanceOf(NodeApiError);
			expect(err.message).toBe(message);
			const all = everything(err);
			for (const f of FORMS) expect(all).not.toContain(f);
			const { output } = (await fail(path, true)) as { output: Array<Array<{ json: unknown }>> };
			expect(output[0][0].json).toEqual({ error: message });
			for (const f of FORMS) expect(JSON.stringify(output)).not.toContain(f);
		},
	);
});
