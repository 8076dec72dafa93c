// Bulk export file URLs may be presigned (X-Amz-Signature, X-Amz-Security-Token, sig=, token=…):
// their query values grant access to the file. Logs and messages show such a URL with every query
// value (and any user info) replaced, and an error about a file loses those values wherever they
// appear in its message, description or context, e.g. in a storage server's echo of the request.
import { scrubError } from '../errors';

const MASK = '[redacted]';

/** The URL for logs and messages: origin and path as given, every query value replaced, no fragment. */
export function redactUrl(url: string): string {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return String(url).split(/[?#]/)[0];
	}
	const path = `${u.origin}${u.pathname}`;
	if (!u.search) return path;
	const parts = u.search
		.slice(1)
		.split('&')
		.filter(Boolean)
		.map((p) => {
			const i = p.indexOf('=');
			return i < 0 ? MASK : `${p.slice(0, i)}=${MASK}`;
		});
	return `${path}?${parts.join('&')}`;
}

/** The values of a URL that must not be shown: query values (as written and decoded) and user info. */
export function urlSecrets(url: string): string[] {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return [];
	}
	const out = new Set<string>();
	const add = (v: string) => {
		if (v.length < 4) return;
		out.add(v);
		try {
			out.add(decodeURIComponent(v));
		} catch {
			/* not percent-encoded text: the raw form is enough */
		}
		out.add(encodeURIComponent(v));
	};
	for (const p of u.search.slice(1).split('&'))
		add(p.includes('=') ? p.slice(p.indexOf('=') + 1) : p);
	for (const v of u.searchParams.values()) add(v);
	add(u.username);
	add(u.password);
	return [...out].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

/** Scrubs an error about the file at `url` in place (see scrubError) and returns it. */
export function scrubFileError<E>(error: E, url: string): E {
	return scrubError(error, urlSecrets(url));
}
