// Every HTTP call of every node goes through `apiRequest` (contract: docs/DEVELOPING.md →
// "Shared node code contract"). It authenticates through n8n's own helpers, retries only what
// is safe, follows redirects itself so a token never leaves its origin, and turns every failure
// into a NodeApiError a person can act on.
import {
	NodeApiError,
	sleep,
	type IAdditionalCredentialOptions,
	type IHttpRequestOptions,
	type INode,
} from 'n8n-workflow';
import { apiError, credentialSecrets, scrubError } from '../errors';
import { drain, failure, htmlError, parseBody, readText, sanitizeMessage } from './body';
import { authFailureOf, isAbort, networkFailureOf, responseOf } from './failures';
import { lowerHeaders, parseRetryAfter } from './headers';
import { afterSeeOther, hasUserInfo, redirectHop } from './redirects';
import {
	DEFAULT_MAX_RESPONSE_BYTES,
	DEFAULT_READ_DEADLINE_MS,
	Deadline,
	DeadlineError,
	ResponseTooLargeError,
	deadlineError,
	decodeLikeAxios,
	idleTimeout,
	isStream,
	readLimited,
	tooLargeError,
} from './limits';
import { renewIfExpiring } from './renewal';
import {
	cachedToken,
	cachesToken,
	fetchingToken,
	forgetRefusedToken,
	hasCacheEntry,
	rememberToken,
	tokenBeingFetched,
	type CachedToken,
} from './token-cache';
import { credentialError, credentialFailureOf, tokenHint } from '../token-failures';
import type { ApiRequest, ApiResponse, Ctx, NetworkFailure, RawResponse } from './types';
import { buildUrl, describe, hasDotSegment } from './url';

const RETRY_STATUSES = [429, 502, 503, 504];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * Makes one request as the contract describes; throws NodeApiError with a readable message in
 * which no secret value of the credential (token, client secret, key) appears, even when the
 * vendor echoed it.
 */
export async function apiRequest<T = unknown>(
	this: Ctx,
	credentialType: string,
	req: ApiRequest,
): Promise<ApiResponse<T>> {
	const hop: Hop = { seeOther: false, what: '' };
	// a stream answer keeps the deadline until the stream closes
	const deadline = new Deadline(
		req.deadlineMs ?? (req.stream ? Infinity : DEFAULT_READ_DEADLINE_MS),
	);
	try {
		const res = (await request.call(this, credentialType, req, hop, deadline)) as ApiResponse<T>;
		if (req.stream && isStream(res.body)) deadline.watch(res.body, true);
		else deadline.stop();
		return res;
	} catch (error) {
		deadline.stop();
		let secrets: string[] = [];
		if (req.withAuth ?? true) {
			try {
				// the credential as stored now (a renewal during the request may have changed it)
				secrets = credentialSecrets(await this.getCredentials(credentialType));
			} catch {
				/* no credential: scrub token-looking text only */
			}
		}
		throw scrubError(
			hop.seeOther && error instanceof NodeApiError ? afterSeeOther(error, hop.what) : error,
			secrets,
		);
	}
}

/** `seeOther`: the request was a write the server carried out (303) and its result is being read */
interface Hop {
	seeOther: boolean;
	what: string;
}

async function request(
	this: Ctx,
	credentialType: string,
	req: ApiRequest,
	hop: Hop,
	deadline: Deadline,
): Promise<ApiResponse> {
	const node: INode = this.getNode();
	let method = req.method;
	const idempotent = method === 'GET' || method === 'HEAD' || method === 'DELETE';
	let retry = req.retry ?? idempotent;
	let maxAttempts = retry ? Math.max(1, req.maxAttempts ?? 5) : 1;
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
	hop.what = what;
	if (hasUserInfo(new URL(firstUrl))) {
		throw apiError(node, {
			what,
			message: `${what} failed: the address has a user name or password in it; nothing was sent`,
			hint: 'The credential authenticates every request: remove the user name and password from the URL.',
			itemIndex,
		});
	}
	let okStatuses = req.okStatuses ?? [];
	let dropBody = false;
	const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
	const timedOut = () => deadlineError(node, what, deadline.ms, itemIndex, req.limitOptions?.time);
	const lateBody = (r: unknown) => void drain((r as { body?: unknown } | undefined)?.body);

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
			// always a stream: the body is read here within the size limit and the deadline, then
			// decoded as axios would (JSON parsed silently, anything else a string)
			encoding: 'stream' as const,
			json: false,
			timeout: idleTimeout(req.timeoutMs, deadline),
		};
		if (dropBody) {
			// a GET reading the result of a write (303 See Other): no body
		} else if (req.form) {
			options.body = new URLSearchParams(req.form);
			(options.headers as Record<string, string>)['Content-Type'] =
				'application/x-www-form-urlencoded';
		} else if (req.body !== undefined) {
			options.body = (
				typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
			) as IHttpRequestOptions['body'];
			const h = options.headers as Record<string, string>;
			if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
				h['Content-Type'] = 'application/json';
		}

		let raw: RawResponse | undefined;
		let netFail: NetworkFailure | undefined;
		try {
			let result: unknown;
			if (withAuth) {
				// this execution's token, only to the credential's own API origin (token-cache.ts)
				const keeps = !req.oauth2 && cachesToken(credentialType);
				/** the Authorization that was refused with a 401, if the kept token was */
				let refused: string | undefined;
				const sendKept = async (kept: CachedToken): Promise<unknown> => {
					const signed: IHttpRequestOptions = {
						...options,
						headers: { ...options.headers, Authorization: kept.authorization },
						ignoreHttpStatusErrors: true,
					};
					if (kept.ignoreSsl) signed.skipSslCertificateValidation = true;
					const r = (await deadline.race(this.helpers.httpRequest(signed), lateBody)) as {
						statusCode: number;
						body: unknown;
					};
					if (r.statusCode !== 401) return r;
					// refused: once more through n8n's helper, which refreshes and saves the token
					// (a preAuthentication token: renewed first, so n8n does not send it again)
					await drain(r.body);
					forgetRefusedToken(this, credentialType, kept.authorization);
					refused = kept.authorization;
					return undefined;
				};
				const kept = keeps ? cachedToken(this, credentialType, url) : undefined;
				if (kept) result = await sendKept(kept);
				// another request of this execution is getting (or renewing) the token: wait for it
				// and use the one it kept (a few times at most, then through n8n's helper)
				for (let waits = 0; result === undefined && keeps && waits < 3; waits++) {
					const fresh = cachedToken(this, credentialType, url);
					if (fresh && fresh.authorization !== refused) {
						result = await sendKept(fresh);
						continue;
					}
					const pending = tokenBeingFetched(this, credentialType);
					if (!pending) break;
					await deadline.race(pending, () => undefined);
				}
				if (result === undefined) {
					// while no token is kept, the others of this execution wait for this one (token-cache.ts;
					// no await since the loop's last look, so two requests never both take this role)
					const fetched =
						keeps && !hasCacheEntry(this, credentialType)
							? fetchingToken(this, credentialType)
							: undefined;
					try {
						const renew = await renewIfExpiring.call(this, credentialType, refused !== undefined);
						const add = renew ? { ...additional, ...renew } : additional;
						result = await deadline.race(
							this.helpers.httpRequestWithAuthentication.call(
								this,
								credentialType,
								options,
								Object.keys(add).length ? add : undefined,
							),
							lateBody,
						);
						if (keeps && !hasCacheEntry(this, credentialType))
							await rememberToken(this, credentialType);
					} finally {
						fetched?.();
					}
				}
			} else {
				result = await deadline.race(this.helpers.httpRequest(options), lateBody);
			}
			const r = result as { statusCode: number; headers: unknown; body: unknown };
			raw = { status: r.statusCode, headers: lowerHeaders(r.headers), body: r.body };
		} catch (error) {
			if (error instanceof DeadlineError || deadline.expired) throw timedOut();
			if (isAbort(error))
				throw apiError(node, {
					what,
					message: `${what} was cancelled`,
					hint: 'The execution was stopped.',
					itemIndex,
				});
			const credentialFailure = credentialFailureOf(error);
			if (credentialFailure) throw credentialError(node, what, credentialFailure, itemIndex);
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
						hint: tokenHint('user', authFail.code),
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

		// ---- the body, read within the size limit and the deadline (a stream answer is the caller's) ----
		if (raw && !req.stream && isStream(raw.body)) {
			try {
				raw = { ...raw, body: decodeLikeAxios(await readLimited(raw.body, maxBytes, deadline)) };
			} catch (e) {
				if (e instanceof ResponseTooLargeError)
					throw tooLargeError(node, what, maxBytes, itemIndex, req.limitOptions?.size);
				if (e instanceof DeadlineError) throw timedOut();
				if (isAbort(e))
					throw apiError(node, {
						what,
						message: `${what} was cancelled`,
						hint: 'The execution was stopped.',
						itemIndex,
					});
				netFail = networkFailureOf(e) ?? {
					code: 'ECONNRESET',
					message: (e as Error)?.message ?? String(e),
				};
				raw = undefined;
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
				throw apiError(node, {
					what,
					status: res.status,
					message: `${what} failed: more than ${maxRedirects} redirects`,
					hint: 'Check the base URL in the credential.',
					itemIndex,
				});
			}
			const next = redirectHop(node, {
				what,
				itemIndex,
				method,
				url,
				firstOrigin,
				status: res.status,
				location: res.headers.location,
			});
			if (next.foreign && withAuth) {
				withAuth = false;
				headers = Object.fromEntries(
					Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
				);
			}
			if (next.seeOther) {
				// the write's answer is the result it names: only a 2xx of that GET counts, and the GET
				// is retried like any other
				dropBody = hop.seeOther = retry = true;
				maxAttempts = Math.max(1, req.maxAttempts ?? 5);
				okStatuses = [];
				headers = Object.fromEntries(
					Object.entries(headers).filter(([k]) => !/^content-/i.test(k)),
				);
			}
			method = next.method;
			url = next.url;
			attempt = 0;
			continue;
		}

		// ---- transient statuses ----
		if (RETRY_STATUSES.includes(res.status) && !okStatuses.includes(res.status)) {
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

		const ok = (res.status >= 200 && res.status < 300) || okStatuses.includes(res.status);
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
		return {
			status: res.status,
			headers: res.headers,
			body: parseBody(node, what, res, expectJson, itemIndex),
			url,
		};
	}
}
