// Reschedule by replacement, shared by the eMedicalPractice Standard API (no update route) and
// FHIR servers that do not declare Appointment update: book the new appointment, then take the
// old one away, with one output shape for both (`bothExist` when the second step failed).
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { itemError } from '../../../shared/runner';

/** One reschedule done as "book the new appointment, then take the old one away". */
export interface Replacement {
	/** the appointment being replaced, and how it is output */
	oldId: string;
	oldOut: IDataObject;
	/** what taking the old one away is called: `remove` (eMedicalPractice DELETE), `cancel` (FHIR) */
	action: 'remove' | 'cancel';
	/** books the new appointment (its output item, `id` its id) */
	book(): Promise<IDataObject>;
	/** takes the old one away; answers fields for the output (e.g. whether it was already gone) */
	takeAway(booked: IDataObject): Promise<IDataObject>;
	/** the output message when both exist: what was booked, what failed, what to do */
	bothExistMessage(booked: IDataObject, error: Error): string;
}

/**
 * Reschedule by replacement, in the only safe order: the new appointment first (if that fails the
 * old one is untouched and the error says so), the old one taken away only after the new one
 * exists. If that fails, the output item says both exist and names the one to take away. The new
 * appointment has a new id (`sameId: false`).
 */
export async function replaceAppointment(
	fn: IExecuteFunctions,
	i: number,
	r: Replacement,
): Promise<IDataObject> {
	let booked: IDataObject;
	try {
		booked = await r.book();
	} catch (e) {
		const err = itemError(fn.getNode(), e, i);
		err.message = `${err.message} (appointment ${r.oldId} was kept as it was)`;
		throw err;
	}
	const done = r.action === 'remove' ? 'removed' : 'cancelled';
	try {
		const extra = await r.takeAway(booked);
		return {
			rescheduled: true,
			sameId: false,
			[`${done}AppointmentId`]: r.oldId,
			...extra,
			...booked,
			previous: r.oldOut,
		};
	} catch (e) {
		return {
			rescheduled: false,
			bothExist: true,
			sameId: false,
			newAppointmentId: booked.id,
			oldAppointmentId: r.oldId,
			[`${r.action}AppointmentId`]: r.oldId,
			message: r.bothExistMessage(booked, e as Error),
			newAppointment: booked,
			oldAppointment: r.oldOut,
		};
	}
}
