// Book Appointment: insurance → category → type → availability, then one POST /booking that is
// never repeated automatically. When the answer is lost, the patient's appointments tell whether
// the booking happened; when they cannot tell, the node says so instead of guessing.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { apiError, vendorMessage } from '../../../shared/errors';
import { itemError, toItems } from '../../../shared/runner';
import { isEmail, isRecord } from '../../../shared/values';
import { bookingChoiceFields, windowFields } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { bookedOutput } from '../../helpers/output';
import { bookingChoiceParams, insuranceValue, stringParam } from '../../helpers/params';
import {
	isCancelled,
	listAppointments,
	listAvailabilities,
	sameInstant,
	typeIdOf,
	type SlotInfo,
} from '../../helpers/portal';
import { mppRequest, statusOfError, unwrap, unwrapList } from '../../helpers/transport';
import { readUntilSettled, sendWrite, stateUnknown } from '../../helpers/write';

const OP = ['book'];

export const description: INodeProperties[] = [
	...bookingChoiceFields(OP),
	...windowFields(OP),
	{
		displayName: 'Availability Name or ID',
		name: 'availabilityId',
		type: 'options',
		typeOptions: {
			loadOptionsMethod: 'getAvailabilities',
			loadOptionsDependsOn: [
				'insuranceId',
				'appointmentCategoryId',
				'appointmentTypeId',
				'from',
				'to',
			],
		},
		// IDs from expressions are not checked against the loaded list (a booked slot is no
		// longer in it); the node checks the slot against the portal before it books
		allowArbitraryValues: true,
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { operation: OP } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { operation: OP } },
		options: [
			{
				displayName: 'ASAP List Email',
				name: 'asapEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description:
					"Where earlier-availability notifications go (default: the patient's portal email)",
			},
			{
				displayName: 'ASAP List Opt-In',
				name: 'asapListOptIn',
				type: 'boolean',
				default: false,
				description:
					'Whether to put the appointment on the ASAP list, to be told when an earlier time becomes free (only for appointment types that allow it)',
			},
			{
				displayName: 'Comment',
				name: 'comment',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description: 'A note for the practice',
			},
		],
	},
];

interface BookingTarget {
	slot: SlotInfo;
	typeId: string;
	/**
	 * ids of the patient's appointments before the booking was sent (undefined: could not be
	 * read), so that a lost answer is never settled with an appointment that already existed
	 */
	existingIds?: Set<string>;
	/** the slot was among the free availabilities just before the booking was sent */
	slotWasFree: boolean;
	/** the patient's appointments carry their availability id (so a booking of this slot shows) */
	appointmentsShowSlot: boolean;
}

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const { insuranceId, categoryId, typeId } = bookingChoiceParams(this, i);
	const availabilityId = stringParam(this, 'availabilityId', 'Availability', i);
	const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const optIn = extra.asapListOptIn === true;
	const comment =
		typeof extra.comment === 'string' && extra.comment.trim() ? extra.comment : undefined;
	const asapEmail =
		typeof extra.asapEmail === 'string' && extra.asapEmail.trim()
			? extra.asapEmail.trim()
			: undefined;
	if (asapEmail && !isEmail(asapEmail)) {
		throw new NodeOperationError(
			node,
			`ASAP List Email "${asapEmail}" is not a valid email address`,
			{ itemIndex: i },
		);
	}

	// 1. the type (checks that it belongs to the category and insurance, and its ASAP setting)
	const typesRes = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointment_types'],
		qs: { appointment_category_id: categoryId, insurance_id: insuranceId },
		what: 'Book Appointment: load appointment types',
		itemIndex: i,
	});
	const type = unwrapList(typesRes.body).find((t) => String(t.id) === typeId);
	if (!type) {
		throw new NodeOperationError(
			node,
			`Appointment type ${typeId} is not offered in category ${categoryId} for insurance ${insuranceId}: choose the type again from the list`,
			{ itemIndex: i },
		);
	}
	if (optIn && type.asap_notifications_enabled !== true) {
		throw new NodeOperationError(
			node,
			`The appointment type "${String(type.name ?? typeId)}" (${typeId}) does not allow the ASAP list: turn off "ASAP List Opt-In" or choose a type that allows it`,
			{ itemIndex: i, description: 'Nothing was booked.' },
		);
	}

	// 2. the slot's time, so that a lost answer can be checked against the patient's appointments
	//    (the whole calendar: Search From/To only narrow the dropdown, not the chosen slot)
	const slots = await listAvailabilities.call(
		this,
		{ insuranceId, categoryId, typeId },
		'Book Appointment: load availabilities',
		i,
	);
	const found = slots.find((s) => s.id === availabilityId) as SlotInfo | undefined;
	const target: BookingTarget = {
		slot: found ?? { id: availabilityId },
		typeId,
		slotWasFree: found !== undefined,
		appointmentsShowSlot: false,
	};
	//    and the patient's appointments as they are now: only a new one can be this booking
	try {
		const before = await listAppointments.call(
			this,
			i,
			"Book Appointment: read the patient's appointments",
		);
		target.existingIds = new Set(before.map((a) => String(a.id)));
		target.appointmentsShowSlot = before.some((a) => a.availability_id !== undefined);
		// already booked (an earlier run whose answer was lost, then n8n's Retry On Fail): that
		// appointment is the answer, and nothing is sent again
		const already = before.find(
			(a) =>
				!isCancelled(a) &&
				a.availability_id !== undefined &&
				String(a.availability_id) === availabilityId,
		);
		if (already) return toItems(bookedOutput(already, availabilityId, false, true), i);
	} catch (error) {
		// a refused read (401, 403) is the answer the booking would get too; anything else only
		// makes a lost answer impossible to settle, which recoverLostBooking then says
		const status = statusOfError(error);
		if (status === 401) throw itemError(node, error, i);
		this.logger.warn(
			`Book Appointment: the patient's appointments could not be read before booking (${(error as Error).message})`,
		);
	}
	//    the slot must be a free slot of the chosen insurance, category and type (a pick kept
	//    after the insurance, category or type above it changed, or a slot taken meanwhile, is
	//    not): nothing is posted then
	if (!found)
		throw slotNotOffered(this, i, availabilityId, { insuranceId, categoryId, typeId }, target);

	// 3. the booking: one POST, never retried
	const body: IDataObject = {
		availability_id: availabilityId,
		insurance_id: insuranceValue(insuranceId),
	};
	if (comment !== undefined) body.comment = comment;
	if (optIn) {
		body.asap_list_opt_in = true;
		if (asapEmail) body.email = asapEmail;
	}
	const result = await sendWrite.call(
		this,
		i,
		{ method: 'POST', segments: ['booking'], body, what: 'Book Appointment' },
		{
			unsettled: async (u) =>
				await recoverLostBooking.call(
					this,
					i,
					target,
					u.res ? `${u.cause}${vendorSuffix(u.res.body)}` : u.cause,
				),
			refused: async (res) => {
				throw bookingRefused(this, i, res.status, res.body, target);
			},
			done: async (res) => {
				const appointment = unwrap<unknown>(res.body);
				if (!isRecord(appointment) || appointment.id === undefined) {
					// booked (2xx) but no id in the answer: find it rather than report nothing
					return await recoverLostBooking.call(
						this,
						i,
						target,
						'the portal confirmed the booking without an appointment ID',
					);
				}
				return bookedOutput(appointment, target.slot.id, false);
			},
		},
	);
	return toItems(result, i);
}

function slotNotOffered(
	ctx: IExecuteFunctions,
	i: number,
	availabilityId: string,
	c: { insuranceId: string; categoryId: string; typeId: string },
	target: BookingTarget,
): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`Availability ${availabilityId.slice(0, 300)} is not a free slot of appointment type ${c.typeId} in category ${c.categoryId} for insurance ${c.insuranceId}: pick the slot again`,
		{
			itemIndex: i,
			description:
				target.existingIds !== undefined && target.appointmentsShowSlot
					? 'Nothing was booked. The slot was chosen under another insurance, category or type, or it was taken meanwhile: choose the availability again from the list (or run Find Availabilities).'
					: "Nothing was sent to the portal. The slot was chosen under another insurance, category or type, or it was taken meanwhile (possibly by an earlier run of this booking: the patient's appointments do not show it, so look at them with List Appointments before booking again); choose the availability again from the list.",
		},
	);
}

function vendorSuffix(body: unknown): string {
	const v = vendorMessage(body);
	return v ? ` (${v})` : '';
}

function bookingRefused(
	ctx: IExecuteFunctions,
	i: number,
	status: number,
	body: unknown,
	target: BookingTarget,
) {
	const vendor = vendorMessage(body) ?? '';
	const code = isRecord(body) ? String(body.error ?? '') : '';
	const aboutSlot = /availab|slot|taken|booked|time/i.test(`${code} ${vendor}`) || status === 409;
	const when = target.slot.start_time ? ` at ${target.slot.start_time}` : '';
	const message = aboutSlot
		? `Book Appointment failed (HTTP ${status}): ${(vendor || 'the portal refused the slot').replace(/\.+$/, '')}. Pick another slot${when ? ` (the one${when} is not bookable)` : ''}`
		: `Book Appointment failed (HTTP ${status})${vendor ? `: ${vendor}` : ''}`;
	return apiError(ctx.getNode(), {
		what: 'Book Appointment',
		status,
		body,
		message,
		hint: !nothingBooked(target)
			? "The portal refused this booking request, but the slot was already taken before it was sent and the patient's appointments do not show whether an earlier run booked it: look at the patient's appointments (List Appointments) before booking again."
			: aboutSlot
				? 'Nothing was booked. Load the availabilities again (or run Find Availabilities) and choose another slot.'
				: 'Nothing was booked. Check the insurance, category, type and the other fields.',
		itemIndex: i,
	});
}

/**
 * After a refusal, whether the node knows that the patient has no booking of this slot: the slot
 * was free just before (so no earlier run holds it), or the appointments, read before, carry
 * availability ids and none is this slot.
 */
function nothingBooked(target: BookingTarget): boolean {
	return target.existingIds !== undefined && (target.slotWasFree || target.appointmentsShowSlot);
}

/**
 * The answer to the booking was lost. Looks for the appointment among the patient's own; if it
 * is there, the booking happened. Never sends the booking again.
 */
async function recoverLostBooking(
	this: IExecuteFunctions,
	i: number,
	target: BookingTarget,
	cause: string,
): Promise<IDataObject> {
	const { slot, existingIds } = target;
	const unknown = stateUnknown(
		this.getNode(),
		i,
		'Booking',
		`the booking of availability ${slot.id}${slot.start_time ? ` at ${slot.start_time}` : ''}`,
		cause,
		"The request reached the portal but its answer was lost, so the appointment may or may not exist. Look at the patient's appointments (List Appointments) before booking again, so that nothing is booked twice.",
	);
	if (!slot.start_time) {
		throw unknown(
			"the slot was not in the portal's availabilities before booking, so its time is unknown and the appointment cannot be matched",
		);
	}
	const { result, last } = await readUntilSettled(
		async () =>
			await listAppointments.call(
				this,
				i,
				"Book Appointment: look up the patient's appointments after a lost answer",
			),
		(e) => unknown(`looking up the patient's appointments failed too (${e.message})`),
		(list) => {
			const match = list.find(
				(a) =>
					!isCancelled(a) &&
					!existingIds?.has(String(a.id)) &&
					(a.availability_id === slot.id ||
						(sameInstant(a.start_time, slot.start_time) &&
							(typeIdOf(a) === undefined || typeIdOf(a) === target.typeId))),
			);
			if (match && !existingIds) {
				throw unknown(
					`appointment ${String(match.id)} is at that time, but the patient's appointments could not be read before booking, so it cannot be told whether it is this booking or an older one`,
				);
			}
			return match ? bookedOutput(match, slot.id, true) : undefined;
		},
	);
	if (result) return result;
	const older = last.find(
		(a) =>
			!isCancelled(a) &&
			existingIds?.has(String(a.id)) &&
			sameInstant(a.start_time, slot.start_time),
	);
	throw unknown(
		older
			? `no new appointment at that time is among the patient's appointments yet (appointment ${String(older.id)} at that time existed before this booking)`
			: "no appointment at that time is among the patient's appointments yet",
	);
}
