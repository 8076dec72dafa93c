// What a failed token request means, in the words of its OAuth error code (RFC 6749 §5.2), and
// how a credential's failure is told apart from a request the server answered: a credential
// whose preAuthentication fails marks its error, n8n keeps it as the cause of the NodeApiError
// it throws, and the transport and the bulk kick-off read the mark instead of guessing.
import type { IDataObject, INode, NodeApiError } from 'n8n-workflow';
import { apiError } from './errors';
import { sanitizeMessage } from './http/body';

/** SMART Backend Services scope presets; `custom` is the Scope field as typed. */
export const BACKEND_SCOPE_PRESETS: Record<string, { label: string; scope: string }> = {
	bulkExport: {
		label: 'eMedicalPractice style',
		scope: 'system/*.$export system/*.$bulkdata-status system/Binary.read',
	},
	v1Read: { label: 'SMART v1', scope: 'system/*.read' },
	v2Read: { label: 'SMART v2', scope: 'system/*.rs' },
};

/** The scope a SMART Backend Services credential asks for: its preset, or the Scope field. */
export function backendScope(credentials: IDataObject): string {
	const preset =
		BACKEND_SCOPE_PRESETS[
			typeof credentials.scopePreset === 'string' ? credentials.scopePreset : ''
		];
	if (preset) return preset.scope;
	return typeof credentials.scope === 'string' ? credentials.scope.trim() : '';
}

/** "Scope Preset …" suggestions other than the scope that was refused. */
export function otherScopePresets(refused: string): string {
	const others = Object.values(BACKEND_SCOPE_PRESETS).filter((p) => p.scope !== refused.trim());
	return others.map((p) => `${p.label} (${p.scope})`).join(', or ');
}

export type TokenClientKind = 'backend' | 'user';

/**
 * What to do after a token endpoint refused a request, by its OAuth error code; `scope` is the
 * scope that was asked for (Backend Services), `status` the HTTP status when there is no code.
 */
export function tokenHint(
	kind: TokenClientKind,
	code: string | undefined,
	status?: number,
	scope = '',
): string {
	if (kind === 'backend') {
		switch (code) {
			case 'invalid_client':
				return 'Check Client ID, Key ID (kid) and Algorithm, and that the JWKS registered at the server holds the public key of this Private Key (FHIR Bulk Export → Get Public JWKS shows it).';
			case 'invalid_scope':
				return `Check Scope: the server grants only the system/ scopes your app is registered for. Try another Scope Preset: ${otherScopePresets(scope)}.`;
			case 'invalid_grant':
				return "The server refused the signed assertion: check the clock of the n8n machine (the assertion's exp and iat come from it) and that the app's registration at the server is still active.";
			case 'unauthorized_client':
				return "The server does not let this client use SMART Backend Services (client_credentials): check the app's registration at the server; it may have expired or been disabled.";
			case 'unsupported_grant_type':
				return 'The Token URL does not accept client_credentials: check that it is the token endpoint of a server with SMART Backend Services.';
			case 'invalid_request':
				return 'The server found the token request malformed (see its words above): check the Token URL and the Algorithm the server accepts.';
			default:
				break;
		}
		if (status === 401) return tokenHint(kind, 'invalid_client');
	} else {
		switch (code) {
			case 'invalid_client':
				return 'The server refused the client: check Client ID and Client Secret in the credential (and whether the secret goes in the HTTP Basic header or the form body); reconnecting does not help until they are right.';
			case 'invalid_scope':
				return "The server refused the scopes: check the credential's scopes, then reconnect it.";
			case 'unauthorized_client':
				return "The server does not let this client renew tokens: check the app's registration at the server, then reconnect the credential.";
			default:
				return 'Open the credential and reconnect it (sign in again), then run the workflow again.';
		}
	}
	if (status !== undefined && status >= 500) return 'The token endpoint failed: try again later.';
	return "Check the Token URL: it must be the server's token endpoint (token_endpoint of its smart-configuration).";
}

/**
 * A token endpoint's refusal: `reason` says what the server answered, `hint` what to do. The HTTP
 * status is `tokenStatus`, not `status`: n8n reads a `status` of 401/403 on an error and replaces
 * its message with "Authorization failed - please check your credentials".
 */
export class TokenRequestError extends Error {
	constructor(
		readonly reason: string,
		readonly hint: string,
		readonly tokenStatus?: number,
		readonly oauthError?: string,
	) {
		super(`${reason} ${hint}`);
		this.name = 'TokenRequestError';
	}
}

const MARK = Symbol.for('n8n-nodes-ehr.credentialFailure');

export interface CredentialFailure {
	/** what happened, without the hint */
	reason: string;
	hint?: string;
	/** the credential field at fault, for errors found before any request */
	field?: string;
}

/** Marks an error as a credential's own failure (thrown by preAuthentication). */
export function markCredentialFailure<E>(error: E, failure?: CredentialFailure): E {
	if (!error || typeof error !== 'object') return error;
	const e = error as Record<string, unknown> & { [MARK]?: CredentialFailure };
	if (!failure) {
		const field = typeof e.field === 'string' ? e.field : undefined;
		const message = typeof e.message === 'string' ? e.message : String(error);
		failure = {
			reason: typeof e.reason === 'string' ? e.reason : message,
			hint: typeof e.hint === 'string' ? e.hint : undefined,
			field,
		};
	}
	try {
		Object.defineProperty(e, MARK, { value: failure, enumerable: false, configurable: true });
	} catch {
		/* a frozen error: left unmarked */
	}
	return error;
}

/** The credential failure behind an error (itself or any of its causes), if there is one. */
export function credentialFailureOf(error: unknown): CredentialFailure | undefined {
	const seen = new Set<unknown>();
	let e = error as (Record<string, unknown> & { [MARK]?: CredentialFailure }) | undefined;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		if (e[MARK]) return e[MARK];
		e = e.cause as typeof e;
	}
	return undefined;
}

/**
 * The node's error for a request whose credential could not get a token: what the credential
 * said, and what to fix. It carries the mark too, so the bulk kick-off knows no export started.
 */
export function credentialError(
	node: INode,
	what: string,
	failure: CredentialFailure,
	itemIndex?: number,
): NodeApiError {
	// long URLs in the credential's words are shortened (origin/…/last segment), the reason kept whole
	const message = `${what} failed: the credential could not get an access token: ${sanitizeMessage(failure.reason)}`;
	const hint =
		failure.hint ??
		(failure.field
			? `Fix ${failure.field} in the credential, then run the workflow again.`
			: 'Fix what the message names in the credential, then run the workflow again.');
	return markCredentialFailure(apiError(node, { what, message, hint, itemIndex }), failure);
}
