// Reschedule Appointment: the appointment's own availabilities (same type and category), one PUT
// that is never repeated automatically; the id stays; output shows the old and the new time.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { apiError, vendorMessage } from '../../../shared/errors';
import { toItems } from '../../../shared/runner';
import { isRecord } from '../../../shared/values';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { rescheduledOutput } from '../../helpers/output';
import { stringParam } from '../../helpers/params';
import { getAppointment, isCancelled, sameInstant, type SlotInfo } from '../../helpers/portal';
import { mppRequest, unwrap, unwrapList } from '../../helpers/transport';
import { readUntilSettled, sendWrite, stateUnknown } from '../../helpers/write';

const OP = ['reschedule'];

export const description: INodeProperties[] = [
	appointmentIdField(
		OP,
		'The ID of the appointment to move. It stays the same after rescheduling.',
	),
	{
		displayName: 'New Availability Name or ID',
		name: 'newAvailabilityId',
		type: 'options',
		typeOptions: {
			loadOptionsMethod: 'getRescheduleAvailabilities',
			loadOptionsDependsOn: ['appointmentId'],
		},
		// IDs from expressions are not checked against the loaded list
		allowArbitraryValues: true,
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { operation: OP } },
	},
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
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
	const slot = (unwrapList(optionsRes.body).find((s) => s.id === availabilityId) as
		SlotInfo | undefined) ?? { id: availabilityId };
	// already at that availability (an earlier run whose answer was lost, then n8n's Retry On
	// Fail): the appointment as it is is the answer, and nothing is sent again
	if (before.availability_id !== undefined && String(before.availability_id) === availabilityId) {
		return toItems(rescheduledOutput(before, id, undefined, false), i);
	}
	// after a refusal: the node knows the appointment is not at the new availability when the
	// portal shows the appointment's availability, or the new slot's time differs from its own
	const knownNotMoved =
		before.availability_id !== undefined ||
		(slot.start_time !== undefined && !sameInstant(before.start_time, slot.start_time));

	const body = { availability_id: availabilityId };
	const result = await sendWrite.call(
		this,
		i,
		{ method: 'PUT', segments: ['appointments', id], body, what },
		{
			unsettled: async (u) => await recover.call(this, i, id, before, slot, u.cause),
			refused: async (res) => {
				const vendor = vendorMessage(res.body);
				const aboutSlot = /availab|slot|taken|time/i.test(
					`${isRecord(res.body) ? String(res.body.error ?? '') : ''} ${vendor ?? ''}`,
				);
				throw apiError(node, {
					what,
					status: res.status,
					body: res.body,
					message: `${what} failed (HTTP ${res.status})${vendor ? `: ${aboutSlot ? vendor.replace(/\.+$/, '') : vendor}` : ''}${aboutSlot ? '. Pick another slot' : ''}`,
					hint: !knownNotMoved
						? 'The portal refused this request; whether an earlier run already moved the appointment is not known: read it (Get Appointment) before rescheduling again.'
						: aboutSlot
							? "The appointment was not moved. Load this appointment's availabilities again and choose another slot."
							: 'The appointment was not moved. Check the appointment ID and the new availability.',
					itemIndex: i,
				});
			},
			done: async (res) => {
				const after = unwrap<unknown>(res.body);
				const appt =
					isRecord(after) && after.start_time !== undefined
						? after
						: await getAppointment.call(this, id, i, `${what}: read the appointment`);
				return rescheduledOutput(appt, id, before, false);
			},
		},
	);
	return toItems(result, i);
}

/** The answer to the move was lost: read the appointment to see whether it is at the new time now. */
async function recover(
	this: IExecuteFunctions,
	i: number,
	id: string,
	before: IDataObject,
	slot: SlotInfo,
	cause: string,
): Promise<IDataObject> {
	const unknown = stateUnknown(
		this.getNode(),
		i,
		'Reschedule',
		`moving appointment ${id} to availability ${slot.id}${slot.start_time ? ` at ${slot.start_time}` : ''}`,
		cause,
		'Read the appointment (Get Appointment) to see its time before rescheduling again.',
	);
	const { result } = await readUntilSettled(
		async () =>
			await getAppointment.call(
				this,
				id,
				i,
				`Reschedule Appointment ${id}: read the appointment after a lost answer`,
			),
		(e) => unknown(`reading the appointment failed too (${e.message})`),
		(now) => {
			const moved = slot.start_time
				? sameInstant(now.start_time, slot.start_time)
				: !sameInstant(now.start_time, before.start_time);
			return moved && !isCancelled(now) ? rescheduledOutput(now, id, before, true) : undefined;
		},
	);
	if (result) return result;
	throw unknown('the appointment still shows its old time');
}
