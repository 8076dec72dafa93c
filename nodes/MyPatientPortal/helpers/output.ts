// The output items of the writes and of the ASAP list operations.
import type { IDataObject } from 'n8n-workflow';
import { isRecord } from '../../shared/values';
import { unwrap } from './transport';

/**
 * Book Appointment: the appointment, the slot it was booked on, whether a lost answer was settled,
 * and whether the patient already had this appointment before the node sent anything.
 */
export function bookedOutput(
	appointment: IDataObject,
	availabilityId: string,
	recovered: boolean,
	alreadyBooked = false,
): IDataObject {
	return {
		...appointment,
		availabilityId,
		alreadyBooked,
		recoveredAfterLostResponse: recovered,
	};
}

/** Cancel Appointment: the appointment as cancelled. */
export function cancelledOutput(
	appt: IDataObject,
	id: unknown,
	alreadyCancelled: boolean,
	recovered: boolean,
): IDataObject {
	return {
		...appt,
		id: id as IDataObject['id'],
		status: 'cancelled',
		alreadyCancelled,
		recoveredAfterLostResponse: recovered,
	};
}

/**
 * Reschedule Appointment: the appointment at its new time, with the time it had before (null
 * when it was already at the new availability: the node did not see its earlier time).
 */
export function rescheduledOutput(
	appt: IDataObject,
	id: string,
	before: IDataObject | undefined,
	recovered: boolean,
): IDataObject {
	return {
		...appt,
		id: appt.id ?? id,
		previousStartTime: before?.start_time ?? null,
		previousEndTime: before?.end_time ?? null,
		alreadyRescheduled: before === undefined,
		recoveredAfterLostResponse: recovered,
	};
}

/** ASAP Subscribe / Unsubscribe: the portal's answer with the appointment id and its ASAP list state. */
export function asapOutput(body: unknown, id: string, subscribed: boolean): IDataObject {
	const data = unwrap<unknown>(body);
	const out: IDataObject = isRecord(data) ? { ...data } : {};
	if (out.id === undefined) out.id = id;
	if (!isRecord(out.asap_list)) out.asap_list = { subscribed };
	return out;
}

/** Get Earlier Availability: the portal's answer with `earlier_availability` and `hasEarlierAvailability`. */
export function earlierOutput(body: unknown): IDataObject {
	const data = unwrap<unknown>(body);
	const out: IDataObject = isRecord(data) ? { ...data } : {};
	const slot = out.earlier_availability ?? out.availability ?? null;
	return {
		...out,
		earlier_availability: slot as IDataObject | null,
		hasEarlierAvailability: isRecord(slot),
	};
}
