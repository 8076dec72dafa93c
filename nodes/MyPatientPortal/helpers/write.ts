// The one way the writes (Book, Cancel, Reschedule Appointment) are sent and their outcome told:
// the shared one-shot write (../../shared/writes.ts) on the portal API.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sendOnce, WRITE_ANSWER_STATUSES, type WriteOutcomes } from '../../shared/writes';
import { mppRequest, type MppRequest } from './transport';

export {
	readUntilSettled,
	stateUnknown,
	type Unsettled,
	type WriteOutcomes,
} from '../../shared/writes';

/** Sends one write (never retried; the statuses the node words itself are returned) and hands its outcome on. */
export async function sendWrite(
	this: IExecuteFunctions,
	itemIndex: number,
	req: Omit<MppRequest, 'retry' | 'okStatuses' | 'itemIndex'>,
	on: WriteOutcomes,
): Promise<IDataObject> {
	return await sendOnce(
		this,
		itemIndex,
		async () =>
			await mppRequest.call(this, {
				...req,
				retry: false,
				okStatuses: WRITE_ANSWER_STATUSES,
				itemIndex,
			}),
		on,
		'the portal',
	);
}
