// 1upHealth user management: the application (not a browser) creates users and asks for
// authorization codes, which it exchanges at /1up/auth/oauth2/token. Each user is linked to a
// patient of the synthetic data set, in creation order (1st user → pt-00001, …), and that
// patient id travels in every token issued for the user (TokenRecord.patient).
import type { SandboxApp } from '../app';
import { PREFIX } from '../app';
import { sendJson, type SandboxRequest } from '../http';
import { patientId } from '../data/ids';
import { randomToken } from '../tokens';
import { CODE_LIFETIME_S, type OAuthState } from './flows';

export interface OneUpUser {
	oneup_user_id: number;
	app_user_id: string;
	client_id: string;
	active: boolean;
	patient: string;
}

export interface OneUpState {
	users: Map<string, OneUpUser>;
	created: number;
}

const BASE = `${PREFIX.oneupApi}/user-management/v1`;
const ONEUP_SCOPES = ['user/*.*'];

/** Parameters from headers, form fields, a JSON body or the query string (all documented over time). */
function params(req: SandboxRequest): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of req.query) out[k] = v;
	const ct = String(req.headers['content-type'] ?? '');
	if (ct.includes('application/json') && req.body.length) {
		const j = req.json<Record<string, unknown>>();
		if (j && typeof j === 'object')
			for (const [k, v] of Object.entries(j)) if (v !== undefined && v !== null) out[k] = String(v);
	} else Object.assign(out, req.form());
	for (const h of ['client_id', 'client_secret']) {
		const v = req.headers[h];
		if (typeof v === 'string' && v) out[h] = v;
	}
	return out;
}

export function registerOneUp(app: SandboxApp, st: OAuthState): void {
	const state = (): OneUpState => app.state.oneupUsers as OneUpState;
	app.onReset(() => {
		app.state.oneupUsers = { users: new Map(), created: 0 } satisfies OneUpState;
	});

	const authClient = (p: Record<string, string>) => {
		const c = st.registry.get('oneup', p.client_id);
		if (!c || !p.client_secret || c.client_secret !== p.client_secret) return undefined;
		return c;
	};
	const fail = (res: Parameters<typeof sendJson>[0], status: number, error: string) =>
		sendJson(res, status, { success: false, error });
	const newCode = (u: OneUpUser): string => {
		const code = randomToken('code_1up');
		app.tokens.codes.set(code, {
			code,
			surface: 'oneup',
			clientId: u.client_id,
			scopes: ONEUP_SCOPES,
			expiresAt: app.clock.now() + CODE_LIFETIME_S * 1000,
			used: false,
			subject: String(u.oneup_user_id),
			patient: u.patient,
		});
		return code;
	};

	app.route('POST', `${BASE}/user`, 'oneup', (req, res) => {
		const p = params(req);
		const client = authClient(p);
		if (!client) return fail(res, 401, 'invalid client_id or client_secret');
		const appUserId = p.app_user_id?.trim();
		if (!appUserId) return fail(res, 400, 'app_user_id is required');
		const key = `${client.client_id}|${appUserId}`;
		const s = state();
		const existing = s.users.get(key);
		if (existing) {
			return sendJson(res, 400, {
				success: false,
				error: 'this user already exists',
				app_user_id: existing.app_user_id,
				oneup_user_id: existing.oneup_user_id,
			});
		}
		const n = Number(app.options.patients ?? 50);
		const idx = (s.created % n) + 1;
		s.created++;
		const user: OneUpUser = {
			oneup_user_id: 100000 + s.created,
			app_user_id: appUserId,
			client_id: client.client_id,
			active: true,
			patient: patientId(idx),
		};
		s.users.set(key, user);
		sendJson(res, 200, {
			success: true,
			code: newCode(user),
			oneup_user_id: user.oneup_user_id,
			app_user_id: user.app_user_id,
			active: user.active,
		});
	});

	app.route('POST', `${BASE}/user/auth-code`, 'oneup', (req, res) => {
		const p = params(req);
		const client = authClient(p);
		if (!client) return fail(res, 401, 'invalid client_id or client_secret');
		if (!p.app_user_id) return fail(res, 400, 'app_user_id is required');
		const user = state().users.get(`${client.client_id}|${p.app_user_id}`);
		if (!user) return fail(res, 404, 'this user does not exist');
		sendJson(res, 200, { success: true, code: newCode(user) });
	});

	app.route('GET', `${BASE}/user`, 'oneup', (req, res) => {
		const p = params(req);
		const client = authClient(p);
		if (!client) return fail(res, 401, 'invalid client_id or client_secret');
		const entry = [...state().users.values()]
			.filter(
				(u) =>
					u.client_id === client.client_id && (!p.app_user_id || u.app_user_id === p.app_user_id),
			)
			.map((u) => ({
				oneup_user_id: u.oneup_user_id,
				app_user_id: u.app_user_id,
				active: u.active,
			}));
		sendJson(res, 200, { success: true, entry });
	});
}
