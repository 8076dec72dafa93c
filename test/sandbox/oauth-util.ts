// Small HTTP helpers for the OAuth strictness tests (real fetch over loopback).
import { createHash, randomBytes } from 'node:crypto';
import type { Sandbox } from '../../sandbox/server';

export const CALLBACK = 'http://127.0.0.1/test-callback';
export const N8N_CALLBACK = 'http://localhost:5678/rest/oauth2-credential/callback';

export const PATHS = {
	onpatient: { authorize: '/onpatient/auth/o/authorize/', token: '/onpatient/auth/o/token/' },
	oneup: { token: '/1up/auth/oauth2/token', users: '/1up/api/user-management/v1/user' },
	mpp: { authorize: '/mpp/oauth/authorize', token: '/mpp/oauth/token' },
	emp: { authorize: '/emp/connect/authorize', token: '/emp/connect/token', fhir: '/emp/fhir/r4' },
	smart: { authorize: '/smart/auth/authorize', token: '/smart/auth/token', fhir: '/smart/fhir' },
} as const;

export function pkcePair(): { verifier: string; challenge: string } {
	const verifier = randomBytes(32).toString('base64url');
	return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** GET the authorize URL without following redirects. */
export async function authorizeRaw(
	sb: Sandbox,
	path: string,
	params: Record<string, string | undefined>,
): Promise<Response> {
	const u = new URL(sb.url + path);
	for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
	return fetch(u, { redirect: 'manual' });
}

/** Runs an authorize request with autoApprove on; returns the redirect Location as a URL. */
export async function authorize(
	sb: Sandbox,
	path: string,
	params: Record<string, string | undefined>,
): Promise<URL> {
	sb.app.autoApprove = true;
	try {
		const r = await authorizeRaw(sb, path, params);
		if (r.status !== 302) throw new Error(`authorize answered ${r.status}: ${await r.text()}`);
		return new URL(r.headers.get('location')!);
	} finally {
		sb.app.autoApprove = false;
	}
}

export async function codeFor(
	sb: Sandbox,
	path: string,
	params: Record<string, string | undefined>,
): Promise<string> {
	const loc = await authorize(sb, path, {
		response_type: 'code',
		redirect_uri: CALLBACK,
		state: 's1',
		...params,
	});
	const code = loc.searchParams.get('code');
	if (!code) throw new Error(`no code: ${loc.toString()}`);
	return code;
}

export interface TokenAnswer {
	status: number;
	body: Record<string, unknown>;
	headers: Headers;
}

export async function postForm(
	sb: Sandbox,
	path: string,
	form: Record<string, string | undefined>,
	opts: { basic?: [string, string]; headers?: Record<string, string> } = {},
): Promise<TokenAnswer> {
	const body = new URLSearchParams();
	for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
	const headers: Record<string, string> = {
		'content-type': 'application/x-www-form-urlencoded',
		...(opts.headers ?? {}),
	};
	if (opts.basic)
		headers.authorization = `Basic ${Buffer.from(`${opts.basic[0]}:${opts.basic[1]}`).toString('base64')}`;
	const r = await fetch(sb.url + path, { method: 'POST', headers, body });
	const text = await r.text();
	let parsed: Record<string, unknown> = {};
	try {
		parsed = JSON.parse(text) as Record<string, unknown>;
	} catch {
		parsed = { raw: text };
	}
	return { status: r.status, body: parsed, headers: r.headers };
}

/** Calls a protected route with a bearer token; status only. */
export async function bearerStatus(sb: Sandbox, path: string, token: string): Promise<number> {
	const r = await fetch(sb.url + path, { headers: { authorization: `Bearer ${token}` } });
	await r.arrayBuffer();
	return r.status;
}
