// Review finding: a server that ignores the paging parameter (sends page 1 again with a new next
// link each time) made List return the same items again and again up to the Limit (or 5000 pages).
import { NodeApiError } from 'n8n-workflow';
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { sendJson } from '../../sandbox/http';
import { runNode } from '../harness';
import { TransportProbe, PROBE_CREDENTIAL_TYPES } from '../harness/probe';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
	sb.app.route('GET', '/rp/stuck', 'smart', (req, res) => {
		const n = Number(req.query.get('page') ?? 1);
		sendJson(res, 200, {
			resourceType: 'Bundle',
			entry: [{ resource: { resourceType: 'Immunization', id: 'i1' } }, { resource: { resourceType: 'Immunization', id: 'i2' } }],
			link: [{ relation: 'next', url: `/rp/stuck?page=${n + 1}` }],
		});
	});
});
afterAll(() => sb.close());

it('the same items on the next page: stops with an error before returning them twice', async () => {
	const before = sb.app.requests.length;
	const err = (await runNode(TransportProbe, {
		parameters: {
			authentication: 'probeBearerApi',
			request: JSON.stringify({ method: 'GET', url: `${sb.url}/rp/stuck`, what: 'List things' }),
			paginate: true,
			paginateOptions: '{}',
		},
		credentials: { probeBearerApi: { token: 'probe-token-0123456789' } },
		credentialTypes: PROBE_CREDENTIAL_TYPES,
	}).catch((e) => e)) as NodeApiError;
	expect(err).toBeInstanceOf(NodeApiError);
	expect(err.message).toBe(
		'List things failed: the server sent the same items again on page 2 (it does not move on to the next page); stopped to avoid an endless loop',
	);
	expect(sb.app.requests.slice(before)).toHaveLength(2);
});
