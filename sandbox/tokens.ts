// Access tokens, refresh tokens and authorization codes for every surface, in memory.
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock';

export interface TokenRecord {
	token: string;
	surface: string;
	clientId: string;
	scopes: string[];
	/** epoch ms */
	expiresAt: number;
	/** the user/patient the token acts for, when there is one */
	subject?: string;
	patient?: string;
	revoked?: boolean;
}

export interface RefreshRecord {
	token: string;
	surface: string;
	clientId: string;
	scopes: string[];
	subject?: string;
	patient?: string;
	used: boolean;
}

export interface CodeRecord {
	code: string;
	surface: string;
	clientId: string;
	redirectUri?: string;
	scopes: string[];
	expiresAt: number;
	used: boolean;
	subject?: string;
	patient?: string;
	codeChallenge?: string;
	codeChallengeMethod?: string;
	nonce?: string;
	aud?: string;
}

export interface IssuedTokens {
	access_token: string;
	token_type: 'Bearer';
	expires_in: number;
	scope: string;
	refresh_token?: string;
}

export function randomToken(prefix: string, bytes = 24): string {
	return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

export class TokenStore {
	readonly access = new Map<string, TokenRecord>();
	readonly refresh = new Map<string, RefreshRecord>();
	readonly codes = new Map<string, CodeRecord>();

	constructor(private clock: Clock) {}

	issue(opts: {
		surface: string;
		clientId: string;
		scopes: string[];
		lifetimeSeconds: number;
		withRefresh?: boolean;
		subject?: string;
		patient?: string;
	}): IssuedTokens {
		const token = randomToken(`at_${opts.surface}`);
		this.access.set(token, {
			token,
			surface: opts.surface,
			clientId: opts.clientId,
			scopes: opts.scopes,
			expiresAt: this.clock.now() + opts.lifetimeSeconds * 1000,
			subject: opts.subject,
			patient: opts.patient,
		});
		const out: IssuedTokens = {
			access_token: token,
			token_type: 'Bearer',
			expires_in: opts.lifetimeSeconds,
			scope: opts.scopes.join(' '),
		};
		if (opts.withRefresh) {
			const rt = randomToken(`rt_${opts.surface}`);
			this.refresh.set(rt, {
				token: rt,
				surface: opts.surface,
				clientId: opts.clientId,
				scopes: opts.scopes,
				subject: opts.subject,
				patient: opts.patient,
				used: false,
			});
			out.refresh_token = rt;
		}
		return out;
	}

	/** Looks a bearer token up: `missing`, `unknown`, `expired`, `wrong-surface`, or the record. */
	check(
		surface: string,
		token: string | undefined,
	): TokenRecord | 'missing' | 'unknown' | 'expired' | 'wrong-surface' {
		if (!token) return 'missing';
		const rec = this.access.get(token);
		if (!rec || rec.revoked) return 'unknown';
		if (rec.surface !== surface) return 'wrong-surface';
		if (rec.expiresAt <= this.clock.now()) return 'expired';
		return rec;
	}

	/** Expires every access token of a surface (or all), e.g. to test refresh. */
	expireAll(surface?: string): number {
		let n = 0;
		for (const rec of this.access.values()) {
			if (!surface || rec.surface === surface) {
				rec.expiresAt = 0;
				n++;
			}
		}
		return n;
	}

	clear(): void {
		this.access.clear();
		this.refresh.clear();
		this.codes.clear();
	}
}

/** True when `granted` covers `needed`, with SMART wildcards (`*`, `.read`/`.rs`/`.cruds`). */
export function scopeAllows(granted: string[], needed: string): boolean {
	if (granted.includes(needed)) return true;
	const m = /^(patient|user|system)\/([A-Za-z*]+)\.(.+)$/.exec(needed);
	if (!m) return false;
	const [, ctx, type, perm] = m;
	const readLike = (p: string) =>
		p === 'read' || p === '*' || (/^c?r?u?d?s?$/.test(p) && (p.includes('r') || p.includes('s')));
	return granted.some((g) => {
		const gm = /^(patient|user|system)\/([A-Za-z*]+)\.(.+)$/.exec(g);
		if (!gm) return false;
		const [, gctx, gtype, gperm] = gm;
		if (gctx !== ctx) return false;
		if (gtype !== '*' && gtype !== type) return false;
		if (gperm === perm || gperm === '*') return true;
		if ((perm === 'read' || perm === 'rs') && readLike(gperm)) return true;
		// SMART v2 letters (c, u, d) grant writes; `read` (which has a d in it) does not
		if (
			perm === 'write' &&
			(gperm === 'write' || (/^c?r?u?d?s?$/.test(gperm) && /[cud]/.test(gperm)))
		)
			return true;
		return false;
	});
}
