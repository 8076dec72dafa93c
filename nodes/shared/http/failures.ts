// Failure classification: what n8n threw for one attempt is an HTTP answer (responseOf), a broken
// connection (networkFailureOf), a refused token renewal (authFailureOf) or a cancelled execution
// (isAbort).
import { vendorMessage } from '../errors';
import { lowerHeaders } from './headers';
import type { NetworkFailure, RawResponse } from './types';

const RESET_CODES = [
	'ECONNRESET',
	'EPIPE',
	'ECONNABORTED',
	'ERR_STREAM_PREMATURE_CLOSE',
	'ETIMEDOUT',
	'EAI_AGAIN',
];
// the words of a broken connection only (axios: "stream has been aborted" mid-body); a bare
// "aborted" is also what a vendor writes in an HTTP error ("request aborted by policy"), and such
// an answer must never be sent again
const RESET_TEXT =
	/socket hang up|premature close|stream has been aborted|ECONNRESET|EPIPE|ECONNABORTED|ETIMEDOUT|network socket disconnected/i;

/** Pulls the HTTP response out of whatever n8n threw (AxiosError, or NodeApiError wrapping it). */
export function responseOf(error: unknown, wrapped: boolean): RawResponse | undefined {
	const seen = new Set<unknown>();
	let e = error as Record<string, unknown> | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		const r = e.response as Record<string, unknown> | undefined;
		if (r && typeof r === 'object' && typeof r.status === 'number') {
			return {
				status: r.status,
				headers: lowerHeaders(r.headers),
				body: r.data ?? (e.error as unknown),
			};
		}
		// n8n wraps the AxiosError in a NodeApiError that keeps only the status (httpCode) and,
		// for an object body, the body (context.data); the AxiosError itself is not kept.
		if (
			wrapped &&
			typeof e.httpCode === 'string' &&
			/^\d{3}$/.test(e.httpCode) &&
			Number(e.httpCode) >= 300
		) {
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
export function networkFailureOf(error: unknown): NetworkFailure | undefined {
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
		const code =
			typeof e.code === 'string' ? e.code : typeof e.httpCode === 'string' ? e.httpCode : '';
		const messages = [e.message, ...(Array.isArray(e.messages) ? e.messages : [])].filter(
			(m): m is string => typeof m === 'string',
		);
		const message = messages.join(' | ');
		if (RESET_CODES.includes(code) || RESET_TEXT.test(message)) {
			return { code: RESET_CODES.includes(code) ? code : 'ECONNRESET', message };
		}
		e = e.cause as Record<string, unknown> | undefined;
	}
	return undefined;
}

/** A failed token renewal (n8n's OAuth2 client throws an AuthError carrying the token endpoint's body). */
export function authFailureOf(error: unknown): { vendor?: string; code?: string } | undefined {
	const seen = new Set<unknown>();
	let e = error as Record<string, unknown> | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		if (e.code === 'EAUTH' || e.httpCode === 'EAUTH') {
			// n8n 2.41 keeps the OAuth2 client's AuthError (with the token endpoint's body) as the cause
			const deeper = e.body === undefined && e.cause ? authFailureOf(e.cause) : undefined;
			if (deeper) return deeper;
			const code = (e.body as { error?: unknown } | undefined)?.error;
			return {
				vendor:
					e.body !== undefined
						? vendorMessage(e.body)
						: typeof e.message === 'string'
							? e.message
							: undefined,
				code: typeof code === 'string' ? code : undefined,
			};
		}
		if (
			typeof e.message === 'string' &&
			/no refresh token is available|needs to be reconnected|OAuth credentials not connected/i.test(
				e.message,
			)
		) {
			return { vendor: e.message };
		}
		e = e.cause as Record<string, unknown> | undefined;
	}
	return undefined;
}

export function isAbort(error: unknown): boolean {
	const e = error as
		| { name?: string; code?: string; httpCode?: string; cause?: { name?: string; code?: string } }
		| undefined;
	// n8n wraps an abort that lands mid-request in a NodeApiError whose httpCode is ERR_CANCELED
	return (
		e?.name === 'CanceledError' ||
		e?.code === 'ERR_CANCELED' ||
		e?.httpCode === 'ERR_CANCELED' ||
		e?.cause?.code === 'ERR_CANCELED'
	);
}
