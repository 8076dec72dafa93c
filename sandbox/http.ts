// A small HTTP toolkit for the sandbox: request parsing, a path router with :params, replies.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SandboxRequest {
	method: string;
	/** full URL as the client asked for it (origin from the Host header) */
	url: URL;
	/** path without query string, percent-decoding NOT applied (raw, as sent) */
	path: string;
	/** :params from the route pattern, percent-decoded */
	params: Record<string, string>;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	body: Buffer;
	raw: IncomingMessage;
	/** which listener received it: the main origin or the second (file) origin */
	origin: 'main' | 'files';
	/** surface that owns the route (set by the router) */
	surface?: string;
	text(): string;
	/** application/x-www-form-urlencoded body as an object (last value wins) */
	form(): Record<string, string>;
	/** JSON body; throws HttpError 400 on malformed JSON */
	json<T = unknown>(): T;
}

export class HttpError extends Error {
	constructor(
		public status: number,
		public body: unknown,
		public headers: Record<string, string> = {},
	) {
		super(`HTTP ${status}`);
	}
}

export type Handler = (req: SandboxRequest, res: ServerResponse) => void | Promise<void>;

interface Route {
	method: string;
	surface: string;
	parts: string[];
	handler: Handler;
}

export class Router {
	private routes: Route[] = [];

	/**
	 * Adds a route. `pattern` is a full path such as `/emp/fhir/r4/Patient/:id`; a segment `*rest`
	 * matches the remainder of the path. Method `*` matches any method.
	 */
	add(method: string, pattern: string, surface: string, handler: Handler): void {
		this.routes.push({ method: method.toUpperCase(), surface, parts: split(pattern), handler });
	}

	match(
		method: string,
		path: string,
	): { route: Route; params: Record<string, string> } | undefined {
		const segs = split(path);
		let pathMatched = false;
		for (const route of this.routes) {
			const params = matchParts(route.parts, segs);
			if (!params) continue;
			pathMatched = true;
			if (route.method === '*' || route.method === method.toUpperCase()) return { route, params };
		}
		if (pathMatched) return { route: METHOD_NOT_ALLOWED, params: {} };
		return undefined;
	}
}

const METHOD_NOT_ALLOWED: Route = {
	method: '*',
	surface: '',
	parts: [],
	handler: (_req, res) => sendJson(res, 405, { error: 'method_not_allowed' }),
};

function split(p: string): string[] {
	return p.split('/').filter((s) => s.length > 0);
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
	const params: Record<string, string> = {};
	for (let i = 0; i < parts.length; i++) {
		const p = parts[i];
		if (p.startsWith('*')) {
			params[p.slice(1)] = segs.slice(i).map(safeDecode).join('/');
			return params;
		}
		if (i >= segs.length) return undefined;
		if (p.startsWith(':')) params[p.slice(1)] = safeDecode(segs[i]);
		else if (p !== segs[i]) return undefined;
	}
	return parts.length === segs.length ? params : undefined;
}

function safeDecode(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

export async function readRequest(
	raw: IncomingMessage,
	origin: 'main' | 'files',
	maxBytes = 5 * 1024 * 1024,
): Promise<SandboxRequest> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of raw) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) throw new HttpError(413, { error: 'payload_too_large' });
		chunks.push(chunk as Buffer);
	}
	const body = Buffer.concat(chunks);
	const host = raw.headers.host ?? '127.0.0.1';
	const url = new URL(raw.url ?? '/', `http://${host}`);
	const rawPath = (raw.url ?? '/').split('?')[0];
	let formCache: Record<string, string> | undefined;
	return {
		method: (raw.method ?? 'GET').toUpperCase(),
		url,
		path: rawPath,
		params: {},
		query: url.searchParams,
		headers: raw.headers,
		body,
		raw,
		origin,
		text: () => body.toString('utf8'),
		form: () => {
			if (!formCache) {
				formCache = {};
				const ct = String(raw.headers['content-type'] ?? '');
				if (ct.includes('application/x-www-form-urlencoded')) {
					for (const [k, v] of new URLSearchParams(body.toString('utf8'))) formCache[k] = v;
				}
			}
			return formCache;
		},
		json: <T>() => {
			try {
				return JSON.parse(body.toString('utf8') || 'null') as T;
			} catch {
				throw new HttpError(400, {
					error: 'invalid_json',
					error_description: 'Body is not valid JSON',
				});
			}
		},
	};
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
	contentType = 'application/json',
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': `${contentType}; charset=utf-8`,
		'Content-Length': String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

export function sendFhir(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	sendJson(res, status, body, headers, 'application/fhir+json');
}

export function sendHtml(
	res: ServerResponse,
	status: number,
	html: string,
	headers: Record<string, string> = {},
): void {
	res.writeHead(status, {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(html)),
		...headers,
	});
	res.end(html);
}

export function redirect(res: ServerResponse, location: string, status = 302): void {
	res.writeHead(status, { Location: location, 'Content-Length': '0' });
	res.end();
}

export function escapeHtml(s: string): string {
	return s.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
	);
}

/** Decodes an HTTP Basic Authorization header into its (form-url-decoded) parts. */
export function parseBasicAuth(
	header: string | undefined,
): { user: string; pass: string } | undefined {
	if (!header || !/^basic /i.test(header)) return undefined;
	const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
	const i = decoded.indexOf(':');
	if (i < 0) return undefined;
	const dec = (s: string) => {
		try {
			return decodeURIComponent(s.replace(/\+/g, ' '));
		} catch {
			return s;
		}
	};
	return { user: dec(decoded.slice(0, i)), pass: dec(decoded.slice(i + 1)) };
}

export function bearerToken(req: SandboxRequest): string | undefined {
	const h = req.headers.authorization;
	if (!h || !/^bearer /i.test(h)) return undefined;
	return h.slice(7).trim();
}
