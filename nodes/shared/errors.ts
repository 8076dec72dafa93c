// Turns vendor error bodies into one readable sentence, and builds the NodeApiError a user sees.
// Never includes a token, a secret, a stack trace or an Authorization header.
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';
import { isRecord, str } from './values';

const MAX_VENDOR_TEXT = 500;

function clip(s: string): string {
	const t = s.replace(/\s+/g, ' ').trim();
	return t.length > MAX_VENDOR_TEXT ? `${t.slice(0, MAX_VENDOR_TEXT)}…` : t;
}

/**
 * Removes the given secret values (those of 4 characters or more) and anything that looks like a
 * bearer token, an OAuth token or a client secret from a text.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
	let out = text;
	for (const s of secrets) if (s && s.length >= 4 && out.includes(s)) out = out.split(s).join('[redacted]');
	return out
		.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
		.replace(/((?:access|refresh|id)_token["'=:\s]+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]')
		.replace(/(client_secret["'=:\s]+)[^\s&"',]+/gi, '$1[redacted]')
		.replace(/\b(at|rt)_[A-Za-z0-9_-]+_[A-Za-z0-9_-]{16,}/g, '[redacted]');
}

function listText(v: unknown): string | undefined {
	if (v === undefined || v === null) return undefined;
	if (typeof v === 'string') return str(v);
	if (Array.isArray(v)) {
		const parts = v.map((x) => listText(x)).filter((x): x is string => !!x);
		return parts.length ? parts.join('; ') : undefined;
	}
	if (isRecord(v)) {
		const parts = Object.entries(v)
			.map(([k, x]) => {
				const t = listText(x);
				return t ? (/^\d+$/.test(k) ? t : `${k}: ${t}`) : undefined;
			})
			.filter((x): x is string => !!x);
		return parts.length ? parts.join('; ') : undefined;
	}
	return String(v);
}

/**
 * The vendor's own message from an error body, in any of the shapes we meet:
 * FHIR OperationOutcome, OAuth `{error, error_description}`, OpenEMR/eMedicalPractice
 * `{validationErrors, internalErrors}`, drchrono/DRF `{detail}`, `{message}`, `{errors}`.
 */
export function vendorMessage(body: unknown): string | undefined {
	if (typeof body === 'string') {
		const t = body.trim();
		if (!t) return undefined;
		if (t.startsWith('{') || t.startsWith('[')) {
			try {
				return vendorMessage(JSON.parse(t));
			} catch {
				/* fall through */
			}
		}
		if (looksLikeHtml(t)) return undefined;
		return clip(redact(t));
	}
	if (!isRecord(body)) return undefined;
	if (body.resourceType === 'OperationOutcome' && Array.isArray(body.issue)) {
		const issues = (body.issue as unknown[]).filter(isRecord).map((i) => {
			const details = isRecord(i.details) ? str(i.details.text) : undefined;
			const text = str(i.diagnostics) ?? details ?? '';
			const head = [str(i.severity), str(i.code)].filter(Boolean).join('/');
			return text ? (head ? `${head}: ${text}` : text) : head;
		});
		const joined = issues.filter(Boolean).join('; ');
		return joined ? clip(redact(joined)) : undefined;
	}
	if ('validationErrors' in body || 'internalErrors' in body) {
		const v = listText(body.validationErrors);
		const i = listText(body.internalErrors);
		const parts = [v ? `validation errors: ${v}` : '', i ? `internal errors: ${i}` : ''].filter(Boolean);
		if (parts.length) return clip(redact(parts.join('; ')));
	}
	const error = body.error;
	if (isRecord(error)) {
		const nested = vendorMessage(error) ?? str(error.message);
		if (nested) return nested;
	}
	const code = str(error);
	const desc = str(body.error_description);
	if (code && desc) return clip(redact(`${code}: ${desc}`));
	if (desc) return clip(redact(desc));
	for (const key of ['detail', 'message', 'error_message', 'title']) {
		const t = str(body[key]);
		if (t) return clip(redact(t));
	}
	if (code) return clip(redact(code));
	const errs = listText(body.errors);
	if (errs) return clip(redact(errs));
	return undefined;
}

export function looksLikeHtml(text: string): boolean {
	const t = text.trimStart().slice(0, 200).toLowerCase();
	return t.startsWith('<!doctype html') || t.startsWith('<html') || /^<(head|body|title|h1|div|p)[\s>]/.test(t);
}

const STATUS_HINT: Record<number, string> = {
	400: 'Check the parameters of this node.',
	401: 'The access was refused: reconnect the credential (its token may have expired or been revoked).',
	403: 'The credential is not allowed to do this: check its scopes and the account\'s permissions.',
	404: 'Check the ID and the base URL in the credential.',
	405: 'Check the base URL in the credential.',
	409: 'The resource changed meanwhile: reload it and try again.',
	410: 'The resource is gone: check the ID.',
	422: 'The server refused the values sent: check the parameters of this node.',
	429: 'The vendor is rate-limiting this app: wait and run the workflow again, or lower how often it runs.',
	500: 'The vendor failed to process the request: try again later.',
	502: 'The vendor\'s gateway failed: try again later.',
	503: 'The vendor is unavailable: try again later.',
	504: 'The vendor timed out: try again later.',
};

export function statusHint(status: number): string {
	return STATUS_HINT[status] ?? (status >= 500 ? 'The vendor failed: try again later.' : 'Check the parameters and the credential.');
}

export interface HttpFailure {
	/** what was being done, e.g. "GET Patient/123" or "List Immunizations" */
	what: string;
	status?: number;
	body?: unknown;
	/** the main sentence; built from status and body when absent */
	message?: string;
	/** what to do next; defaults to a hint for the status */
	hint?: string;
	itemIndex?: number;
}

/** A NodeApiError with a readable message: what failed, the status, the vendor's words, what next. */
export function apiError(node: INode, f: HttpFailure): NodeApiError {
	const vendor = f.body === undefined ? undefined : vendorMessage(f.body);
	let message = f.message;
	if (!message) {
		message = `${f.what} failed${f.status ? ` (HTTP ${f.status})` : ''}`;
		if (vendor) message += `: ${vendor}`;
	}
	const description = f.hint ?? (f.status ? statusHint(f.status) : undefined);
	const err = new NodeApiError(
		node,
		{ message, httpCode: f.status ? String(f.status) : '', vendorMessage: vendor ?? '' } as unknown as JsonObject,
		{
			message,
			description,
			httpCode: f.status ? String(f.status) : undefined,
			itemIndex: f.itemIndex,
		},
	);
	// NodeApiError may replace the message with a generic one for known status codes; keep ours.
	err.message = message;
	if (description) err.description = description;
	return err;
}

const SECRET_FIELD = /token|secret|password|private.?key|assertion|verifier|api.?key/i;
const NOT_SECRET_FIELD = /url|host|type|expires|endpoint|scope/i;

/** The secret values of a credential (tokens, client secret, private key, …), nested ones included. */
export function credentialSecrets(data: unknown, depth = 0): string[] {
	if (!isRecord(data) || depth > 3) return [];
	const out: string[] = [];
	for (const [k, v] of Object.entries(data)) {
		if (isRecord(v)) out.push(...credentialSecrets(v, depth + 1));
		else if (typeof v === 'string' && v.trim().length >= 6 && SECRET_FIELD.test(k) && !NOT_SECRET_FIELD.test(k)) out.push(v.trim());
	}
	// longest first, so a secret that contains another is removed whole
	return [...new Set(out)].sort((a, b) => b.length - a.length);
}

function scrubValue(v: unknown, secrets: string[], seen: Set<unknown>, depth: number): unknown {
	if (typeof v === 'string') return redact(v, secrets);
	if (!v || typeof v !== 'object' || seen.has(v) || depth > 5) return v;
	seen.add(v);
	if (Array.isArray(v)) {
		for (let i = 0; i < v.length; i++) v[i] = scrubValue(v[i], secrets, seen, depth + 1);
		return v;
	}
	for (const [k, x] of Object.entries(v)) {
		try {
			(v as Record<string, unknown>)[k] = scrubValue(x, secrets, seen, depth + 1);
		} catch {
			/* read-only property: leave it */
		}
	}
	return v;
}

/**
 * Scrubs an error in place before a user sees it: message, description, messages and what n8n
 * shows of `cause` and `context` lose every secret value of the credential and every token.
 */
export function scrubError<E>(error: E, secrets: string[]): E {
	const e = error as unknown as Record<string, unknown>;
	if (!e || typeof e !== 'object') return error;
	const seen = new Set<unknown>([e]);
	for (const key of ['message', 'description', 'messages', 'cause', 'context', 'stack']) {
		if (e[key] === undefined || e[key] === null) continue;
		try {
			e[key] = scrubValue(e[key], secrets, seen, 0);
		} catch {
			/* read-only property: leave it */
		}
	}
	return error;
}
