// Counting credential reads in the harness: the credential store as a Proxy that counts every read
// of one credential type (the harness's getCredentials reads `store[type]`, as n8n decrypts it),
// and a token revoked in the sandbox in the middle of a run.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { Sandbox } from '../../sandbox/server';

/** the credential store, counting every read of the credential type `type` */
export function countingStore(store: Record<string, ICredentialDataDecryptedObject>, type: string) {
	const reads = { n: 0 };
	const proxy = new Proxy(store, {
		get(target, prop, receiver) {
			if (prop === type) reads.n++;
			return Reflect.get(target, prop, receiver) as unknown;
		},
	});
	return { proxy, reads };
}

/**
 * Revokes the access token `token()` names when the sandbox checks a token of `surface` for the
 * `nth` time (before that check); returns the function that undoes the hook.
 */
export function revokeAt(
	sb: Sandbox,
	surface: string,
	nth: number,
	token: () => string,
): () => void {
	const check = sb.app.tokens.check.bind(sb.app.tokens);
	let n = 0;
	sb.app.tokens.check = (s, t) => {
		if (s === surface && ++n === nth) {
			const rec = sb.app.tokens.access.get(token());
			if (rec) rec.revoked = true;
		}
		return check(s, t);
	};
	return () => {
		sb.app.tokens.check = check;
	};
}
