// Turns vendor error bodies into one readable sentence, and builds the NodeApiError a user sees.
// Never includes a token, a secret, a stack trace or an Authorization header.
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';
import { isRecord, str } from './values';

const MAX_VENDOR_TEXT = 500;

function clip(s: string): string {
	const t = s.replace(/\s+/g, ' ').trim();
	return t.length > MAX_VENDOR_TEXT ? `${t.slice(0, MAX_VENDOR_TEXT)}…` : t;
}

interface SecretForms {
	/** the secret as it is, URL-encoded and JSON-escaped, longest first */
	literal: string[];
	/** the secret's base64 encoding at each offset: the whole base64 run around one is removed */
	encoded: string[];
}

/**
 * The forms a secret value takes in text: as it is, URL-encoded (component, form and URI
 * encoding, lower-case hex, encoded twice), JSON-escaped (also `\/`), and base64 (standard and
 * URL-safe, also at any offset inside a longer encoded value such as `client_id:secret`).
 */
function secretForms(secrets: ReadonlyArray<string | undefined>): SecretForms {
	const literal = new Set<string>();
	const cores = new Set<string>();
	for (const s of secrets) {
		if (!s || s.length < 4) continue;
		literal.add(s);
		const component = encodeURIComponent(s);
		for (const u of [
			component,
			encodeURI(s),
			new URLSearchParams({ v: s }).toString().slice(2),
			encodeURIComponent(component),
		]) {
			literal.add(u);
			literal.add(u.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
		}
		const json = JSON.stringify(s).slice(1, -1);
		literal.add(json);
		literal.add(json.replace(/\//g, '\\/'));
		const bytes = Buffer.from(s, 'utf8');
		for (let offset = 0; offset < 3; offset++) {
			const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
			// the characters that only depend on the secret's own bytes
			const core = b64.slice(offset ? 4 : 0, Math.floor((offset + bytes.length) / 3) * 4);
			if (core.length < 8) continue;
			cores.add(core);
			cores.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
		}
	}
	return {
		literal: [...literal].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length),
		encoded: [...cores],
	};
}

/** between a token's name and its value: `=`, `:`, quotes, spaces, also URL-encoded or JSON-escaped */
const SEP = String.raw`(?:["'=:\s\\]|%22|%3[AD]|%20)+`;
const TOKEN_VALUE = String.raw`[A-Za-z0-9._~+/=%\\-]`;

/**
 * Removes the given secret values (those of 4 characters or more), in every form they take in
 * text (as they are, URL-encoded, JSON-escaped, base64), and anything that looks like a bearer
 * token, a Basic credential, an OAuth token or a client secret, also URL-encoded or JSON-escaped.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
	return redactForms(text, secretForms(secrets));
}

function redactForms(text: string, forms: SecretForms): string {
	// the patterns first: a whole `Basic <base64>` goes, not only the part a secret's form covers
	let out = text
		.replace(new RegExp(String.raw`(bearer(?:\s+|%20|\+))${TOKEN_VALUE}+`, 'gi'), '$1[redacted]')
		.replace(
			/(\bbasic(?:\s+|%20|\+))(?=[A-Za-z0-9+/_-]*[0-9+/_=-])[A-Za-z0-9+/_-]{8,}={0,2}/gi,
			'$1[redacted]',
		)
		.replace(
			new RegExp(String.raw`((?:access|refresh|id)_token${SEP})${TOKEN_VALUE}{8,}`, 'gi'),
			'$1[redacted]',
		)
		.replace(new RegExp(String.raw`(client_secret${SEP})[^\s&"',]+`, 'gi'), '$1[redacted]')
		.replace(/\b(at|rt)_[A-Za-z0-9_-]+_[A-Za-z0-9_-]{16,}/g, '[redacted]');
	for (const f of forms.literal) if (out.includes(f)) out = out.split(f).join('[redacted]');
	for (const core of forms.encoded) out = removeBase64Runs(out, core);
	return out;
}

const isBase64Char = (c: string | undefined) => c !== undefined && /[A-Za-z0-9+/_-]/.test(c);

/** Replaces every run of base64 characters that contains `core` (padding included) by [redacted], in linear time. */
function removeBase64Runs(text: string, core: string): string {
	let i = text.indexOf(core);
	if (i === -1) return text;
	let out = '';
	let from = 0;
	while (i !== -1) {
		let start = i;
		while (start > from && isBase64Char(text[start - 1])) start--;
		let end = i + core.length;
		while (isBase64Char(text[end])) end++;
		for (let pad = 0; pad < 2 && text[end] === '='; pad++) end++;
		out += `${text.slice(from, start)}[redacted]`;
		from = end;
		i = text.indexOf(core, end);
	}
	return out + text.slice(from);
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
		const parts = [v ? `validation errors: ${v}` : '', i ? `internal errors: ${i}` : ''].filter(
			Boolean,
		);
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
	return (
		t.startsWith('<!doctype html') ||
		t.startsWith('<html') ||
		/^<(head|body|title|h1|div|p)[\s>]/.test(t)
	);
}

/**
 * The readable text of an HTML page, short, for quoting it in an error: its title, then the text
 * of its body (without a repeat of the title), without scripts, styles and tags.
 */
export function htmlText(html: string, max = 200): string {
	const page = html.slice(0, 64 * 1024);
	const text = (s: string) =>
		s
			.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
			.replace(/<[^>]*>/g, ' ')
			.replace(/&nbsp;/gi, ' ')
			.replace(/&lt;/gi, '<')
			.replace(/&gt;/gi, '>')
			.replace(/&quot;/gi, '"')
			.replace(/&#39;/g, "'")
			.replace(/&amp;/gi, '&')
			.replace(/\s+/g, ' ')
			.trim();
	const title = text(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(page)?.[1] ?? '');
	let body = text(
		page.replace(/<head\b[\s\S]*?<\/head>/i, ' ').replace(/<title[^>]*>[\s\S]*?<\/title>/gi, ' '),
	);
	if (title && body.startsWith(title)) body = body.slice(title.length).trim();
	const all = [title, body].filter(Boolean).join(' — ');
	return all.length > max ? `${all.slice(0, max).trimEnd()}…` : all;
}

const STATUS_HINT: Record<number, string> = {
	400: 'Check the parameters of this node.',
	401: 'The access was refused: reconnect the credential (its token may have expired or been revoked).',
	403: "The credential is not allowed to do this: check its scopes and the account's permissions.",
	404: 'Check the ID and the base URL in the credential.',
	405: 'Check the base URL in the credential.',
	409: 'The resource changed meanwhile: reload it and try again.',
	410: 'The resource is gone: check the ID.',
	422: 'The server refused the values sent: check the parameters of this node.',
	429: 'The vendor is rate-limiting this app: wait and run the workflow again, or lower how often it runs.',
	500: 'The vendor failed to process the request: try again later.',
	502: "The vendor's gateway failed: try again later.",
	503: 'The vendor is unavailable: try again later.',
	504: 'The vendor timed out: try again later.',
};

export function statusHint(status: number): string {
	return (
		STATUS_HINT[status] ??
		(status >= 500
			? 'The vendor failed: try again later.'
			: 'Check the parameters and the credential.')
	);
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
		{
			message,
			httpCode: f.status ? String(f.status) : '',
			vendorMessage: vendor ?? '',
		} as unknown as JsonObject,
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
		else if (
			typeof v === 'string' &&
			v.trim().length >= 6 &&
			SECRET_FIELD.test(k) &&
			!NOT_SECRET_FIELD.test(k)
		)
			out.push(v.trim());
	}
	// longest first, so a secret that contains another is removed whole
	return [...new Set(out)].sort((a, b) => b.length - a.length);
}

function scrubValue(v: unknown, secrets: SecretForms, seen: Set<unknown>, depth: number): unknown {
	if (typeof v === 'string') return redactForms(v, secrets);
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
	const forms = secretForms(secrets);
	for (const key of ['message', 'description', 'messages', 'cause', 'context', 'stack']) {
		if (e[key] === undefined || e[key] === null) continue;
		try {
			e[key] = scrubValue(e[key], forms, seen, 0);
		} catch {
			/* read-only property: leave it */
		}
	}
	return error;
}
