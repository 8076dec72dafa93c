// Header helpers: lower-cased header maps and the Retry-After header.

export function lowerHeaders(h: unknown): Record<string, string> {
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
