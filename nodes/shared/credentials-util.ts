// Helpers shared by the credential types: URL checks that name the field, form-encoded token
// requests through n8n's `httpRequest`, and error messages that carry the vendor's own words
// but never a token or secret.
import type { IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';
import { CredentialFieldError } from './jwt';
import { credentialSecrets, redact as redactTokens, scrubError } from './errors';

export { CredentialFieldError };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for loopback hosts, where plain http is allowed (local sandboxes, tunnels). */
export function isLoopbackUrl(url: string): boolean {
	try {
		return LOOPBACK.has(new URL(url).hostname);
	} catch {
		return false;
	}
}

/**
 * Checks a base URL field: present, absolute, https (or http on loopback), no query/fragment.
 * Returns it without trailing slashes.
 */
export function checkBaseUrl(value: unknown, field: string, opts: { required?: boolean } = {}): string {
	const raw = typeof value === 'string' ? value.trim() : '';
	if (!raw) {
		if (opts.required === false) return '';
		throw new CredentialFieldError(field, `${field} is empty. Enter the full https:// URL.`);
	}
	let u: URL | undefined;
	try {
		u = new URL(raw);
	} catch {
		u = undefined;
	}
	if (!u) throw new CredentialFieldError(field, `${field} "${raw}" is not a valid URL. Enter the full https:// URL.`);
	if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
		throw new CredentialFieldError(
			field,
			`${field} must use https:// (plain http is only allowed for 127.0.0.1, localhost or [::1]); got "${u.protocol}//${u.host}".`,
		);
	}
	if (u.username || u.password) throw new CredentialFieldError(field, `${field} must not contain a user name or password.`);
	if (u.search || u.hash) throw new CredentialFieldError(field, `${field} must not contain a query string or fragment.`);
	return raw.replace(/\/+$/, '');
}

/** Which URL fields each credential type has, and which are required (for checkCredentialUrls). */
export const CREDENTIAL_URL_FIELDS: Record<string, Array<{ name: string; label: string; required: boolean }>> = {
	onpatientOAuth2Api: [
		{ name: 'authHost', label: 'Auth Host', required: true },
		{ name: 'apiHost', label: 'API Host', required: true },
	],
	oneUpHealthApi: [
		{ name: 'authHost', label: 'Auth Host', required: true },
		{ name: 'apiHost', label: 'API Host', required: true },
	],
	myPatientPortalOAuth2Api: [{ name: 'portalUrl', label: 'Portal URL', required: true }],
	eMedicalPracticeOAuth2Api: [{ name: 'serverUrl', label: 'Server URL', required: true }],
	smartBackendServicesApi: [
		{ name: 'fhirBaseUrl', label: 'FHIR Base URL', required: true },
		{ name: 'tokenUrl', label: 'Token URL', required: false },
	],
	smartOnFhirOAuth2Api: [{ name: 'fhirBaseUrl', label: 'FHIR Base URL', required: true }],
};

/**
 * Validates every URL field of a credential before any request (the transport calls this);
 * throws CredentialFieldError naming the field.
 */
export function checkCredentialUrls(credentialType: string, credentials: IDataObject): void {
	for (const f of CREDENTIAL_URL_FIELDS[credentialType] ?? []) checkBaseUrl(credentials[f.name], f.label, { required: f.required });
}

export interface FormResponse {
	status: number;
	body: IDataObject;
}

/** POSTs an x-www-form-urlencoded body; never throws on an HTTP status, only on network errors. */
export async function postForm(
	helper: IHttpRequestHelper,
	url: string,
	form: Record<string, string>,
	headers: Record<string, string> = {},
): Promise<FormResponse> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		body: form,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: true,
	};
	let res: { statusCode?: number; body?: unknown } | undefined;
	let failure: { code?: string } | undefined;
	try {
		res = (await helper.helpers.httpRequest(options)) as { statusCode?: number; body?: unknown };
	} catch (e) {
		failure = e as { code?: string };
	}
	if (!res) {
		throw new Error(`Could not reach ${safeUrl(url)}: ${failure?.code ?? 'network error'}. Check the URL and that the server is reachable.`);
	}
	let body: unknown = res.body;
	if (Buffer.isBuffer(body)) body = (body as Buffer).toString('utf8');
	if (typeof body === 'string') {
		const raw: string = body;
		try {
			body = JSON.parse(raw);
		} catch {
			body = { raw: raw.slice(0, 200) };
		}
	}
	return { status: Number(res.statusCode ?? 0), body: (body && typeof body === 'object' ? body : {}) as IDataObject };
}

/** URL without query string (which may carry secrets in some vendor examples). */
export function safeUrl(url: string): string {
	try {
		const u = new URL(url);
		return `${u.origin}${u.pathname}`;
	} catch {
		return '(invalid URL)';
	}
}

const SECRET_KEYS = /token|secret|code|assertion|password|verifier/i;

/** The vendor's own message from an OAuth or 1upHealth error body, with no secret values in it. */
export function vendorMessage(body: IDataObject): string {
	const parts: string[] = [];
	const pick = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
	const error = pick('error');
	const desc = pick('error_description') ?? pick('message') ?? pick('detail');
	if (error) parts.push(error);
	if (desc && desc !== error) parts.push(desc);
	if (!parts.length && typeof body.raw === 'string') parts.push(body.raw.replace(/\s+/g, ' ').slice(0, 120));
	return redactTokens(parts.join(': ')) || 'no error message';
}

/**
 * Runs a credential's token request; an error it throws (with the vendor's words in it) loses
 * every secret value of the credential — client secret, tokens, private key — before n8n shows
 * it (the node's error, or the credential test in the editor).
 */
export async function withoutSecrets<T>(credentials: IDataObject, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		throw scrubError(error, credentialSecrets(credentials));
	}
}

/** Removes values that look like credentials from a string (defence in depth for messages). */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let out = text;
	for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
	return out;
}

export function isSecretKey(key: string): boolean {
	return SECRET_KEYS.test(key);
}
