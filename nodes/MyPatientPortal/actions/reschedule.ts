// Reschedule Appointment: the appointment's own availabilities (same type and category), one PUT
// that is never repeated automatically; the id stays; output shows the old and the new time.
import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { apiError, vendorMessage } from '../../shared/errors';
import { mppRequest, neverSent, nodeError, operationError, statusOfError, unwrap, unwrapList, WRITE_ANSWER_STATUSES, isRecord } from '../transport';
import { appointmentIdField, getAppointment, isCancelled, sameInstant, stringParam, type SlotInfo } from './common';

const OP = ['reschedule'];

export const description: INodeProperties[] = [
	appointmentIdField(OP, 'The ID of the appointment to move. It stays the same after rescheduling.'),
	{
		displayName: 'New Availability Name or ID',
		name: 'newAvailabilityId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getRescheduleAvailabilities', loadOptionsDependsOn: ['appointmentId'] },
		required: true,
		default: '',
		description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { operation: OP } },
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const node = this.getNode();
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const availabilityId = stringParam(this, 'newAvailabilityId', 'New Availability', i);
	const what = `Reschedule Appointment ${id}`;

	const before = await getAppointment.call(this, id, i, `${what}: read the appointment`);
	if (isCancelled(before)) {
		throw new NodeOperationError(node, `Appointment ${id} is cancelled and cannot be rescheduled`, {
			itemIndex: i,
			description: 'Book a new appointment instead.',
		});
	}
	const optionsRes = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments', id, 'availabilities'],
		what: `${what}: load the appointment's availabilities`,
		itemIndex: i,
	});
	const slot = (unwrapList(optionsRes.body).find((s) => s.id === availabilityId) as SlotInfo | undefined) ?? { id: availabilityId };

	let res;
	try {
		res = await mppRequest.call(this, {
			method: 'PUT',
			segments: ['appointments', id],
			body: { availability_id: availabilityId },
			retry: false,
			okStatuses: WRITE_ANSWER_STATUSES,
			what,
			itemIndex: i,
		});
	} catch (error) {
		const status = statusOfError(error);
		if ((status !== undefined && status >= 300) || neverSent(error)) throw nodeError(node, error, i);
		return await recover.call(this, i, id, before, slot, (error as Error).message);
	}
	if (res.status >= 500) return await recover.call(this, i, id, before, slot, `the portal answered HTTP ${res.status}`);
	if (res.status >= 400) {
		const vendor = vendorMessage(res.body);
		const aboutSlot = /availab|slot|taken|time/i.test(`${isRecord(res.body) ? String(res.body.error ?? '') : ''} ${vendor ?? ''}`);
		throw apiError(node, {
			what,
			status: res.status,
			body: res.body,
			message: `${what} failed (HTTP ${res.status})${vendor ? `: ${aboutSlot ? vendor.replace(/\.+$/, '') : vendor}` : ''}${aboutSlot ? '. Pick another slot' : ''}`,
			hint: aboutSlot
				? 'The appointment was not moved. Load this appointment\'s availabilities again and choose another slot.'
				: 'The appointment was not moved. Check the appointment ID and the new availability.',
			itemIndex: i,
		});
	}
	const after = unwrap<unknown>(res.body);
	const appt = isRecord(after) && after.start_time !== undefined ? after : await getAppointment.call(this, id, i, `${what}: read the appointment`);
	return output(appt, id, before, false);
}

function output(appt: IDataObject, id: string, before: IDataObject, recovered: boolean): IDataObject {
	return {
		...appt,
		id: appt.id ?? id,
		previousStartTime: before.start_time ?? null,
		previousEndTime: before.end_time ?? null,
		recoveredAfterLostResponse: recovered,
	};
}

async function recover(this: IExecuteFunctions, i: number, id: string, before: IDataObject, slot: SlotInfo, cause: string): Promise<IDataObject> {
	const details = `appointment ${id} to availability ${slot.id}${slot.start_time ? ` at ${slot.start_time}` : ''}`;
	const unknown = (why: string) =>
		operationError(
			this.getNode(),
			`Reschedule state unknown — check the portal before retrying: no answer to moving ${details} (${cause.replace(/\s+/g, ' ').slice(0, 200)}); ${why}`,
			{ itemIndex: i, description: 'Read the appointment (Get Appointment) to see its time before rescheduling again.' },
		);
	for (let attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0) await sleep(1000);
		let now: IDataObject;
		try {
			now = await getAppointment.call(this, id, i, `Reschedule Appointment ${id}: read the appointment after a lost answer`);
		} catch (e) {
			throw unknown(`reading the appointment failed too (${(e as Error).message})`);
		}
		const moved = slot.start_time ? sameInstant(now.start_time, slot.start_time) : !sameInstant(now.start_time, before.start_time);
		if (moved && !isCancelled(now)) return output(now, id, before, true);
	}
	throw unknown('the appointment still shows its old time');
}
