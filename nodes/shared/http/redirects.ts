// Redirect rules: which redirect is followed, how, and what a refusal says.
//   - GET / HEAD follow any redirect; the token only goes to the origin of the first request.
//   - After a write (POST, PUT, PATCH, DELETE), 303 See Other means the server carried it out and
//     names where its result is: that is read with a GET, on the same origin only, and its answer
//     is the write's answer.
//   - Any other redirect of a write is re-sent (same method and body) only on the same origin and
//     only for an idempotent method (PUT, DELETE); otherwise nothing is sent and the error says
//     that whether the write took effect is unknown. A body never goes to another origin.
//   - A Location with a user name or password is refused: the request would go out with the
//     credentials the server chose instead of the credential's own.
// Refusals of a write carry no HTTP status, like a lost answer: the server's answer does not say
// whether the write happened.
import type { INode, NodeApiError } from 'n8n-workflow';
import { apiError } from '../errors';
import type { ApiRequest } from './types';

export interface RedirectHop {
	url: string;
	method: ApiRequest['method'];
	/** the next request has no body (303 after a write) */
	dropBody: boolean;
	/** the next request goes to another origin than the first one (no token) */
	foreign: boolean;
	/** this hop reads the result of a write the server carried out (303) */
	seeOther: boolean;
}

const IDEMPOTENT_WRITES = ['PUT', 'DELETE'];
const unknownTail = ', so whether it took effect is unknown';
const checkFirst = 'Check on the vendor side whether it took effect before running it again.';
const movedHint = 'If the vendor moved, update the base URL in the credential.';

/** userinfo in a URL (`user:pw@host`), which would replace the credential's own authentication */
export function hasUserInfo(url: URL): boolean {
	return url.username !== '' || url.password !== '';
}

/** The request that follows a redirect answer, or a NodeApiError saying why there is none. */
export function redirectHop(
	node: INode,
	r: {
		what: string;
		itemIndex?: number;
		method: ApiRequest['method'];
		url: string;
		firstOrigin: string;
		status: number;
		location: string;
	},
): RedirectHop {
	const { what, itemIndex, method, status } = r;
	let next: URL;
	try {
		next = new URL(r.location, r.url);
	} catch {
		throw apiError(node, {
			what,
			status,
			message: `${what} failed: redirected to an invalid address`,
			itemIndex,
		});
	}
	if (next.protocol !== 'https:' && next.protocol !== 'http:') {
		throw apiError(node, {
			what,
			status,
			message: `${what} failed: redirected to an unsupported address`,
			itemIndex,
		});
	}
	const write = method !== 'GET' && method !== 'HEAD';
	if (hasUserInfo(next)) {
		throw apiError(node, {
			what,
			status: write ? undefined : status,
			message: `${what} failed: the server redirected it (HTTP ${status}) to an address with a user name and password in it (${next.origin}); it was not followed, so the request did not go out with credentials the server chose${write ? unknownTail : ''}`,
			hint: `This is a fault (or an attack) on the vendor side: contact the vendor.${write ? ` ${checkFirst}` : ''}`,
			itemIndex,
		});
	}
	const foreign = next.origin !== r.firstOrigin;
	const url = next.toString();
	if (!write) return { url, method, dropBody: false, foreign, seeOther: false };
	if (status === 303) {
		if (foreign) {
			throw apiError(node, {
				what,
				message: `${what}: the server answered 303 See Other (it carried the request out) and put its result on another server (${next.origin}), which was not read`,
				hint: `The request has most likely taken effect: check on the vendor side before running it again. ${movedHint}`,
				itemIndex,
			});
		}
		return { url, method: 'GET', dropBody: true, foreign: false, seeOther: true };
	}
	if (foreign) {
		throw apiError(node, {
			what,
			message: `${what} failed: the server redirected it (HTTP ${status}) to another server (${next.origin}); it was not sent there${unknownTail}`,
			hint: `Nothing of the request went to ${next.origin}. ${checkFirst} ${movedHint}`,
			itemIndex,
		});
	}
	if (!IDEMPOTENT_WRITES.includes(method)) {
		throw apiError(node, {
			what,
			message: `${what} failed: the server asked for the ${method} to be sent again to ${next.pathname} (HTTP ${status}); it was not repeated automatically${unknownTail}`,
			hint: checkFirst,
			itemIndex,
		});
	}
	return { url, method, dropBody: false, foreign: false, seeOther: false };
}

/**
 * A failure while reading the result of a write the server carried out (303 See Other): the
 * write happened, so the failure carries no HTTP status of its own.
 */
export function afterSeeOther(error: NodeApiError, what: string): NodeApiError {
	const e = error as NodeApiError & { httpCode: string | null };
	const rest = e.message.startsWith(`${what} `) ? e.message.slice(what.length) : `: ${e.message}`;
	e.message = `${what}: the server carried the request out (303 See Other), but reading its result${rest}`;
	e.httpCode = null;
	e.description =
		'The server carried the request out (303 See Other) but its result could not be read: check on the vendor side before running it again.';
	return e;
}
