// Token renewal before expiry for credentials whose token comes from `preAuthentication`.
import type { IAdditionalCredentialOptions, ICredentialDataDecryptedObject } from 'n8n-workflow';
import { ExecutionMemo } from '../execution-memo';
import type { Ctx } from './types';

/** renew a token this long before it expires */
const RENEW_BEFORE_EXPIRY_MS = 10_000;

/**
 * Credential types whose token comes from `preAuthentication` with an expirable hidden field,
 * and the hidden field holding the token's expiry. When the expiry is near, the request is made
 * with the expirable field blanked so n8n runs `preAuthentication` first (see renewIfExpiring).
 */
export const EXPIRING_CREDENTIALS: Record<string, { tokenField: string; expiresAtField: string }> =
	{
		oneUpHealthApi: { tokenField: 'accessToken', expiresAtField: 'expiresAt' },
		smartBackendServicesApi: { tokenField: 'accessToken', expiresAtField: 'expiresAt' },
	};

/**
 * The stored expiry of each credential, per execution context (nothing outlives the execution or
 * is shared between executions): while it is outside the renewal window the credential is not
 * read again; within it (or after a renewal) it is read on every request, as before.
 */
const expiries = new ExecutionMemo<number>();

/** true when a token expiring at `expiresAt` (ms) is to be renewed now */
export function isExpiring(expiresAt: number): boolean {
	return expiresAt - Date.now() <= RENEW_BEFORE_EXPIRY_MS;
}

/** A stored expiry (ms, s or a date string) in ms; undefined when there is none. */
export function expiresAtMs(v: unknown): number | undefined {
	if (v === undefined || v === null || v === '') return undefined;
	const n =
		typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(String(v)) ? Number(v) : Date.parse(String(v));
	if (!Number.isFinite(n)) return undefined;
	return n > 1e12 ? n : n > 1e9 ? n * 1000 : undefined;
}

/**
 * Before-expiry renewal for credentials whose token is made by `preAuthentication`
 * (1upHealth, SMART Backend Services). n8n only runs `preAuthentication` when the expirable
 * field is empty or after a 401; when the stored expiry is within RENEW_BEFORE_EXPIRY_MS we
 * hand n8n a copy of the credential with that field blanked (`credentialsDecrypted`), so n8n
 * runs `preAuthentication`, saves the new token on the credential, and signs with it.
 */
export async function renewIfExpiring(
	this: Ctx,
	credentialType: string,
	/** renew whatever the expiry: the kept token (token-cache.ts) was refused with a 401 */
	now = false,
): Promise<IAdditionalCredentialOptions | undefined> {
	const spec = EXPIRING_CREDENTIALS[credentialType];
	if (!spec) return undefined;
	// the expiry read earlier in this execution, while it is still outside the renewal window
	const known = expiries.get(this, credentialType);
	if (!now && known !== undefined && known - Date.now() > RENEW_BEFORE_EXPIRY_MS) return undefined;
	expiries.delete(this, credentialType);
	let creds: ICredentialDataDecryptedObject;
	try {
		creds = await this.getCredentials(credentialType);
	} catch {
		return undefined; // let n8n report the missing credential on the real request
	}
	const expiresAt = expiresAtMs(creds[spec.expiresAtField]);
	const token = creds[spec.tokenField];
	if (token === '' || token === undefined) return undefined; // n8n runs preAuthentication anyway
	if (!now && expiresAt === undefined) return undefined;
	if (!now && expiresAt !== undefined && expiresAt - Date.now() > RENEW_BEFORE_EXPIRY_MS) {
		expiries.set(this, credentialType, expiresAt);
		return undefined;
	}
	// renewing now: the next request reads the credential (and the new expiry) again
	const node = this.getNode();
	const ref = node.credentials?.[credentialType];
	return {
		credentialsDecrypted: {
			id: ref?.id ?? '',
			name: ref?.name ?? credentialType,
			type: credentialType,
			data: { ...creds, [spec.tokenField]: '' },
		},
	};
}
