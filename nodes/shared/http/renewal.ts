// Token renewal before expiry for credentials whose token comes from `preAuthentication`.
import type { IAdditionalCredentialOptions, ICredentialDataDecryptedObject } from 'n8n-workflow';
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

function toMs(v: unknown): number | undefined {
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
): Promise<IAdditionalCredentialOptions | undefined> {
	const spec = EXPIRING_CREDENTIALS[credentialType];
	if (!spec) return undefined;
	let creds: ICredentialDataDecryptedObject;
	try {
		creds = await this.getCredentials(credentialType);
	} catch {
		return undefined; // let n8n report the missing credential on the real request
	}
	const expiresAt = toMs(creds[spec.expiresAtField]);
	const token = creds[spec.tokenField];
	if (expiresAt === undefined || token === '' || token === undefined) return undefined;
	if (expiresAt - Date.now() > RENEW_BEFORE_EXPIRY_MS) return undefined;
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
