import { withSandbox, armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { sendJson } from '../../sandbox/http';

describe('sandbox framework', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await withSandbox();
		sb.app.route('GET', '/test/echo/:id', 'smart', (req, res) =>
			sendJson(res, 200, { id: req.params.id, pad: 'x'.repeat(2000) }),
		);
		sb.app.route('GET', '/test/protected', 'mpp', (req, res) => {
			const tok = sb.app.requireBearer(req, res, 'mpp', 'appointment_read');
			if (tok) sendJson(res, 200, { client: tok.clientId });
		});
	});
	afterAll(() => sb.close());

	it('listens on loopback only, on two origins', () => {
		expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sb.fileUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sb.fileUrl).not.toBe(sb.url);
	});

	it('decodes route params and answers 404 for unknown paths', async () => {
		const ok = await fetch(`${sb.url}/test/echo/a%2Fb`);
		expect(((await ok.json()) as { id: string }).id).toBe('a/b');
		expect((await fetch(`${sb.url}/nope`)).status).toBe(404);
	});

	it('fires a fault exactly the armed number of times, after the skipped ones', async () => {
		await armFault(sb, {
			surface: 'smart',
			kind: 'rate-limit',
			times: 2,
			after: 1,
			retryAfter: '3',
		});
		const statuses: number[] = [];
		let retryAfter: string | null = null;
		for (let i = 0; i < 4; i++) {
			const r = await fetch(`${sb.url}/test/echo/1`);
			statuses.push(r.status);
			if (r.status === 429) retryAfter = r.headers.get('retry-after');
			await r.arrayBuffer();
		}
		expect(statuses).toEqual([200, 429, 429, 200]);
		expect(retryAfter).toBe('3');
	});

	it('a fault armed for another surface does not fire', async () => {
		await armFault(sb, { surface: 'emp', kind: 'unavailable' });
		expect((await fetch(`${sb.url}/test/echo/1`)).status).toBe(200);
		await fetch(`${sb.url}/_admin/faults`, { method: 'DELETE' });
	});

	it('reset cuts the body in the middle', async () => {
		await armFault(sb, { surface: 'smart', kind: 'reset' });
		await expect(fetch(`${sb.url}/test/echo/1`).then((r) => r.text())).rejects.toThrow();
	});

	it('serves an HTML page with status 200 when asked', async () => {
		await armFault(sb, { surface: 'smart', kind: 'html-200' });
		const r = await fetch(`${sb.url}/test/echo/1`);
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toContain('text/html');
	});

	it('refuses a missing, unknown, expired or under-scoped token in the surface shape', async () => {
		const get = (tok?: string) =>
			fetch(`${sb.url}/test/protected`, { headers: tok ? { authorization: `Bearer ${tok}` } : {} });
		expect((await get()).status).toBe(401);
		expect((await get('made-up')).status).toBe(401);
		const narrow = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 'c',
			scopes: ['profile_read'],
			lifetimeSeconds: 60,
		});
		const r403 = await get(narrow.access_token);
		expect(r403.status).toBe(403);
		expect(await r403.json()).toMatchObject({ error: 'insufficient_scope' });
		const good = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 'c',
			scopes: ['appointment_read'],
			lifetimeSeconds: 60,
		});
		expect((await get(good.access_token)).status).toBe(200);
		sb.app.clock.advance(61);
		const expired = await get(good.access_token);
		expect(expired.status).toBe(401);
		expect(await expired.json()).toMatchObject({ error: 'invalid_token' });
		sb.app.clock.reset();
	});
});

describe('reset fault on a small body', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await withSandbox();
		sb.app.route('GET', '/test/small', 'smart', (_req, res) => sendJson(res, 200, { ok: true }));
	});
	afterAll(() => sb.close());

	it('cuts a body of a few bytes sent with end() and never ends it cleanly', async () => {
		await armFault(sb, { surface: 'smart', kind: 'reset' });
		await expect(fetch(`${sb.url}/test/small`).then((r) => r.text())).rejects.toThrow();
		// disarmed after one use
		expect(await (await fetch(`${sb.url}/test/small`)).json()).toEqual({ ok: true });
	});
});
