// The shapes of a request and its answer (contract: docs/DEVELOPING.md → "Shared node code
// contract"), and the internal shapes the transport passes between its parts.
import type {
	IAdditionalCredentialOptions,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

/** The part of a Node.js Readable the transport uses (a stream body). */
export interface Readable extends AsyncIterable<unknown> {
	resume?(): unknown;
	destroy?(error?: Error): unknown;
	once?(event: 'close', listener: () => void): unknown;
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
	/**
	 * follow 301/302/303/307/308 (default true); the token only to the same origin, a write's body
	 * never to another one (rules in redirects.ts)
	 */
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
	/** the largest body read (decompressed bytes; not for `stream`), default 64 MB */
	maxResponseBytes?: number;
	/**
	 * the whole request, answer included, ends within this many ms (redirects and retries too);
	 * default 120 000 unless `stream`, where the stream is destroyed when it runs out
	 */
	deadlineMs?: number;
	/** the node options that raise the bounds, named in the errors (e.g. 'Max Response Size (MB)') */
	limitOptions?: { size?: string; time?: string };
}

export interface ApiResponse<T = unknown> {
	status: number;
	headers: Record<string, string>;
	body: T;
	/** the URL that finally answered (after redirects) */
	url: string;
}

/** every context a node calls the transport from: action nodes, dropdowns, polling triggers,
 * webhook triggers (their hooks and webhook()) */
export type Ctx =
	IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions | IWebhookFunctions;

export interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: unknown;
}

export interface NetworkFailure {
	code: string;
	message: string;
}
