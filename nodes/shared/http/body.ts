// Reading an answer's body: JSON (or text), HTML pages and error bodies turned into readable
// NodeApiErrors, stream bodies read (error bodies, at most 64 KiB) or drained.
import type { INode } from 'n8n-workflow';
import { apiError, htmlText, looksLikeHtml, redact } from '../errors';
import type { RawResponse, Readable } from './types';

/** a bound for hostile servers only: every real reason is far shorter */
const MAX_MESSAGE = 2000;

/**
 * A message from elsewhere (a credential's token request, a library) for a node error: tokens
 * removed, long URLs shortened to origin, "…" and last path segment, and never cut in the middle
 * of the server's reason (only a text longer than any real reason is bounded).
 */
export function sanitizeMessage(msg: string): string {
	const text = redact(msg.replace(/(bearer\s+)\S+/gi, '$1[redacted]')).replace(
		/\bhttps?:\/\/[^\s"'<>()]+/gi,
		shortUrl,
	);
	return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function shortUrl(url: string): string {
	if (url.length <= 80) return url;
	try {
		const u = new URL(url);
		const last = u.pathname.split('/').filter(Boolean).pop() ?? '';
		return `${u.origin}/…/${last.length > 40 ? `${last.slice(0, 40)}…` : last}`;
	} catch {
		return `${url.slice(0, 80)}…`;
	}
}

export function htmlError(node: INode, what: string, status: number, itemIndex?: number) {
	return apiError(node, {
		what,
		status,
		message: `${what} failed: the server answered with an HTML page (status ${status}), check the base URL`,
		hint: 'The URL in the credential probably points at a web page (a login page, a proxy or a portal) instead of the API.',
		itemIndex,
	});
}

/**
 * Statuses that say what happened whatever the body: an HTML answer with one of them is not read
 * as "the URL points at a web page" (429 / 5xx gateway answers are waited out, 401 / 403 are
 * authorization errors quoting the page's text).
 */
const STATUS_FIRST = [401, 403, 429, 502, 503, 504];

export function failure(
	node: INode,
	what: string,
	status: number,
	body: unknown,
	headers: Record<string, string>,
	itemIndex: number | undefined,
	tail: string,
) {
	let text = typeof body === 'string' ? body : undefined;
	if (
		(headers['content-type'] ?? '').includes('text/html') ||
		(text !== undefined && looksLikeHtml(text))
	) {
		if (!STATUS_FIRST.includes(status)) return htmlError(node, what, status, itemIndex);
		// a page is quoted by its text for 401 / 403 only; plain text sent as text/html as it is
		if (text !== undefined && looksLikeHtml(text))
			body = text = status === 401 || status === 403 ? htmlText(text) : undefined;
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

export function parseBody(
	node: INode,
	what: string,
	res: RawResponse,
	expectJson: boolean,
	itemIndex?: number,
): unknown {
	const body = res.body;
	const ct = res.headers['content-type'] ?? '';
	if (Buffer.isBuffer(body)) return body;
	if (typeof body !== 'string') return body; // already parsed by an older helper
	const text = body;
	if (ct.includes('text/html') || (expectJson && looksLikeHtml(text))) {
		// a status the caller asked for (okStatuses) that says what happened: the caller reads the status
		if (STATUS_FIRST.includes(res.status)) return text;
		throw htmlError(node, what, res.status, itemIndex);
	}
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

export async function readText(body: unknown): Promise<string> {
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

export async function drain(body: unknown): Promise<void> {
	const s = body as Readable | undefined;
	if (s && typeof s.resume === 'function') {
		s.resume();
		if (typeof s.destroy === 'function') s.destroy();
	}
}
