// Runs a function that must throw a CredentialFieldError and returns it (any other outcome fails).
import { CredentialFieldError } from '../../nodes/shared/credentials-util';

export function fieldError(fn: () => unknown): CredentialFieldError {
	try {
		fn();
	} catch (e) {
		if (e instanceof CredentialFieldError) return e;
		throw new Error(`expected CredentialFieldError, got ${(e as Error).message}`);
	}
	throw new Error('expected an error');
}
