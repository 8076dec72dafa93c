// URL rules: path segments are encoded so an id cannot change the path, dot segments are found
// before anything is sent, and the query string is built from `qs`.
import type { ApiRequest } from './types';

/** Encodes one path segment: `1/../../Group/1` stays one segment and cannot change the path. */
export function encodePathSegment(id: string): string {
	const s = String(id);
	// `.` and `..` alone are path navigation even when percent-encoded by some servers
	if (s === '.' || s === '..') return s.replace(/\./g, '%2E');
	return encodeURIComponent(s).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
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

export function buildUrl(url: string, qs?: ApiRequest['qs']): string {
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

export function describe(method: string, url: string): string {
	try {
		const u = new URL(url);
		return `${method} ${u.origin}${u.pathname}`;
	} catch {
		return `${method} ${url}`;
	}
}
