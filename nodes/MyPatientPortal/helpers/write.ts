// The one way the writes (Book, Cancel, Reschedule Appointment) are sent and their outcome told:
// one request, never repeated automatically, sorted into
//   - an answer with a status of 300 or more that the transport threw (401, 403, 429), or a
//     request that never left: nothing was written, the error is thrown as it is;
//   - the answer was lost, or the portal failed (5xx): the write may or may not have happened,
//     the operation settles it by reading the portal (never by sending the write again);
//   - a refusal (4xx) or success (2xx): the operation words it.
import {
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type NodeOperationError,
} from 'n8n-workflow';
import type { ApiResponse } from '../../shared/http';
import { itemError } from '../../shared/runner';
import {
	mppRequest,
	neverSent,
	operationError,
	statusOfError,
	WRITE_ANSWER_STATUSES,
	type MppRequest,
} from './transport';

/** A write whose answer does not tell what happened: `cause` says why, for the messages. */
export type Unsettled = { cause: string } & (
	{ error: Error; res?: undefined } | { res: ApiResponse; error?: undefined }
);

export interface WriteOutcomes {
	/** the portal answered 2xx */
	done(res: ApiResponse): Promise<IDataObject>;
	/** the portal answered 4xx (one of WRITE_ANSWER_STATUSES) */
	refused(res: ApiResponse): Promise<IDataObject>;
	/** the answer was lost (`error`) or the portal answered 5xx (`res`) */
	unsettled(u: Unsettled): Promise<IDataObject>;
}

/** Sends one write (never retried; the statuses the node words itself are returned) and hands its outcome on. */
export async function sendWrite(
	this: IExecuteFunctions,
	itemIndex: number,
	req: Omit<MppRequest, 'retry' | 'okStatuses' | 'itemIndex'>,
	on: WriteOutcomes,
): Promise<IDataObject> {
	let res: ApiResponse;
	try {
		res = await mppRequest.call(this, {
			...req,
			retry: false,
			okStatuses: WRITE_ANSWER_STATUSES,
			itemIndex,
		});
	} catch (error) {
		const status = statusOfError(error);
		if ((status !== undefined && status >= 300) || neverSent(error))
			throw itemError(this.getNode(), error, itemIndex);
		return await on.unsettled({ error: error as Error, cause: (error as Error).message });
	}
	if (res.status >= 500)
		return await on.unsettled({ res, cause: `the portal answered HTTP ${res.status}` });
	if (res.status >= 400) return await on.refused(res);
	return await on.done(res);
}

/**
 * The error of a write that could not be settled, as a function of why:
 * `<subject> state unknown — check the portal before retrying: no answer to <attempt> (<cause>); <why>`.
 */
export function stateUnknown(
	node: INode,
	itemIndex: number,
	subject: string,
	attempt: string,
	cause: string,
	description: string,
): (why: string) => NodeOperationError {
	return (why) =>
		operationError(
			node,
			`${subject} state unknown — check the portal before retrying: no answer to ${attempt} (${cause.replace(/\s+/g, ' ').slice(0, 200)}); ${why}`,
			{ itemIndex, description },
		);
}

/**
 * Reads the portal up to twice, a second apart, until `written` finds the write in what was read
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
