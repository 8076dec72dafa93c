// 1upHealth: user management, code exchange, rotating refresh tokens.
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { PATHS, postForm } from './oauth-util';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());

const CREDS = { client_id: 'oneup-demo', client_secret: 'oneup-demo-secret' };

describe('1upHealth user management', () => {
	it('creates a user (credentials as form fields) and answers in 1up shape', async () => {
		const r = await postForm(sb, PATHS.oneup.users, { app_user_id: 'alice', ...CREDS });
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ success: true, app_user_id: 'alice', active: true });
		expect(typeof r.body.code).toBe('string');
		expect(typeof r.body.oneup_user_id).toBe('number');
	});

	it('accepts client_id/client_secret as headers', async () => {
		const r = await postForm(sb, PATHS.oneup.users, { app_user_id: 'bob' }, { headers: CREDS });
		expect(r.status).toBe(200);
		expect(r.body.success).toBe(true);
	});

	it('refuses creating an existing app_user_id', async () => {
		const r = await postForm(sb, PATHS.oneup.users, { app_user_id: 'alice', ...CREDS });
		expect(r.status).toBe(400);
		expect(r.body.success).toBe(false);
		expect(String(r.body.error)).toContain('exists');
	});

	it('refuses a wrong client secret', async () => {
		const r = await postForm(sb, PATHS.oneup.users, {
			app_user_id: 'carol',
			client_id: 'oneup-demo',
			client_secret: 'nope',
		});
		expect(r.status).toBe(401);
		expect(r.body.success).toBe(false);
	});

	it('auth-code for an existing user; an unknown user is an error', async () => {
		const ok = await postForm(
			sb,
			`${PATHS.oneup.users}/auth-code`,
			{ app_user_id: 'alice' },
			{ headers: CREDS },
		);
		expect(ok.status).toBe(200);
		expect(ok.body.success).toBe(true);
		expect(typeof ok.body.code).toBe('string');
		const unknown = await postForm(sb, `${PATHS.oneup.users}/auth-code`, {
			app_user_id: 'nobody',
			...CREDS,
		});
		expect(unknown.status).toBe(404);
		expect(unknown.body.success).toBe(false);
	});
});

describe('1upHealth tokens', () => {
	const exchange = async (code: string) =>
		postForm(sb, PATHS.oneup.token, { grant_type: 'authorization_code', code, ...CREDS });

	it('exchanges a user-management code (no redirect_uri) for a 7200 s token linked to a patient', async () => {
		const u = await postForm(sb, PATHS.oneup.users, { app_user_id: 'dave', ...CREDS });
		const t = await exchange(String(u.body.code));
		expect(t.status).toBe(200);
		expect(t.body.expires_in).toBe(7200);
		expect(t.body.scope).toBe('user/*.*');
		const rec = sb.app.tokens.check('oneup', String(t.body.access_token));
		expect(typeof rec).toBe('object');
		expect((rec as { patient?: string }).patient).toMatch(/^pt-\d{5}$/);
		expect((rec as { subject?: string }).subject).toBe(String(u.body.oneup_user_id));
	});

	it('rotates refresh tokens: a used refresh token is refused', async () => {
		const c = await postForm(sb, `${PATHS.oneup.users}/auth-code`, {
			app_user_id: 'dave',
			...CREDS,
		});
		const t = await exchange(String(c.body.code));
		const rt1 = String(t.body.refresh_token);
		const r1 = await postForm(sb, PATHS.oneup.token, {
			grant_type: 'refresh_token',
			refresh_token: rt1,
			...CREDS,
		});
		expect(r1.status).toBe(200);
		const rt2 = String(r1.body.refresh_token);
		expect(rt2).not.toBe(rt1);
		const reuse = await postForm(sb, PATHS.oneup.token, {
			grant_type: 'refresh_token',
			refresh_token: rt1,
			...CREDS,
		});
		expect(reuse.status).toBe(400);
		expect(reuse.body.error).toBe('invalid_grant');
		const r2 = await postForm(sb, PATHS.oneup.token, {
			grant_type: 'refresh_token',
			refresh_token: rt2,
			...CREDS,
		});
		expect(r2.status).toBe(200);
	});

	it('links users to patients in creation order', async () => {
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		const patients: string[] = [];
		for (const id of ['p1', 'p2']) {
			const u = await postForm(sb, PATHS.oneup.users, { app_user_id: id, ...CREDS });
			const t = await exchange(String(u.body.code));
			patients.push(
				(sb.app.tokens.check('oneup', String(t.body.access_token)) as { patient: string }).patient,
			);
		}
		expect(patients).toEqual(['pt-00001', 'pt-00002']);
	});
});
