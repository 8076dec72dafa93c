// Every HTTP call of every node goes through `apiRequest` (contract: docs/DEVELOPING.md →
// "Shared node code contract"). It authenticates through n8n's own helpers, retries only what
// is safe, follows redirects itself so a token never leaves its origin, and turns every failure
// into a NodeApiError a person can act on.
import {
	sleep,
	type IAdditionalCredentialOptions,
	type ICredentialDataDecryptedObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
} from 'n8n-workflow';
import { apiError, credentialSecrets, looksLikeHtml, redact, scrubError, vendorMessage } from './errors';

/** The part of a Node.js Readable the transport uses (a stream body). */
interface Readable extends AsyncIterable<unknown> {
	resume?(): unknown;
	destroy?(): unknown;
}

export interface ApiRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
	/** absolute; build it with the vendor profile + encodePathSegment() */
	url: string;
	qs?: Record<string, string | number | boolean | string[] | undefined>;
	/** JSON (or a FHIR resource) */
	body?: unknown;
	/** x-www-form-urlencoded instead of JSON */
	form?: Record<string, string>;
	headers?: Record<string, string>;
	/** default: true for GET/HEAD/DELETE, false otherwise (never for bookings) */
	retry?: boolean;
	/** statuses returned instead of thrown (e.g. 202, 404) */
	okStatuses?: number[];
	/** body is a Readable (bulk downloads) */
	stream?: boolean;
	timeoutMs?: number;
	/** default true; false = plain request (no token), e.g. foreign origins */
	withAuth?: boolean;
	// ---- optional additions ----
	/** what the user asked for, for error messages (default: "<METHOD> <path>") */
	what?: string;
	/** item the request is made for (error context) */
	itemIndex?: number;
	/** follow 301/302/303/307/308 (default true); the token only to the same origin */
	followRedirects?: boolean;
	/** redirects to follow at most (default 5) */
	maxRedirects?: number;
	/** attempts at most, the first included (default 5) */
	maxAttempts?: number;
	/** total time spent waiting between attempts at most, in ms (default 60 000) */
	maxTotalWaitMs?: number;
	/** the first backoff delay, doubled per attempt, in ms (default 500) */
	backoffBaseMs?: number;
	/** the JSON body is expected (default true unless stream): an HTML page or non-JSON is an error */
	expectJson?: boolean;
	/** n8n's OAuth2 options (e.g. `includeCredentialsOnRefreshOnBody`) */
	oauth2?: IAdditionalCredentialOptions['oauth2'];
}

export interface ApiResponse<T = unknown> {
	status: number;
	headers: Record<string, string>;
	body: T;
	/** the URL that finally answered (after redirects) */
	url: string;
}

type Ctx = IExecuteFunctions | ILoadOptionsFunctions;

const RETRY_STATUSES = [429, 502, 503, 504];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const RESET_CODES = ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ETIMEDOUT', 'EAI_AGAIN'];
// the words of a broken connection only (axios: "stream has been aborted" mid-body); a bare
// "aborted" is also what a vendor writes in an HTTP error ("request aborted by policy"), and such
// an answer must never be sent again
const RESET_TEXT = /socket hang up|premature close|stream has been aborted|ECONNRESET|EPIPE|ECONNABORTED|ETIMEDOUT|network socket disconnected/i;
/** renew a token this long before it expires */
export const RENEW_BEFORE_EXPIRY_MS = 10_000;

/**
 * Credential types whose token comes from `preAuthentication` with an expirable hidden field,
 * and the hidden field holding the token's expiry. When the expiry is near, the request is made
 * with the expirable field blanked so n8n runs `preAuthentication` first (see renewIfExpiring).
 */
export const EXPIRING_CREDENTIALS: Record<string, { tokenField: string; expiresAtField: string }> = {
	oneUpHealthApi: { tokenField: 'accessToken', expiresAtField: 'expiresAt' },
	smartBackendServicesApi: { tokenField: 'accessToken', expiresAtField: 'expiresAt' },
};

/** Encodes one path segment: `1/../../Group/1` stays one segment and cannot change the path. */
export function encodePathSegment(id: string): string {
	const s = String(id);
	// `.` and `..` alone are path navigation even when percent-encoded by some servers
	if (s === '.' || s === '..') return s.replace(/\./g, '%2E');
	return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Joins a base URL and path segments, each encoded. */
export function joinUrl(base: string, ...segments: string[]): string {
	return `${base.replace(/\/+$/, '')}/${segments.map(encodePathSegment).join('/')}`;
}

/**
 * True when the path of a URL has a `.` or `..` segment, also percent-encoded (`%2E%2E`): URL
 * parsers resolve those, so an id of ".." would silently address another resource.
 */
export function hasDotSegment(url: string): boolean {
	const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? '';
	return path.split('/').some((s) => /^(?:\.|%2e){1,2}$/i.test(s));
}

function buildUrl(url: string, qs?: ApiRequest['qs']): string {
	const u = new URL(url);
	if (qs) {
		for (const [k, v] of Object.entries(qs)) {
			if (v === undefined) continue;
			if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, String(x));
			else u.searchParams.append(k, String(v));
		}
	}
	return u.toString();
}

function describe(method: string, url: string): string {
	try {
		const u = new URL(url);
		return `${method} ${u.origin}${u.pathname}`;
	} catch {
		return `${method} ${url}`;
	}
}

function lowerHeaders(h: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!h || typeof h !== 'object') return out;
	for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
		if (v === undefined || v === null) continue;
		out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
	}
	return out;
}

/** Retry-After as milliseconds (seconds or an HTTP-date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	const v = value.trim();
	if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
	const t = Date.parse(v);
	if (Number.isNaN(t)) return undefined;
	return Math.max(0, t - now);
}

interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: unknown;
}

interface NetworkFailure {
	code: string;
	message: string;
}

/** Pulls the HTTP response out of whatever n8n threw (AxiosError, or NodeApiError wrapping it). */
function responseOf(error: unknown, wrapped: boolean): RawResponse | undefined {
	const seen = new Set<unknown>();
	let e = error as Record<string, unknown> | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		const r = e.response as Record<string, unknown> | undefined;
		if (r && typeof r === 'object' && typeof r.status === 'number') {
			return { status: r.status, headers: lowerHeaders(r.headers), body: r.data ?? (e.error as unknown) };
		}
		// n8n wraps the AxiosError in a NodeApiError that keeps only the status (httpCode) and,
		// for an object body, the body (context.data); the AxiosError itself is not kept.
		if (wrapped && typeof e.httpCode === 'string' && /^\d{3}$/.test(e.httpCode) && Number(e.httpCode) >= 300) {
			const context = e.context as Record<string, unknown> | undefined;
			return { status: Number(e.httpCode), headers: {}, body: context?.data };
		}
		e = e.cause as Record<string, unknown> | undefined;
	}
	return undefined;
}

/**
 * A broken connection: only an error without an HTTP error status (a body cut off after a 200 is
 * one), found by its code or its known words.
 */
function networkFailureOf(error: unknown): NetworkFailure | undefined {
	const seen = new Set<unknown>();
	let e = error as Record<string, unknown> | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		const response = e.response as Record<string, unknown> | undefined;
		const status =
			response && typeof response === 'object' && typeof response.status === 'number'
				? response.status
				: typeof e.httpCode === 'string' && /^\d{3}$/.test(e.httpCode)
					? Number(e.httpCode)
					: 0;
		if (status >= 300) return undefined; // the server answered with an error: never a reset
		const code = typeof e.code === 'string' ? e.code : typeof e.httpCode === 'string' ? e.httpCode : '';
		const messages = [e.message, ...(Array.isArray(e.messages) ? e.messages : [])].filter((m): m is string => typeof m === 'string');
		const message = messages.join(' | ');
		if (RESET_CODES.includes(code) || RESET_TEXT.test(message)) {
			return { code: RESET_CODES.includes(code) ? code : 'ECONNRESET', message };
		}
		e = e.cause as Record<string, unknown> | undefined;
	}
	return undefined;
}

/** A failed token renewal (n8n's OAuth2 client throws an AuthError carrying the token endpoint's body). */
function authFailureOf(error: unknown): { vendor?: string } | undefined {
	const seen = new Set<unknown>();
	let e = error as Record<string, unknown> | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		if (e.code === 'EAUTH' || e.httpCode === 'EAUTH') {
			return { vendor: e.body !== undefined ? vendorMessage(e.body) : typeof e.message === 'string' ? e.message : undefined };
		}
		if (typeof e.message === 'string' && /no refresh token is available|needs to be reconnected|OAuth credentials not connected/i.test(e.message)) {
			return { vendor: e.message };
		}
		e = e.cause as Record<string, unknown> | undefined;
	}
	return undefined;
}

function isAbort(error: unknown): boolean {
	const e = error as { name?: string; code?: string; cause?: { name?: string; code?: string } } | undefined;
	return e?.name === 'CanceledError' || e?.code === 'ERR_CANCELED' || e?.cause?.code === 'ERR_CANCELED';
}

function toMs(v: unknown): number | undefined {
	if (v === undefined || v === null || v === '') return undefined;
	const n = typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(String(v)) ? Number(v) : Date.parse(String(v));
	if (!Number.isFinite(n)) return undefined;
	return n > 1e12 ? n : n > 1e9 ? n * 1000 : undefined;
}

/**
 * Before-expiry renewal for credentials whose token is made by `preAuthentication`
 * (1upHealth, SMART Backend Services). n8n only runs `preAuthentication` when the expirable
 * field is empty or after a 401; when the stored expiry is within RENEW_BEFORE_EXPIRY_MS we
 * hand n8n a copy of the credential with that field blanked (`credentialsDecrypted`), so n8n
 * runs `preAuthentication`, saves the new token on the credential, and signs with it.
 */
async function renewIfExpiring(this: Ctx, credentialType: string): Promise<IAdditionalCredentialOptions | undefined> {
	const spec = EXPIRING_CREDENTIALS[credentialType];
	if (!spec) return undefined;
	let creds: ICredentialDataDecryptedObject;
	try {
		creds = await this.getCredentials(credentialType);
	} catch {
		return undefined; // let n8n report the missing credential on the real request
	}
	const expiresAt = toMs(creds[spec.expiresAtField]);
	const token = creds[spec.tokenField];
	if (expiresAt === undefined || token === '' || token === undefined) return undefined;
	if (expiresAt - Date.now() > RENEW_BEFORE_EXPIRY_MS) return undefined;
	const node = this.getNode();
	const ref = node.credentials?.[credentialType];
	return {
		credentialsDecrypted: {
			id: ref?.id ?? '',
			name: ref?.name ?? credentialType,
			type: credentialType,
			data: { ...creds, [spec.tokenField]: '' },
		},
	};
}

/**
 * Makes one request as the contract describes; throws NodeApiError with a readable message in
 * which no secret value of the credential (token, client secret, key) appears, even when the
 * vendor echoed it.
 */
export async function apiRequest<T = unknown>(this: Ctx, credentialType: string, req: ApiRequest): Promise<ApiResponse<T>> {
	try {
		return await request.call(this, credentialType, req) as ApiResponse<T>;
	} catch (error) {
		let secrets: string[] = [];
		if (req.withAuth ?? true) {
			try {
				// the credential as stored now (a renewal during the request may have changed it)
				secrets = credentialSecrets(await this.getCredentials(credentialType));
			} catch {
				/* no credential: scrub token-looking text only */
			}
		}
		throw scrubError(error, secrets);
	}
}

async function request(this: Ctx, credentialType: string, req: ApiRequest): Promise<ApiResponse> {
	const node: INode = this.getNode();
	const method = req.method;
	const idempotent = method === 'GET' || method === 'HEAD' || method === 'DELETE';
	const retry = req.retry ?? idempotent;
	const maxAttempts = retry ? Math.max(1, req.maxAttempts ?? 5) : 1;
	const maxTotalWait = req.maxTotalWaitMs ?? 60_000;
	const base = req.backoffBaseMs ?? 500;
	const followRedirects = req.followRedirects ?? true;
	const maxRedirects = req.maxRedirects ?? 5;
	const expectJson = req.expectJson ?? !req.stream;
	if (hasDotSegment(req.url)) {
		throw apiError(node, {
			what: req.what ?? describe(method, req.url),
			message: `${req.what ?? describe(method, req.url)} failed: the address has a "." or ".." path segment, which would address another resource; nothing was sent`,
			hint: 'An ID cannot be "." or "..": check the ID (and the base URL in the credential).',
			itemIndex: req.itemIndex,
		});
	}
	let firstUrl: string;
	try {
		firstUrl = buildUrl(req.url, req.qs);
	} catch {
		throw apiError(node, {
			what: req.what ?? `${method} request`,
			message: `${req.what ?? `${method} request`} failed: "${sanitizeMessage(String(req.url))}" is not a valid URL; nothing was sent`,
			hint: 'Check the base URL in the credential and the IDs given to this node.',
			itemIndex: req.itemIndex,
		});
	}
	const firstOrigin = new URL(firstUrl).origin;
	const what = req.what ?? describe(method, firstUrl);
	const itemIndex = req.itemIndex;

	let url = firstUrl;
	let withAuth = req.withAuth ?? true;
	let headers: Record<string, string> = { Accept: 'application/json', ...(req.headers ?? {}) };
	let attempt = 0;
	let redirects = 0;
	let waited = 0;
	const additional: IAdditionalCredentialOptions = {};
	if (req.oauth2) additional.oauth2 = req.oauth2;

	for (;;) {
		attempt++;
		const options: IHttpRequestOptions = {
			method,
			url,
			headers: { ...headers },
			returnFullResponse: true,
			// 401 still throws so n8n refreshes the OAuth2 token / re-runs preAuthentication
			ignoreHttpStatusErrors: withAuth ? { ignore: true, except: [401] } : true,
			disableFollowRedirect: true,
			// default (JSON) decoding: axios parses JSON silently and leaves anything else a string,
			// and n8n keeps a parsed error body on its NodeApiError (context.data)
			...(req.stream ? { encoding: 'stream' as const } : {}),
			json: false,
			timeout: req.timeoutMs,
		};
		if (req.form) {
			options.body = new URLSearchParams(req.form);
			(options.headers as Record<string, string>)['Content-Type'] = 'application/x-www-form-urlencoded';
		} else if (req.body !== undefined) {
			options.body = (typeof req.body === 'string' ? req.body : JSON.stringify(req.body)) as IHttpRequestOptions['body'];
			const h = options.headers as Record<string, string>;
			if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
		}

		let raw: RawResponse | undefined;
		let netFail: NetworkFailure | undefined;
		try {
			let result: unknown;
			if (withAuth) {
				const renew = await renewIfExpiring.call(this, credentialType);
				const add = renew ? { ...additional, ...renew } : additional;
				result = await this.helpers.httpRequestWithAuthentication.call(
					this,
					credentialType,
					options,
					Object.keys(add).length ? add : undefined,
				);
			} else {
				result = await this.helpers.httpRequest(options);
			}
			const r = result as { statusCode: number; headers: unknown; body: unknown };
			raw = { status: r.statusCode, headers: lowerHeaders(r.headers), body: r.body };
		} catch (error) {
			if (isAbort(error)) throw apiError(node, { what, message: `${what} was cancelled`, hint: 'The execution was stopped.', itemIndex });
			raw = responseOf(error, false);
			if (!raw) {
				netFail = networkFailureOf(error);
				if (!netFail) raw = responseOf(error, true);
			}
			if (!raw) {
				const authFail = netFail ? undefined : authFailureOf(error);
				if (authFail) {
					throw apiError(node, {
						what,
						status: 401,
						message: `${what} failed: the access token was refused and renewing it failed${authFail.vendor ? `: ${authFail.vendor}` : ''}`,
						hint: 'Open the credential and reconnect it (sign in again), then run the workflow again.',
						itemIndex,
					});
				}
				if (!netFail) {
					const msg = (error as Error)?.message ?? String(error);
					throw apiError(node, {
						what,
						message: `${what} failed: ${sanitizeMessage(msg)}`,
						hint: 'Check the base URL in the credential and that the server is reachable, then try again.',
						itemIndex,
					});
				}
			}
		}

		// ---- connection reset / hang up ----
		if (netFail) {
			if (attempt < maxAttempts) {
				const delay = Math.min(base * 2 ** (attempt - 1), 8000);
				if (waited + delay <= maxTotalWait) {
					waited += delay;
					await sleep(delay);
					continue;
				}
			}
			throw apiError(node, {
				what,
				message: `${what} failed: the connection was closed before the answer was complete (${netFail.code})${
					retry ? ` after ${attempt} attempt${attempt > 1 ? 's' : ''}` : ''
				}`,
				hint: retry
					? 'The server or the network is unstable: try again later.'
					: 'This request was not repeated automatically because it may already have taken effect: check on the vendor side before running it again.',
				itemIndex,
			});
		}
		const res = raw!;

		// ---- redirects: same method and headers; the token only to the same origin ----
		if (REDIRECT_STATUSES.includes(res.status) && followRedirects && res.headers.location) {
			if (req.stream) await drain(res.body);
			if (++redirects > maxRedirects) {
				throw apiError(node, { what, status: res.status, message: `${what} failed: more than ${maxRedirects} redirects`, hint: 'Check the base URL in the credential.', itemIndex });
			}
			const next = new URL(res.headers.location, url);
			if (next.protocol !== 'https:' && next.protocol !== 'http:') {
				throw apiError(node, { what, status: res.status, message: `${what} failed: redirected to an unsupported address`, itemIndex });
			}
			if (next.origin !== firstOrigin && withAuth) {
				withAuth = false;
				headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
			}
			url = next.toString();
			attempt = 0;
			continue;
		}

		// ---- transient statuses ----
		if (RETRY_STATUSES.includes(res.status) && !(req.okStatuses ?? []).includes(res.status)) {
			const ra = parseRetryAfter(res.headers['retry-after']);
			const delay = ra ?? Math.min(base * 2 ** (attempt - 1), 8000);
			if (retry && attempt < maxAttempts && waited + delay <= maxTotalWait) {
				if (req.stream) await drain(res.body);
				waited += delay;
				await sleep(delay);
				continue;
			}
			const body = req.stream ? await readText(res.body) : res.body;
			const tail = !retry
				? ' (not retried automatically: it may already have taken effect)'
				: attempt >= maxAttempts
					? ` after ${attempt} attempts`
					: ra !== undefined
						? ` (the server asked to wait ${Math.round(ra / 1000)} s, more than this node waits)`
						: '';
			throw failure(node, what, res.status, body, res.headers, itemIndex, tail);
		}

		const ok = (res.status >= 200 && res.status < 300) || (req.okStatuses ?? []).includes(res.status);
		if (!ok) {
			const body = req.stream ? await readText(res.body) : res.body;
			throw failure(node, what, res.status, body, res.headers, itemIndex, '');
		}

		if (req.stream) {
			const ct = res.headers['content-type'] ?? '';
			if (ct.includes('text/html')) {
				await drain(res.body);
				throw htmlError(node, what, res.status, itemIndex);
			}
			return { status: res.status, headers: res.headers, body: res.body, url };
		}
		return { status: res.status, headers: res.headers, body: parseBody(node, what, res, expectJson, itemIndex), url };
	}
}

function sanitizeMessage(msg: string): string {
	return redact(msg.replace(/(bearer\s+)\S+/gi, '$1[redacted]')).slice(0, 300);
}

function htmlError(node: INode, what: string, status: number, itemIndex?: number) {
	return apiError(node, {
		what,
		status,
		message: `${what} failed: the server answered with an HTML page (status ${status}), check the base URL`,
		hint: 'The URL in the credential probably points at a web page (a login page, a proxy or a portal) instead of the API.',
		itemIndex,
	});
}

function failure(
	node: INode,
	what: string,
	status: number,
	body: unknown,
	headers: Record<string, string>,
	itemIndex: number | undefined,
	tail: string,
) {
	const text = typeof body === 'string' ? body : undefined;
	if ((headers['content-type'] ?? '').includes('text/html') || (text !== undefined && looksLikeHtml(text))) {
		return htmlError(node, what, status, itemIndex);
	}
	let parsed: unknown = body;
	if (text !== undefined && /^\s*[{[]/.test(text)) {
		try {
			parsed = JSON.parse(text);
		} catch {
			/* keep text */
		}
	}
	const err = apiError(node, { what, status, body: parsed, itemIndex });
	if (tail) {
		const [head, ...rest] = err.message.split(': ');
		err.message = rest.length ? `${head}${tail}: ${rest.join(': ')}` : `${head}${tail}`;
	}
	return err;
}

function parseBody(node: INode, what: string, res: RawResponse, expectJson: boolean, itemIndex?: number): unknown {
	const body = res.body;
	const ct = res.headers['content-type'] ?? '';
	if (Buffer.isBuffer(body)) return body;
	if (typeof body !== 'string') return body; // already parsed by an older helper
	const text = body;
	if (ct.includes('text/html') || (expectJson && looksLikeHtml(text))) throw htmlError(node, what, res.status, itemIndex);
	if (text.trim() === '') return expectJson ? undefined : '';
	if (/json/i.test(ct) || (expectJson && /^\s*[{[]/.test(text))) {
		try {
			return JSON.parse(text);
		} catch {
			throw apiError(node, {
				what,
				status: res.status,
				message: `${what} failed: the server's answer (status ${res.status}) is not valid JSON`,
				hint: 'The answer may have been cut off, or the URL points at something other than the API: check the base URL and try again.',
				itemIndex,
			});
		}
	}
	if (expectJson) {
		throw apiError(node, {
			what,
			status: res.status,
			message: `${what} failed: the server answered with ${ct ? `"${ct.split(';')[0]}"` : 'a body'} instead of JSON (status ${res.status})`,
			hint: 'Check the base URL in the credential.',
			itemIndex,
		});
	}
	return text;
}

async function readText(body: unknown): Promise<string> {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	const s = body as Readable | undefined;
	if (!s || typeof s[Symbol.asyncIterator] !== 'function') return '';
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const c of s) {
			const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
			size += b.length;
			if (size <= 64 * 1024) chunks.push(b);
		}
	} catch {
		/* a broken error body: report what we have */
	}
	return Buffer.concat(chunks).toString('utf8');
}

async function drain(body: unknown): Promise<void> {
	const s = body as Readable | undefined;
	if (s && typeof s.resume === 'function') {
		s.resume();
		if (typeof s.destroy === 'function') s.destroy();
	}
}
