// Small value helpers every node uses: type guards, the one date parser, the one Limit rule and
// the one email check. Parameter readers that need the node context take it as `ctx`.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

/** A plain object (not null, not a list). */
export function isRecord(v: unknown): v is IDataObject {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty trimmed string (numbers as text), else undefined. */
export function str(v: unknown): string | undefined {
	if (typeof v === 'string' && v.trim()) return v.trim();
	if (typeof v === 'number') return String(v);
	return undefined;
}

/** A date a user gave: its text, the instant, its day, and whether it carries a time and a zone. */
export interface ParsedDate {
	/** the text as given (a Date or Luxon DateTime as its ISO text) */
	text: string;
	/** epoch milliseconds */
	ms: number;
	/** `YYYY-MM-DD` (as written when the text starts with one, else UTC) */
	day: string;
	/** the instant as an ISO 8601 UTC string */
	iso: string;
	/** the text has a time of day */
	hasTime: boolean;
	/** the text has a time zone (`Z` or `±hh:mm`) */
	hasZone: boolean;
}

function validDay(day: string): boolean {
	const [y, m, d] = day.split('-').map(Number);
	const t = new Date(Date.UTC(y, m - 1, d));
	return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * The one date parser: a parameter value (string, number, Date, Luxon DateTime) as a date.
 * Undefined when empty; null when it is given but is not a real date (`2024-02-30`,
 * `yesterday`), so a filter is never silently dropped.
 */
export function parseDate(v: unknown): ParsedDate | undefined | null {
	if (v === undefined || v === null || v === '') return undefined;
	let s: string | undefined;
	if (v instanceof Date) s = Number.isNaN(v.getTime()) ? undefined : v.toISOString();
	else if (typeof v === 'object' && typeof (v as { toISO?: unknown }).toISO === 'function') {
		const iso = (v as { toISO: () => unknown }).toISO();
		s = typeof iso === 'string' ? iso : undefined;
	} else if (typeof v === 'string' || typeof v === 'number') s = String(v).trim();
	if (s === '' && typeof v === 'string') return undefined;
	if (!s) return null;
	const m = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(s);
	let ms: number;
	let day: string;
	if (m) {
		if (!validDay(m[1])) return null;
		ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s.replace(' ', 'T'));
		day = m[1];
	} else {
		ms = Date.parse(s);
		day = Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 10);
	}
	if (!Number.isFinite(ms)) return null;
	return {
		text: s,
		ms,
		day,
		iso: new Date(ms).toISOString(),
		hasTime: /\d{2}:\d{2}/.test(s),
		hasZone: /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s),
	};
}

/**
 * The one Limit rule: with Return All, Infinity; otherwise the `limit` parameter, a number of 1
 * or more (a fraction is rounded down). 0, negatives and anything that is not a number are a
 * NodeOperationError before any request, never silently replaced.
 */
export function readLimit(
	ctx: IExecuteFunctions,
	itemIndex: number,
	noun: string,
	fallback = 50,
): number {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	if (returnAll) return Infinity;
	const raw: unknown = ctx.getNodeParameter('limit', itemIndex, fallback);
	const n =
		typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() ? Number(raw) : NaN;
	if (!(n >= 1)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Limit must be a number of 1 or more, not "${String(raw).slice(0, 50)}"`,
			{
				itemIndex,
				description: `Enter how many ${noun} to return at most, or turn on Return All.`,
			},
		);
	}
	return Math.floor(n);
}

/** The one email check (something@domain.tld, no spaces). */
export function isEmail(v: string): boolean {
	return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
}
