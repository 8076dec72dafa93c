// nodes/shared/pagination.ts (paginate) through the harness against a sandbox: relative next,
// Bundle next, foreign-origin next, loops, a page limit, a server that ignores the paging parameter.
import { NodeApiError } from 'n8n-workflow';
import type { ServerResponse } from 'node:http';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson, type SandboxRequest } from '../../../sandbox/http';
import { runNode } from '../../harness';
import { TransportProbe, PROBE_CREDENTIAL_TYPES } from '../../harness/probe';

const TOKEN = 'probe-token-pagination-0123456789';
let sb: Sandbox;

async function pages(url: string, opts: Record<string, unknown> = {}) {
	const { output } = await runNode(TransportProbe, {
		parameters: {
			authentication: 'probeBearerApi',
			request: JSON.stringify({ method: 'GET', url, what: 'List things' }),
			paginate: true,
			paginateOptions: JSON.stringify(opts),
		},
		credentials: { probeBearerApi: { token: TOKEN } },
		credentialTypes: PROBE_CREDENTIAL_TYPES,
	});
	return output[0][0].json.pages as Array<{ url: string; entries: Array<{ id: string }> }>;
}

async function pagesError(url: string, opts: Record<string, unknown> = {}): Promise<NodeApiError> {
	try {
		await pages(url, opts);
	} catch (e) {
		return e as NodeApiError;
	}
	throw new Error('expected an error');
}

beforeAll(async () => {
	sb = await withSandbox();
	const r = (
		path: string,
		h: (req: SandboxRequest, res: ServerResponse) => void,
		origin: 'main' | 'files' = 'main',
	) => sb.app.route('GET', path, origin === 'main' ? 'smart' : 'files', h, origin);
	// {results, next} with a relative next link
	r('/p/results', (req, res) => {
		const page = Number(req.query.get('page') ?? 1);
		sendJson(res, 200, {
			count: 5,
			next: page < 3 ? `results?page=${page + 1}` : null,
			results: [1, 2].map((k) => ({ id: `r${page}-${k}` })).slice(0, page === 3 ? 1 : 2),
		});
	});
	// a Bundle with an absolute next, an included resource and an OperationOutcome entry
	r('/p/bundle', (req, res) => {
		const page = Number(req.query.get('_page') ?? 1);
		const link = [{ relation: 'self', url: sb.app.url(`/p/bundle?_page=${page}`) }];
		if (page < 2) link.push({ relation: 'next', url: sb.app.url(`/p/bundle?_page=${page + 1}`) });
		sendJson(res, 200, {
			resourceType: 'Bundle',
			type: 'searchset',
			total: 3,
			link,
			entry: [
				{ resource: { resourceType: 'Immunization', id: `b${page}-1` }, search: { mode: 'match' } },
				{ resource: { resourceType: 'Patient', id: 'p1' }, search: { mode: 'include' } },
				{ resource: { resourceType: 'OperationOutcome', id: 'oo' }, search: { mode: 'outcome' } },
				...(page === 1 ? [{ resource: { resourceType: 'Immunization', id: 'b1-2' } }] : []),
			],
		});
	});
	r('/p/loop', (_req, res) => sendJson(res, 200, { results: [{ id: 'x' }], next: '/p/loop-2' }));
	r('/p/loop-2', (_req, res) =>
		sendJson(res, 200, { results: [{ id: 'y' }], next: '/p/loop#again' }),
	);
	r('/p/endless', (req, res) => {
		const n = Number(req.query.get('n') ?? 0);
		sendJson(res, 200, { results: [{ id: `e${n}` }], next: `/p/endless?n=${n + 1}` });
	});
	r('/p/foreign', (_req, res) =>
		sendJson(res, 200, { results: [{ id: 'f1' }], next: sb.app.filesUrl('/p/public') }),
	);
	r(
		'/p/public',
		(req, res) =>
			sendJson(res, 200, {
				results: [{ id: req.headers.authorization ? 'leaked' : 'f2' }],
				next: null,
			}),
		'files',
	);
	// a next link on the same origin with a user name and password the server chose
	r('/p/userinfo', (req, res) => {
		const page = Number(req.query.get('page') ?? 1);
		sendJson(res, 200, {
			results: [{ id: `u${page}` }],
			next:
				page < 2 ? sb.url.replace('://', '://intruder:chosen-pw@') + '/p/userinfo?page=2' : null,
		});
	});
	// a server that ignores the paging parameter: page 1 again under a new next link each time
	r('/p/stuck', (req, res) => {
		const n = Number(req.query.get('page') ?? 1);
		sendJson(res, 200, {
			resourceType: 'Bundle',
			entry: [
				{ resource: { resourceType: 'Immunization', id: 'i1' } },
				{ resource: { resourceType: 'Immunization', id: 'i2' } },
			],
			link: [{ relation: 'next', url: `/p/stuck?page=${n + 1}` }],
		});
	});
});
afterAll(() => sb.close());

describe('paginate', () => {
	it('follows a relative next of {results, next} lists', async () => {
		const ps = await pages(`${sb.url}/p/results`);
		expect(ps.map((p) => p.url)).toEqual([
			`${sb.url}/p/results`,
			`${sb.url}/p/results?page=2`,
			`${sb.url}/p/results?page=3`,
		]);
		expect(ps.flatMap((p) => p.entries.map((e) => e.id))).toEqual([
			'r1-1',
			'r1-2',
			'r2-1',
			'r2-2',
			'r3-1',
		]);
		expect(
			sb.app.requests
				.filter((r) => r.path === '/p/results')
				.every((r) => r.headers.authorization === `Bearer ${TOKEN}`),
		).toBe(true);
	});

	it('follows Bundle link[relation=next], leaving out included and outcome entries', async () => {
		const ps = await pages(`${sb.url}/p/bundle`);
		expect(ps.flatMap((p) => p.entries.map((e) => e.id))).toEqual(['b1-1', 'b1-2', 'b2-1']);
	});

	it('stops with an error on a next link already read (loop), fragment ignored', async () => {
		const err = await pagesError(`${sb.url}/p/loop`);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'List things failed: the server sent a next-page link that was already read (page 3 would repeat an earlier page); stopped to avoid an endless loop',
		);
	});

	it('stops a runaway server at maxPages', async () => {
		const before = sb.app.requests.length;
		const err = await pagesError(`${sb.url}/p/endless`, { maxPages: 7 });
		expect(err.message).toBe(
			'List things failed: stopped after 7 pages, the server kept sending next-page links',
		);
		expect(sb.app.requests.slice(before)).toHaveLength(7);
	});

	it('refuses a next link on another origin, sending nothing there', async () => {
		const err = await pagesError(`${sb.url}/p/foreign`);
		expect(err.message).toBe(
			`List things failed: the next-page link points to another server (${sb.fileUrl}); it was not followed, so the access token was not sent there`,
		);
		expect(sb.app.requests.filter((r) => r.origin === 'files')).toHaveLength(0);
	});

	it('follows it without the token when asked to (public data)', async () => {
		const ps = await pages(`${sb.url}/p/foreign`, { foreignNext: 'tokenless' });
		expect(ps.flatMap((p) => p.entries.map((e) => e.id))).toEqual(['f1', 'f2']);
		const hit = sb.app.requests.filter((r) => r.origin === 'files');
		expect(hit).toHaveLength(1);
		expect(hit[0].headers.authorization).toBeUndefined();
	});

	it('refuses a next link with a user name and password, even on the same origin: the token is never swapped for Basic credentials', async () => {
		const before = sb.app.requests.length;
		const err = await pagesError(`${sb.url}/p/userinfo`);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			`List things failed: the next-page link has a user name and password in it (user:password@${new URL(sb.url).host}); it was not followed, so the access token was not swapped for credentials the server chose`,
		);
		expect(err.message).not.toContain('chosen-pw');
		expect(sb.app.requests.slice(before).map((r) => `${r.path}${r.query}`)).toEqual([
			'/p/userinfo',
		]);
		expect(sb.app.requests.some((r) => String(r.headers.authorization).startsWith('Basic'))).toBe(
			false,
		);
	});

	it('the same items on the next page: stops with an error before returning them twice', async () => {
		const before = sb.app.requests.length;
		const err = await pagesError(`${sb.url}/p/stuck`);
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'List things failed: the server sent the same items again on page 2 (it does not move on to the next page); stopped to avoid an endless loop',
		);
		expect(sb.app.requests.slice(before)).toHaveLength(2);
	});
});
