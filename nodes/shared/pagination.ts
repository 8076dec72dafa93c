// One async iterator for every list shape a vendor may answer with:
//   - drchrono/onpatient `{ results: [...], next: url | null }` (also `count`, `previous`)
//   - FHIR Bundle `{ resourceType: 'Bundle', entry: [{resource}], link: [{relation: 'next', url}] }`
//   - eMedicalPractice standard API `{ data: [...] }` and a bare JSON array (single page)
// A `next` link is resolved against the page's URL, never followed to another origin with the
// token, never followed twice, and a page limit stops a runaway server.
import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';
import { apiRequest, type ApiRequest } from './http';
import { apiError, vendorMessage } from './errors';
import { isRecord } from './values';

export interface Page<T = unknown> {
	/** URL of this page */
	url: string;
	status: number;
	/** the page as the server sent it */
	body: unknown;
	/** the resources on this page (Bundle entry resources, or `results`) */
	entries: T[];
	/** absolute URL of the next page, if any */
	next?: string;
	/** total count when the server says it (`Bundle.total`, `count`) */
	total?: number;
	/** 1-based page number */
	pageNumber: number;
}

export interface PaginateOptions {
	/** pages at most (default 1000); more is an error, not a silent cut */
	maxPages?: number;
	/**
	 * a `next` link on another origin: 'error' (default) stops with an error; 'tokenless'
	 * follows it without the access token (only for public data)
	 */
	foreignNext?: 'error' | 'tokenless';
	/** what the user asked for, for error messages (e.g. "List Immunizations") */
	what?: string;
	itemIndex?: number;
}

type Ctx = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/** The resources and the next link of one page, whatever its shape. */
export function readPage(body: unknown): { entries: unknown[]; next?: string; total?: number } {
	if (Array.isArray(body)) return { entries: body };
	if (!isRecord(body)) return { entries: [] };
	if (body.resourceType === 'Bundle') {
		const entries = (Array.isArray(body.entry) ? body.entry : [])
			.filter(isRecord)
			.filter(
				(e) =>
					!(isRecord(e.search) && (e.search.mode === 'include' || e.search.mode === 'outcome')),
			)
			.map((e) => e.resource)
			.filter((r) => r !== undefined && r !== null);
		const links = Array.isArray(body.link) ? body.link.filter(isRecord) : [];
		const nextLink = links.find((l) => String(l.relation ?? '').toLowerCase() === 'next');
		const next = typeof nextLink?.url === 'string' && nextLink.url ? nextLink.url : undefined;
		return { entries, next, total: typeof body.total === 'number' ? body.total : undefined };
	}
	if (Array.isArray(body.results)) {
		const next = typeof body.next === 'string' && body.next ? body.next : undefined;
		return {
			entries: body.results,
			next,
			total: typeof body.count === 'number' ? body.count : undefined,
		};
	}
	if (Array.isArray(body.data)) {
		const next = typeof body.next === 'string' && body.next ? body.next : undefined;
		return { entries: body.data, next };
	}
	if (Array.isArray(body.entry)) return readPage({ ...body, resourceType: 'Bundle' });
	return { entries: [] };
}

/**
 * True when a body has one of the list shapes readPage reads (a Bundle, even without `entry`,
 * `{results}`, `{data}`, `{entry}` or an array). Anything else — an empty body, `null`, an
 * OperationOutcome sent with status 200, another resource — is not an empty list.
 */
export function isListBody(body: unknown): boolean {
	if (Array.isArray(body)) return true;
	if (!isRecord(body)) return false;
	return (
		body.resourceType === 'Bundle' ||
		Array.isArray(body.results) ||
		Array.isArray(body.data) ||
		Array.isArray(body.entry)
	);
}

/** The resource ids of a page in order, when every entry has one (else undefined). */
function pageFingerprint(entries: unknown[]): string | undefined {
	if (!entries.length) return undefined;
	const keys: string[] = [];
	for (const e of entries) {
		if (!isRecord(e) || (typeof e.id !== 'string' && typeof e.id !== 'number')) return undefined;
		// the version too: a history lists one resource many times, one version each
		const meta = isRecord(e.meta) ? e.meta : undefined;
		const version =
			meta && (typeof meta.versionId === 'string' || typeof meta.versionId === 'number')
				? `/_history/${String(meta.versionId)}`
				: '';
		keys.push(
			`${typeof e.resourceType === 'string' ? e.resourceType : ''}/${String(e.id)}${version}`,
		);
	}
	return keys.join('\n');
}

function normalize(url: string): string {
	const u = new URL(url);
	u.hash = '';
	return u.toString();
}

/** Iterates the pages of a list, starting with `first`. Stop early by breaking out of the loop. */
export async function* paginate<T = unknown>(
	ctx: Ctx,
	credentialType: string,
	first: ApiRequest,
	options: PaginateOptions = {},
): AsyncGenerator<Page<T>, void, undefined> {
	const maxPages = options.maxPages ?? 1000;
	const node = ctx.getNode();
	const what = options.what ?? first.what;
	let req: ApiRequest = { ...first, what };
	const firstOrigin = new URL(first.url).origin;
	const seen = new Set<string>();
	const seenPages = new Set<string>();
	let pageNumber = 0;
	for (;;) {
		pageNumber++;
		const res = await apiRequest.call(ctx, credentialType, req);
		if (!isListBody(res.body)) {
			const label = what ?? 'Reading the list';
			const outcome = isRecord(res.body) && res.body.resourceType === 'OperationOutcome';
			const vendor = outcome ? vendorMessage(res.body) : undefined;
			throw apiError(node, {
				what: label,
				status: res.status,
				message: outcome
					? `${label} failed: the server answered with an OperationOutcome instead of a list (status ${res.status})${vendor ? `: ${vendor}` : ''}`
					: `${label} failed: the server's answer (status ${res.status}) is not a list (no Bundle, "results" or "data")`,
				hint: 'Check the base URL in the credential; if it is right, the server sent an unexpected answer: try again later.',
				itemIndex: options.itemIndex ?? req.itemIndex,
			});
		}
		const { entries, next, total } = readPage(res.body);
		// a server that ignores the paging parameter sends the first page again under a new next
		// link each time: the same items would be returned again and again
		const fingerprint = pageFingerprint(entries);
		if (fingerprint !== undefined) {
			if (seenPages.has(fingerprint)) {
				const label = what ?? 'Reading the list';
				throw apiError(node, {
					what: label,
					message: `${label} failed: the server sent the same items again on page ${pageNumber} (it does not move on to the next page); stopped to avoid an endless loop`,
					hint: 'This is a fault on the vendor side; the items read so far are not returned. Try again later or contact the vendor.',
					itemIndex: options.itemIndex,
				});
			}
			seenPages.add(fingerprint);
		}
		// remember the URL as asked (with its query) and as answered (after redirects)
		seen.add(normalize(req.qs ? res.url : req.url));
		seen.add(normalize(res.url));
		const nextUrl = next ? new URL(next, res.url).toString() : undefined;
		yield {
			url: res.url,
			status: res.status,
			body: res.body,
			entries: entries as T[],
			next: nextUrl,
			total,
			pageNumber,
		};
		if (!nextUrl) return;
		const label = what ?? 'Reading the list';
		if (seen.has(normalize(nextUrl))) {
			throw apiError(node, {
				what: label,
				message: `${label} failed: the server sent a next-page link that was already read (page ${pageNumber + 1} would repeat an earlier page); stopped to avoid an endless loop`,
				hint: 'This is a fault on the vendor side; the items read so far are not returned. Try again later or contact the vendor.',
				itemIndex: options.itemIndex,
			});
		}
		if (pageNumber >= maxPages) {
			throw apiError(node, {
				what: label,
				message: `${label} failed: stopped after ${maxPages} pages, the server kept sending next-page links`,
				hint: 'Use a Limit, or narrow the request with filters.',
				itemIndex: options.itemIndex,
			});
		}
		const nextParsed = new URL(nextUrl);
		if (nextParsed.username || nextParsed.password) {
			throw apiError(node, {
				what: label,
				message: `${label} failed: the next-page link has a user name and password in it (user:password@${nextParsed.host}); it was not followed, so the access token was not swapped for credentials the server chose`,
				hint: 'This is a fault (or an attack) on the vendor side; the items read so far are not returned. Contact the vendor.',
				itemIndex: options.itemIndex,
			});
		}
		const nextOrigin = nextParsed.origin;
		let withAuth = req.withAuth ?? true;
		if (nextOrigin !== firstOrigin) {
			if ((options.foreignNext ?? 'error') === 'error') {
				throw apiError(node, {
					what: label,
					message: `${label} failed: the next-page link points to another server (${nextOrigin}); it was not followed, so the access token was not sent there`,
					hint: 'Check the base URL in the credential; if the vendor moved, update it. Contact the vendor if this persists.',
					itemIndex: options.itemIndex,
				});
			}
			withAuth = false;
		}
		req = {
			method: 'GET',
			url: nextUrl,
			headers: first.headers,
			what,
			itemIndex: options.itemIndex ?? first.itemIndex,
			withAuth,
			timeoutMs: first.timeoutMs,
			retry: first.retry,
			maxResponseBytes: first.maxResponseBytes,
			deadlineMs: first.deadlineMs,
			limitOptions: first.limitOptions,
		};
	}
}
