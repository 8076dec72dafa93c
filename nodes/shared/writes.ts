// The one way a write that must not happen twice (a booking, a cancellation) is sent and its
// outcome told, for every node (MyPatientPortal, the EHR FHIR node's Appointment resource):
// one request, never repeated automatically, sorted into
//   - an answer with a status of 300 or more that the transport threw (401, 403, 429), or a
//     request that never left: nothing was written, the error is thrown as it is;
//   - the answer was lost, or the server failed (5xx): the write may or may not have happened,
//     the operation settles it by reading the server (never by sending the write again);
//   - a refusal (4xx) or success (2xx): the operation words it.
import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';
import type { ApiResponse } from './http';
import { itemError } from './runner';

/** HTTP status carried by an error the transport threw, if the server answered at all. */
export function statusOfError(error: unknown): number | undefined {
	const e = error as { httpCode?: unknown } | undefined;
	const n = Number(e?.httpCode);
	return Number.isInteger(n) && n >= 100 ? n : undefined;
}

/** True when the request certainly never reached the server (refused connection, bad host). */
export function neverSent(error: unknown): boolean {
	const msg = String((error as Error | undefined)?.message ?? '');
	return /ECONNREFUSED|ENOTFOUND|EAI_NONAME|Invalid URL|ERR_INVALID_URL/i.test(msg);
}

/** Statuses a write returns to the node instead of throwing: the node words those errors itself. */
export const WRITE_ANSWER_STATUSES = [400, 404, 409, 410, 412, 415, 422, 500, 502, 503, 504];

/**
 * A NodeOperationError that keeps its message as written. (n8n replaces messages that mention a
 * network error code such as ECONNRESET with a generic sentence; ours say more than that.)
 */
export function operationError(
	node: INode,
	message: string,
	opts: { itemIndex?: number; description?: string } = {},
): NodeOperationError {
	const err = new NodeOperationError(node, message, opts);
	err.message = message;
	if (opts.description) err.description = opts.description;
	return err;
}

/** A write whose answer does not tell what happened: `cause` says why, for the messages. */
export type Unsettled = { cause: string } & (
	{ error: Error; res?: undefined } | { res: ApiResponse; error?: undefined }
);

export interface WriteOutcomes<T = IDataObject> {
	/** the server answered 2xx */
	done(res: ApiResponse): Promise<T>;
	/** the server answered 4xx (one of WRITE_ANSWER_STATUSES) */
	refused(res: ApiResponse): Promise<T>;
	/** the answer was lost (`error`) or the server answered 5xx (`res`) */
	unsettled(u: Unsettled): Promise<T>;
}

/**
 * Sends one write through `send` (which must pass `retry: false` and `okStatuses:
 * WRITE_ANSWER_STATUSES` to the transport) and hands its outcome on. `server` names the other
 * side in the 5xx cause ("the portal", "eMedicalPractice").
 */
export async function sendOnce<T = IDataObject>(
	fn: IExecuteFunctions,
	itemIndex: number,
	send: () => Promise<ApiResponse>,
	on: WriteOutcomes<T>,
	server = 'the server',
): Promise<T> {
	let res: ApiResponse;
	try {
		res = await send();
	} catch (error) {
		const status = statusOfError(error);
		if ((status !== undefined && status >= 300) || neverSent(error))
			throw itemError(fn.getNode(), error, itemIndex);
		return await on.unsettled({ error: error as Error, cause: (error as Error).message });
	}
	if (res.status >= 500)
		return await on.unsettled({ res, cause: `${server} answered HTTP ${res.status}` });
	if (res.status >= 400) return await on.refused(res);
	return await on.done(res);
}

/**
 * The error of a write that could not be settled, as a function of why:
 * `<subject> state unknown — check <where> before retrying: no answer to <attempt> (<cause>); <why>`.
 */
export function stateUnknown(
	node: INode,
	itemIndex: number,
	subject: string,
	attempt: string,
	cause: string,
	description: string,
	where = 'the portal',
): (why: string) => NodeOperationError {
	return (why) =>
		operationError(
			node,
			`${subject} state unknown — check ${where} before retrying: no answer to ${attempt} (${cause.replace(/\s+/g, ' ').slice(0, 200)}); ${why}`,
			{ itemIndex, description },
		);
}

/**
 * Reads the server up to twice, a second apart, until `written` finds the write in what was read
 * (it returns the operation's result, or undefined while the write is not seen). A failed read
 * throws `readFailed(error)`. Returns the result, if any, and the last read.
 */
export async function readUntilSettled<R, T>(
	read: () => Promise<R>,
	readFailed: (error: Error) => Error,
	written: (state: R) => T | undefined,
): Promise<{ result?: T; last: R }> {
	let last!: R;
	for (let attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0) await sleep(1000);
		try {
			last = await read();
		} catch (e) {
			throw readFailed(e as Error);
		}
		const result = written(last);
		if (result !== undefined) return { result, last };
	}
	return { last };
}
