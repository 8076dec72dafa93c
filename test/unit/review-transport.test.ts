// Review findings on nodes/shared/transport.ts through the harness (TransportProbe, real HTTP).
import { NodeApiError } from 'n8n-workflow';
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { sendJson } from '../../sandbox/http';
import { runNode } from '../harness';
import { TransportProbe, PROBE_CREDENTIAL_TYPES } from '../harness/probe';
import { joinUrl, hasDotSegment, type ApiRequest } from '../../nodes/shared/http';

const TOKEN = 'probe-token-abcdefghijklmnop';
let sb: Sandbox;

async function callError(req: ApiRequest): Promise<NodeApiError> {
	try {
		await runNode(TransportProbe, {
			parameters: { authentication: 'probeBearerApi', request: JSON.stringify(req) },
			credentials: { probeBearerApi: { token: TOKEN } } as never,
			credentialTypes: PROBE_CREDENTIAL_TYPES,
		});
	} catch (e) {
		return e as NodeApiError;
	}
	throw new Error('expected the node to fail');
}

beforeAll(async () => {
	sb = await withSandbox();
	sb.app.route('GET', '/rt/Group/:id/$export', 'smart', (req, res) => sendJson(res, 200, { group: req.params.id }));
	sb.app.route('GET', '/rt/$export', 'smart', (_req, res) => sendJson(res, 200, { system: true }));
});
afterAll(() => sb.close());

describe('dot segments', () => {
	it('finds . and .. segments, also percent-encoded, only in the path', () => {
		expect(hasDotSegment('http://h/a/../b')).toBe(true);
		expect(hasDotSegment('http://h/a/%2E%2E/b')).toBe(true);
		expect(hasDotSegment('http://h/a/.%2e')).toBe(true);
		expect(hasDotSegment('http://h/a/%2e/')).toBe(true);
		expect(hasDotSegment('http://h/a/.../b')).toBe(false);
		expect(hasDotSegment('http://h/a/b.c?x=../..#..')).toBe(false);
	});

	it('an id of ".." never reaches the server as another resource (Group/.. would be a system export)', async () => {
		const before = sb.app.requests.length;
		const err = await callError({ method: 'GET', url: `${joinUrl(`${sb.url}/rt`, 'Group', '..')}/$export`, what: 'Start export' });
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe('Start export failed: the address has a "." or ".." path segment, which would address another resource; nothing was sent');
		expect(sb.app.requests.length).toBe(before);
	});

	it('an invalid URL is a NodeApiError, not a TypeError', async () => {
		const err = await callError({ method: 'GET', url: 'not a url', what: 'Get thing' });
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe('Get thing failed: "not a url" is not a valid URL; nothing was sent');
	});
});
