// Helpers shared by the credential types: field checks that name the field (CredentialFieldError),
// form-encoded token requests through n8n's `httpRequest`, and error messages that carry the
// vendor's own words but never a token or secret.
import type { IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';
import { credentialSecrets, redact, scrubError } from './errors';
import { markCredentialFailure } from './token-failures';

/** A configuration problem in one credential field, found before any request. */
export class CredentialFieldError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CredentialFieldError';
	}
}

/** Loopback hosts, where plain http is allowed (local sandboxes, tunnels). */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Checks a base URL field: present, absolute, https (or http on loopback), no query/fragment.
 * Returns it without trailing slashes.
 */
export function checkBaseUrl(
	value: unknown,
	field: string,
	opts: { required?: boolean } = {},
): string {
	const raw = typeof value === 'string' ? value.trim() : '';
	if (!raw) {
		if (opts.required === false) return '';
		throw new CredentialFieldError(field, `${field} is empty. Enter the full https:// URL.`);
	}
	let u: URL | undefined;
	try {
		u = new URL(raw);
	} catch {
		u = undefined;
	}
	if (!u)
		throw new CredentialFieldError(
			field,
			`${field} "${raw}" is not a valid URL. Enter the full https:// URL.`,
		);
	if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
		throw new CredentialFieldError(
			field,
			`${field} must use https:// (plain http is only allowed for 127.0.0.1, localhost or [::1]); got "${u.protocol}//${u.host}".`,
		);
	}
	if (u.username || u.password)
		throw new CredentialFieldError(field, `${field} must not contain a user name or password.`);
	if (u.search || u.hash)
		throw new CredentialFieldError(field, `${field} must not contain a query string or fragment.`);
	return raw.replace(/\/+$/, '');
}

export interface FormResponse {
	status: number;
	body: IDataObject;
}

/** Where a credential request goes, for the error of a redirect: the endpoint and the field that sets its URL. */
export interface FormTarget {
	/** e.g. "The token endpoint" (the default) */
	endpoint?: string;
	/** the credential field to check, e.g. "Token URL" */
	field: string;
}

/**
 * POSTs an x-www-form-urlencoded body; never throws on an HTTP status, only on network errors and
 * on a redirect: the body and headers carry the client's secret (or a signed assertion), so they
 * are never sent on to the address a redirect names (CredentialFieldError naming `target.field`).
 */
export async function postForm(
	helper: IHttpRequestHelper,
	url: string,
	form: Record<string, string>,
	headers: Record<string, string> = {},
	target: FormTarget = { field: 'URL' },
): Promise<FormResponse> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		body: form,
		headers: {
			'Content-Type': 'application/x-www-form-urlencoded',
			Accept: 'application/json',
			...headers,
		},
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		json: true,
	};
	let res: { statusCode?: number; body?: unknown; headers?: Record<string, unknown> } | undefined;
	let failure: { code?: string } | undefined;
	try {
		res = (await helper.helpers.httpRequest(options)) as typeof res;
	} catch (e) {
		failure = e as { code?: string };
	}
	if (!res) {
		throw new Error(
			`Could not reach ${safeUrl(url)}: ${failure?.code ?? 'network error'}. Check the URL and that the server is reachable.`,
		);
	}
	const status = Number(res.statusCode ?? 0);
	if (status >= 300 && status < 400) throw redirected(url, status, res.headers, target);
	let body: unknown = res.body;
	if (Buffer.isBuffer(body)) body = (body as Buffer).toString('utf8');
	if (typeof body === 'string') {
		const raw: string = body;
		try {
			body = JSON.parse(raw);
		} catch {
			body = { raw: raw.slice(0, 2 * MAX_REASON) };
		}
	}
	return { status, body: (body && typeof body === 'object' ? body : {}) as IDataObject };
}

function redirected(
	url: string,
	status: number,
	headers: Record<string, unknown> | undefined,
	target: FormTarget,
): CredentialFieldError {
	const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === 'location');
	const location = key ? String(headers![key]) : '';
	let where = 'an address it did not give (no Location header)';
	if (location) {
		try {
			// the origin only: a Location may carry a code or a token in its path or query
			where = new URL(location, url).origin;
		} catch {
			where = 'an invalid address';
		}
	}
	return new CredentialFieldError(
		target.field,
		`${target.endpoint ?? 'The token endpoint'} ${safeUrl(url)} redirected (HTTP ${status}) to ${where}; the request was not sent on, because it carries the client's credentials. Check the ${target.field} in the credential.`,
	);
}

/** URL without query string (which may carry secrets in some vendor examples). */
export function safeUrl(url: string): string {
	try {
		const u = new URL(url);
		return `${u.origin}${u.pathname}`;
	} catch {
		return '(invalid URL)';
	}
}

/**
 * The vendor's words in a token endpoint's answer as postForm returns it: OAuth
 * `{error, error_description}`, 1upHealth `{error, message}` / `{detail}`, or the start of a body
 * that was not JSON (`{raw}`), with nothing that looks like a token; never empty. Credential
 * errors put it after the status (errors.ts `vendorMessage` reads the answers nodes get).
 */
export function tokenErrorMessage(body: IDataObject): string {
	const parts: string[] = [];
	const pick = (k: string) =>
		typeof body[k] === 'string' ? bounded(body[k] as string) : undefined;
	const error = pick('error');
	const desc = pick('error_description') ?? pick('message') ?? pick('detail');
	if (error) parts.push(error);
	if (desc && desc !== error) parts.push(desc);
	if (!parts.length && typeof body.raw === 'string') parts.push(bounded(body.raw));
	return redact(parts.join(': ')) || 'no error message';
}

/** the server's reason whole; only a text longer than any real reason (a hostile server) is bounded */
const MAX_REASON = 1000;

function bounded(text: string): string {
	const t = text.replace(/\s+/g, ' ').trim();
	return t.length > MAX_REASON ? `${t.slice(0, MAX_REASON)}…` : t;
}

/**
 * Runs a credential's token request; an error it throws (with the vendor's words in it) loses
 * every secret value of the credential — client secret, tokens, private key — before n8n shows
 * it (the node's error, or the credential test in the editor), and is marked as the
 * credential's failure (token-failures.ts) so that a node reports it as one.
 */
export async function withoutSecrets<T>(
	credentials: IDataObject,
	run: () => Promise<T>,
): Promise<T> {
	try {
		return await run();
	} catch (error) {
		const secrets = credentialSecrets(credentials);
		const e = scrubError(error, secrets) as Error & {
			field?: unknown;
			reason?: unknown;
			hint?: unknown;
		};
		const text = (v: unknown) => (typeof v === 'string' ? redact(v, secrets) : undefined);
		throw markCredentialFailure(e, {
			reason: text(e.reason) ?? text(e.message) ?? 'the token request failed',
			hint: text(e.hint),
			field: typeof e.field === 'string' ? e.field : undefined,
		});
	}
}
