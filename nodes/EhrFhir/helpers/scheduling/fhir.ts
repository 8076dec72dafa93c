// Appointments on a FHIR server that publishes Schedules and Slots: free Slots found by search,
// a booking made as a conditional create of an Appointment (`If-None-Exist` on an identifier the
// node derives from the Slot and the patient, so that a retry finds the first booking instead of
// making a second one), cancelled by setting `status: cancelled` (JSON Patch where declared, else
// an update with If-Match), moved to another Slot by an update that keeps the Appointment's id —
// or, where the server does not declare update, rescheduled by booking the new Slot and then
// cancelling the old Appointment (replace.ts: the same order and output as eMedicalPractice's).
// The server keeps the Slot state (busy while booked); a Slot taken meanwhile is refused by it.
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';
import { apiError, vendorMessage } from '../../../shared/errors';
import { idFromReference } from '../../../shared/fhir';
import { isRecord, parseDate, readLimit, str } from '../../../shared/values';
import { assertSupports } from '../capabilities';
import { itemError } from '../../../shared/runner';
import type { OperationContext } from '../context';
import { patientIdParam } from '../patient';
import { readList } from '../search';
import { fhirRequest, versionOfEtag } from '../write';
import {
	readUntilSettled,
	sendOnce,
	stateUnknown,
	WRITE_ANSWER_STATUSES,
} from '../../../shared/writes';
import type { SchedulingBackend } from './index';
import { replaceAppointment } from './replace';

type Fn = IExecuteFunctions;

/** the identifier system of the bookings this node makes: value `Slot/<id>/Patient/<id>` */
export const BOOKING_SYSTEM = 'urn:n8n-nodes-ehr:appointment-booking';

/** Appointment statuses that hold a Slot. */
const ACTIVE = new Set([
	'proposed',
	'pending',
	'booked',
	'arrived',
	'fulfilled',
	'checked-in',
	'waitlist',
]);
/** statuses a server may use to refuse a Slot that is taken */
const TAKEN = [409, 412, 422];

function fhirId(fn: Fn, name: string, i: number, label: string, required = true): string {
	const raw: unknown = fn.getNodeParameter(name, i, '');
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (raw !== null && typeof raw === 'object')
		throw new NodeOperationError(fn.getNode(), `${label} must be text, not an object or a list`, {
			itemIndex: i,
			description: `Give the ${label} (an expression must give text), e.g. {{ $json.id }}.`,
		});
	// a reference (`Slot/abc`) or a URL ending in one is accepted: its id is used
	const id = text.replace(/^.*\/(?=[^/]+$)/, '');
	if (!id && !required) return '';
	if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id))
		throw new NodeOperationError(
			fn.getNode(),
			id ? `"${text.slice(0, 80)}" is not a ${label}` : `No ${label} given`,
			{
				itemIndex: i,
				description: `Enter the ${label} (a FHIR id: letters, digits, "-" and "."), e.g. from Find Free Slots or Get Many Appointments.`,
			},
		);
	return id;
}

function instant(fn: Fn, v: unknown, label: string, i: number): string | undefined {
	const d = parseDate(v);
	if (d === null)
		throw new NodeOperationError(
			fn.getNode(),
			`${label} "${String(v).slice(0, 40)}" is not a date`,
			{
				itemIndex: i,
				description: `Enter ${label} as a date (YYYY-MM-DD) or a date and time (2026-12-02T09:00:00Z).`,
			},
		);
	if (!d) return undefined;
	return d.hasTime ? d.text.replace(' ', 'T') : d.day;
}

async function read(
	this: Fn,
	ctx: OperationContext,
	type: string,
	id: string,
	what: string,
	i: number,
) {
	const res = await fhirRequest.call(this, ctx, {
		method: 'GET',
		path: [type, id],
		what,
		itemIndex: i,
		okStatuses: [404, 410],
	});
	if (
		res.status === 404 ||
		res.status === 410 ||
		!isRecord(res.body) ||
		res.body.resourceType !== type
	)
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what} failed: ${ctx.profile.vendor} has no ${type} ${id}${res.status === 410 ? ' (it was deleted)' : ''}`,
			hint: `Check the ${type} ID (${type === 'Slot' ? 'Find Free Slots' : 'Get Many Appointments'} lists them).`,
			itemIndex: i,
		});
	return { resource: res.body, etag: res.headers.etag, version: versionOfEtag(res.headers.etag) };
}

function ref(v: unknown): string | undefined {
	return isRecord(v) ? str(v.reference) : undefined;
}

/** A Slot as the node outputs it. */
function slotItem(s: IDataObject, practitioner?: string): IDataObject {
	return {
		id: s.id,
		status: s.status,
		start: s.start,
		end: s.end,
		schedule: ref(s.schedule),
		...(practitioner ? { practitioner } : {}),
		...(Array.isArray(s.serviceType) ? { serviceType: s.serviceType } : {}),
	};
}

/** An Appointment as the node outputs it: flat fields, the whole resource under `resource`. */
function appointmentItem(a: IDataObject): IDataObject {
	const actors = (Array.isArray(a.participant) ? a.participant : [])
		.filter(isRecord)
		.map((p) => ref(p.actor))
		.filter((r): r is string => !!r);
	return {
		id: a.id,
		status: a.status,
		start: a.start,
		end: a.end,
		slotIds: (Array.isArray(a.slot) ? a.slot : []).map(
			(s) => idFromReference(ref(s), 'Slot') ?? ref(s),
		),
		patientId: actors.map((r) => idFromReference(r, 'Patient')).find(Boolean),
		practitioner: actors.find((r) => /(^|\/)Practitioner\//.test(r)),
		...(a.description !== undefined ? { description: a.description } : {}),
		...(a.comment !== undefined ? { comment: a.comment } : {}),
		resource: a,
	};
}

function bookingIdentifier(slotId: string, patientId: string) {
	return { system: BOOKING_SYSTEM, value: `Slot/${slotId}/Patient/${patientId}` };
}

/** The Schedule's actor (who is booked) for a Slot. */
async function scheduleActor(
	this: Fn,
	ctx: OperationContext,
	slot: IDataObject,
	what: string,
	i: number,
) {
	const scheduleId = idFromReference(ref(slot.schedule), 'Schedule');
	if (!scheduleId) return [] as IDataObject[];
	const { resource } = await read.call(
		this,
		ctx,
		'Schedule',
		scheduleId,
		`${what}: read Schedule ${scheduleId}`,
		i,
	);
	return (Array.isArray(resource.actor) ? resource.actor : []).filter(isRecord);
}

function options(fn: Fn, i: number): IDataObject {
	const o = fn.getNodeParameter('appointmentOptions', i, {});
	return isRecord(o) ? o : {};
}

function slotTaken(
	fn: Fn,
	what: string,
	slotId: string,
	status: number,
	body: unknown,
	i: number,
	kept = '',
) {
	const vendor = vendorMessage(body);
	return apiError(fn.getNode(), {
		what,
		status,
		body,
		message: `${what} failed: Slot ${slotId} is no longer free (HTTP ${status}${vendor ? `: ${vendor}` : ''}); pick another slot${kept}`,
		hint: 'Nothing was booked in that slot. Run Find Free Slots again and choose another one.',
		itemIndex: i,
	});
}

/** Books again an Appointment this node made for the Slot and patient that was cancelled since. */
async function rebook(
	this: Fn,
	ctx: OperationContext,
	earlier: IDataObject,
	etag: string | undefined,
	slot: IDataObject,
	slotId: string,
	what: string,
	i: number,
): Promise<IDataObject> {
	const id = String(earlier.id);
	await assertSupports.call(this, ctx.capabilities, 'Appointment', 'update', i);
	const body: IDataObject = { ...earlier, status: 'booked', start: slot.start, end: slot.end };
	delete body.meta;
	delete body.cancelationReason;
	const res = await fhirRequest.call(this, ctx, {
		method: 'PUT',
		path: ['Appointment', id],
		body,
		headers: { ...(etag ? { 'If-Match': etag } : {}), Prefer: 'return=representation' },
		retry: true,
		okStatuses: TAKEN,
		what: `${what}: book the cancelled Appointment ${id} again`,
		itemIndex: i,
	});
	if (res.status >= 400) {
		const now = (
			await read.call(this, ctx, 'Appointment', id, `${what}: read Appointment ${id}`, i)
		).resource;
		if (ACTIVE.has(String(now.status)))
			return { booked: true, alreadyBooked: false, rebooked: true, ...appointmentItem(now) };
		throw slotTaken(this, what, slotId, res.status, res.body, i);
	}
	const after = isRecord(res.body) && res.body.resourceType === 'Appointment' ? res.body : body;
	return { booked: true, alreadyBooked: false, rebooked: true, ...appointmentItem(after) };
}

/** The active Appointment this node booked with `identifier`, if there is one. */
async function myBooking(
	this: Fn,
	ctx: OperationContext,
	identifier: { system: string; value: string },
	what: string,
	i: number,
): Promise<IDataObject | undefined> {
	const mine = await readList.call(
		this,
		ctx,
		{
			method: 'GET',
			url: `${ctx.profile.fhirBaseUrl}/Appointment`,
			qs: { identifier: `${identifier.system}|${identifier.value}` },
			headers: { Accept: ctx.profile.accept },
		},
		{ limit: 10, simplify: false, included: 'separate', what, itemIndex: i },
	);
	return mine.map((m) => m.json).find((a) => ACTIVE.has(String(a.status)));
}

/** The Appointment in a `$book` answer: the Appointment, a Bundle or Parameters holding it. */
function bookedIn(body: unknown): IDataObject | undefined {
	if (!isRecord(body)) return undefined;
	if (body.resourceType === 'Appointment') return body;
	const list =
		body.resourceType === 'Bundle'
			? body.entry
			: body.resourceType === 'Parameters'
				? body.parameter
				: undefined;
	return (Array.isArray(list) ? list : [])
		.filter(isRecord)
		.map((e) => e.resource)
		.find((r): r is IDataObject => isRecord(r) && r.resourceType === 'Appointment');
}

/**
 * Books through the server's `Appointment/$book` operation (Argonaut Scheduling: a Parameters
 * resource with `appt-resource`). Not idempotent, so sent once; after a lost answer the
 * Appointment is looked up by the identifier the node put on it.
 */
async function bookWithOperation(
	this: Fn,
	ctx: OperationContext,
	appointment: IDataObject,
	identifier: { system: string; value: string },
	slotId: string,
	what: string,
	i: number,
): Promise<IDataObject> {
	const recover = async (cause: string): Promise<IDataObject> => {
		const unknown = stateUnknown(
			this.getNode(),
			i,
			'Booking',
			`the $book of Slot ${slotId}`,
			cause,
			`The request reached the server but its answer was lost, so the appointment may or may not exist. Look for the Appointment with identifier ${identifier.value} (Get Many Appointments) before booking again.`,
			ctx.profile.vendor,
		);
		const { result } = await readUntilSettled(
			async () =>
				await myBooking.call(
					this,
					ctx,
					identifier,
					`${what}: look for the booking after a lost answer`,
					i,
				),
			(e) => unknown(`looking for it failed too (${e.message})`),
			(found) => found,
		);
		if (!result) throw unknown(`no Appointment with identifier ${identifier.value} exists yet`);
		return {
			booked: true,
			alreadyBooked: false,
			recoveredAfterLostResponse: true,
			...appointmentItem(result),
		};
	};
	return await sendOnce(
		this,
		i,
		async () =>
			await fhirRequest.call(this, ctx, {
				method: 'POST',
				path: ['Appointment'],
				rawPath: '/$book',
				body: {
					resourceType: 'Parameters',
					parameter: [{ name: 'appt-resource', resource: appointment }],
				},
				retry: false,
				okStatuses: WRITE_ANSWER_STATUSES,
				what,
				itemIndex: i,
			}),
		{
			unsettled: async (u) => await recover(u.res ? `${u.cause}${suffix(u.res.body)}` : u.cause),
			refused: async (res) => {
				if (TAKEN.includes(res.status))
					throw slotTaken(this, what, slotId, res.status, res.body, i);
				throw apiError(this.getNode(), {
					what,
					status: res.status,
					body: res.body,
					message: `${what} failed (HTTP ${res.status})${suffix(res.body)}; nothing was booked`,
					itemIndex: i,
				});
			},
			done: async (res) => {
				const booked = bookedIn(res.body);
				if (!booked)
					return await recover(`the server answered HTTP ${res.status} without the Appointment`);
				return { booked: true, alreadyBooked: false, ...appointmentItem(booked) };
			},
		},
		ctx.profile.vendor,
	);
}

/** Checks that a booking can be made (before anything is sent); true: by `$book`. */
async function assertCanBook(this: Fn, ctx: OperationContext, i: number): Promise<boolean> {
	const caps = await ctx.capabilities.get();
	const bookOperation = caps.types.get('Appointment')?.operations.has('book') === true;
	if (!bookOperation)
		await assertSupports.call(this, ctx.capabilities, 'Appointment', 'conditional-create', i);
	await assertSupports.call(this, ctx.capabilities, 'Slot', 'read', i);
	return bookOperation;
}

/**
 * Books the Slot for the patient: `$book` where declared, else a conditional create on the
 * booking identifier (a retry finds the first booking); the patient's own earlier booking of the
 * Slot is the answer (`alreadyBooked`).
 */
async function bookSlot(
	this: Fn,
	ctx: OperationContext,
	slotId: string,
	patientId: string,
	extra: { description?: string; comment?: string },
	what: string,
	i: number,
): Promise<IDataObject> {
	const bookOperation = await assertCanBook.call(this, ctx, i);
	const { resource: slot } = await read.call(
		this,
		ctx,
		'Slot',
		slotId,
		`${what}: read the slot`,
		i,
	);
	const identifier = bookingIdentifier(slotId, patientId);
	const condition = `identifier=${identifier.system}|${identifier.value}`;
	if (slot.status !== 'free') {
		// an earlier run of this booking (its answer lost, then run again) holds the slot: that is the answer
		const held = await myBooking.call(
			this,
			ctx,
			identifier,
			`${what}: look for an earlier booking`,
			i,
		);
		if (held) return { booked: true, alreadyBooked: true, ...appointmentItem(held) };
		throw apiError(this.getNode(), {
			what,
			message: `${what} failed: Slot ${slotId} is ${String(slot.status ?? 'not free')}; pick another slot (nothing was sent)`,
			hint: 'Run Find Free Slots again and choose a free one.',
			itemIndex: i,
		});
	}
	const actors = await scheduleActor.call(this, ctx, slot, what, i);
	const appointment: IDataObject = {
		resourceType: 'Appointment',
		identifier: [identifier],
		status: 'booked',
		slot: [{ reference: `Slot/${slotId}` }],
		start: slot.start,
		end: slot.end,
		participant: [
			{ actor: { reference: `Patient/${patientId}` }, status: 'accepted' },
			...actors.map((actor) => ({ actor, status: 'accepted' })),
		],
		...(Array.isArray(slot.serviceType) ? { serviceType: slot.serviceType } : {}),
		...(extra.description ? { description: extra.description } : {}),
		...(extra.comment ? { comment: extra.comment } : {}),
	};
	if (bookOperation)
		return await bookWithOperation.call(this, ctx, appointment, identifier, slotId, what, i);
	// a conditional create is idempotent: the transport may repeat it after a lost answer, and the
	// repeat answers the appointment the first attempt made
	let res;
	try {
		res = await fhirRequest.call(this, ctx, {
			method: 'POST',
			path: ['Appointment'],
			body: appointment,
			headers: { 'If-None-Exist': condition, Prefer: 'return=representation' },
			retry: true,
			okStatuses: TAKEN,
			what,
			itemIndex: i,
		});
	} catch (e) {
		if (e instanceof NodeApiError && !e.httpCode)
			e.description =
				`${e.description ?? ''} Running this again is safe: the booking is a conditional create on identifier ${identifier.value}, so a booking that did happen is found, not repeated.`.trim();
		throw itemError(this.getNode(), e, i);
	}
	if (TAKEN.includes(res.status)) {
		if (res.status === 412)
			throw apiError(this.getNode(), {
				what,
				status: 412,
				body: res.body,
				message: `${what} failed: several appointments carry the identifier ${identifier.value}; nothing was booked`,
				hint: "Look at the patient's appointments (Get Many Appointments) and cancel the duplicates.",
				itemIndex: i,
			});
		throw slotTaken(this, what, slotId, res.status, res.body, i);
	}
	const booked =
		isRecord(res.body) && res.body.resourceType === 'Appointment' ? res.body : undefined;
	if (!booked)
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what}: ${ctx.profile.vendor} answered HTTP ${res.status} without the Appointment`,
			hint: `Look for the appointment with identifier ${identifier.value} (Get Many Appointments) before booking again.`,
			itemIndex: i,
		});
	if (res.status === 200 && !ACTIVE.has(String(booked.status)))
		// this patient's earlier booking of the Slot, since cancelled: booked again (the server
		// checks that the Slot is still free); If-Match makes a repeat harmless
		return await rebook.call(this, ctx, booked, res.headers.etag, slot, slotId, what, i);
	return { booked: true, alreadyBooked: res.status === 200, ...appointmentItem(booked) };
}

/** Whether a cancel is a JSON Patch (else an update); refused when neither is declared. */
async function cancelByPatch(this: Fn, ctx: OperationContext, i: number): Promise<boolean> {
	const caps = await ctx.capabilities.get();
	const patch = !caps.known || caps.types.get('Appointment')?.interactions.has('patch') === true;
	await assertSupports.call(this, ctx.capabilities, 'Appointment', patch ? 'patch' : 'update', i);
	return patch;
}

/** Cancels an Appointment (`status: cancelled`) by JSON Patch where declared, else by update. */
async function cancelAppointment(
	this: Fn,
	ctx: OperationContext,
	id: string,
	reason: string | undefined,
	what: string,
	i: number,
): Promise<IDataObject> {
	const patch = await cancelByPatch.call(this, ctx, i);
	const { resource, etag } = await read.call(
		this,
		ctx,
		'Appointment',
		id,
		`${what}: read the appointment`,
		i,
	);
	if (resource.status === 'cancelled')
		return { cancelled: true, alreadyCancelled: true, ...appointmentItem(resource) };
	const res = await fhirRequest.call(this, ctx, {
		method: patch ? 'PATCH' : 'PUT',
		path: ['Appointment', id],
		body: patch
			? [
					{ op: 'test', path: '/status', value: resource.status },
					{ op: 'replace', path: '/status', value: 'cancelled' },
					...(reason ? [{ op: 'add', path: '/cancelationReason', value: { text: reason } }] : []),
				]
			: {
					...resource,
					status: 'cancelled',
					...(reason ? { cancelationReason: { text: reason } } : {}),
				},
		headers: {
			...(patch ? { 'Content-Type': 'application/json-patch+json' } : {}),
			...(etag ? { 'If-Match': etag } : {}),
			Prefer: 'return=representation',
		},
		retry: true,
		okStatuses: [409, 412, 422],
		what,
		itemIndex: i,
	});
	if (res.status >= 400) {
		// a repeat after a lost answer finds the version moved on: read what is there now
		const now = await read.call(
			this,
			ctx,
			'Appointment',
			id,
			`${what}: read the appointment again`,
			i,
		);
		if (now.resource.status === 'cancelled')
			return { cancelled: true, alreadyCancelled: false, ...appointmentItem(now.resource) };
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			body: res.body,
			message: `${what} failed (HTTP ${res.status}): the appointment changed while it was being cancelled${suffix(res.body)}; it is ${String(now.resource.status)}`,
			hint: 'Run the node again: it reads the current version first.',
			itemIndex: i,
		});
	}
	const after =
		isRecord(res.body) && res.body.resourceType === 'Appointment'
			? res.body
			: (await read.call(this, ctx, 'Appointment', id, `${what}: read the appointment`, i))
					.resource;
	return { cancelled: true, alreadyCancelled: false, ...appointmentItem(after) };
}

/**
 * Reschedule where the server cannot move an Appointment (no update declared): the new Slot is
 * booked first (the conditional-create Book, so a retry cannot book twice), the old Appointment
 * is cancelled (patch) only once the new one exists. The new one has its own id.
 */
async function rebookElsewhere(
	this: Fn,
	ctx: OperationContext,
	old: IDataObject,
	newSlotId: string,
	what: string,
	i: number,
): Promise<IDataObject> {
	const id = String(old.id);
	const patientId = (Array.isArray(old.participant) ? old.participant : [])
		.filter(isRecord)
		.map((p) => idFromReference(ref(p.actor), 'Patient'))
		.find(Boolean);
	if (!patientId)
		throw apiError(this.getNode(), {
			what,
			message: `${what} failed: the appointment names no patient, so no new one can be booked for it; nothing was changed`,
			hint: 'Book the new appointment for the patient (Book Appointment), then cancel this one.',
			itemIndex: i,
		});
	const oldOut = appointmentItem(old);
	return await replaceAppointment(this, i, {
		oldId: id,
		oldOut,
		action: 'cancel',
		book: async () =>
			await bookSlot.call(
				this,
				ctx,
				newSlotId,
				patientId,
				{ description: str(old.description), comment: str(old.comment) },
				`${what}: book Slot ${newSlotId}`,
				i,
			),
		takeAway: async (booked) => ({
			oldAlreadyCancelled: (
				await cancelAppointment.call(
					this,
					ctx,
					id,
					`Rescheduled: replaced by Appointment/${String(booked.id)}`,
					`${what}: cancel the old appointment ${id}`,
					i,
				)
			).alreadyCancelled,
		}),
		bothExistMessage: (booked, e) =>
			`The new appointment ${String(booked.id)} (Slot ${newSlotId}, ${String(booked.start)}) was booked, but cancelling the old appointment ${id} (${String(old.start)}) failed: ${e.message}. Both exist now: cancel appointment ${id} (Cancel Appointment).`,
	});
}

export const fhirScheduling: SchedulingBackend = {
	async findSlots(ctx, i) {
		await assertSupports.call(this, ctx.capabilities, 'Slot', 'search-type', i);
		const practitioner = fhirId(this, 'practitioner', i, 'practitioner ID', false);
		const schedule = fhirId(this, 'schedule', i, 'schedule ID', false);
		const from = instant(this, this.getNodeParameter('slotFrom', i, ''), 'From', i);
		const to = instant(this, this.getNodeParameter('slotTo', i, ''), 'To', i);
		if (!from || !to)
			throw new NodeOperationError(this.getNode(), 'Find Free Slots needs From and To', {
				itemIndex: i,
				description: 'Enter the first and the last day (or time) to look for free slots in.',
			});
		const limit = readLimit(this, i, 'slots');
		let schedules = schedule ? [`Schedule/${schedule}`] : [];
		if (!schedule && practitioner) {
			// the practitioner's Schedules first (a chained `schedule.actor` search is not declared everywhere)
			await assertSupports.call(this, ctx.capabilities, 'Schedule', 'search-type', i);
			const found = await readList.call(
				this,
				ctx,
				{
					method: 'GET',
					url: `${ctx.profile.fhirBaseUrl}/Schedule`,
					qs: { actor: `Practitioner/${practitioner}` },
					headers: { Accept: ctx.profile.accept },
				},
				{
					limit: 100,
					simplify: false,
					included: 'separate',
					what: "Find Free Slots: the practitioner's schedules",
					itemIndex: i,
				},
			);
			schedules = found.map((s) => `Schedule/${String(s.json.id)}`);
			if (!schedules.length) return [];
		}
		const qs: Record<string, string | string[] | number> = {
			status: 'free',
			start: [`ge${from}`, `lt${to}`],
			_sort: 'start',
		};
		if (schedules.length) qs.schedule = schedules.join(',');
		if (ctx.profile.pageSizeParam)
			qs[ctx.profile.pageSizeParam] = Math.min(
				ctx.profile.pageSize,
				Number.isFinite(limit) ? limit : ctx.profile.pageSize,
			);
		const items = await readList.call(
			this,
			ctx,
			{
				method: 'GET',
				url: `${ctx.profile.fhirBaseUrl}/Slot`,
				qs,
				headers: { Accept: ctx.profile.accept },
			},
			{ limit, simplify: false, included: 'separate', what: 'Find Free Slots', itemIndex: i },
		);
		return items
			.map((it) => it.json)
			.filter((s) => s.resourceType === 'Slot' && s.status === 'free')
			.map((s) => slotItem(s, practitioner ? `Practitioner/${practitioner}` : undefined));
	},

	async book(ctx, i) {
		const slotId = fhirId(this, 'slotId', i, 'slot ID');
		const patientId = patientIdParam.call(this, i, ctx.profile.fhirBaseUrl);
		const o = options(this, i);
		return await bookSlot.call(
			this,
			ctx,
			slotId,
			patientId,
			{ description: str(o.description), comment: str(o.comment) },
			`Book Appointment in Slot ${slotId}`,
			i,
		);
	},

	async cancel(ctx, i) {
		const id = fhirId(this, 'appointmentId', i, 'appointment ID');
		const reason = str(options(this, i).cancellationReason);
		return await cancelAppointment.call(this, ctx, id, reason, `Cancel Appointment ${id}`, i);
	},

	async reschedule(ctx, i) {
		const id = fhirId(this, 'appointmentId', i, 'appointment ID');
		const newSlotId = fhirId(this, 'newSlotId', i, 'new slot ID');
		const what = `Reschedule Appointment ${id}`;
		const caps = await ctx.capabilities.get();
		const appointmentCaps = caps.types.get('Appointment');
		// a server that cannot move the Appointment (no update): book the new Slot, then cancel the old
		const replace = caps.known && appointmentCaps?.interactions.has('update') !== true;
		if (replace) {
			if (appointmentCaps?.interactions.has('patch') !== true)
				throw new NodeOperationError(
					this.getNode(),
					`${what}: ${ctx.profile.vendor} declares neither Appointment update nor patch, so the appointment can be neither moved nor cancelled; nothing was sent`,
					{
						itemIndex: i,
						description:
							'Reschedule with this server in its own application, or with a credential for a server that declares Appointment update or patch in its CapabilityStatement.',
					},
				);
			await assertCanBook.call(this, ctx, i);
		} else await assertSupports.call(this, ctx.capabilities, 'Appointment', 'update', i);
		const { resource: old, etag } = await read.call(
			this,
			ctx,
			'Appointment',
			id,
			`${what}: read the appointment`,
			i,
		);
		if (!ACTIVE.has(String(old.status)))
			throw apiError(this.getNode(), {
				what,
				message: `${what} failed: the appointment is ${String(old.status)}; nothing was changed`,
				hint: 'Book a new appointment instead (Book Appointment).',
				itemIndex: i,
			});
		const oldSlots = (Array.isArray(old.slot) ? old.slot : []).map((s) =>
			idFromReference(ref(s), 'Slot'),
		);
		if (oldSlots.includes(newSlotId))
			return { rescheduled: true, unchanged: true, sameId: true, ...appointmentItem(old) };
		if (replace) return await rebookElsewhere.call(this, ctx, old, newSlotId, what, i);
		const { resource: slot } = await read.call(
			this,
			ctx,
			'Slot',
			newSlotId,
			`${what}: read the new slot`,
			i,
		);
		if (slot.status !== 'free')
			throw slotTaken(
				this,
				what,
				newSlotId,
				409,
				undefined,
				i,
				`; appointment ${id} was kept as it was`,
			);
		const oldActors = new Set(
			(
				await Promise.all(
					oldSlots
						.filter((s): s is string => !!s)
						.map(async (s) => {
							try {
								const r = await read.call(this, ctx, 'Slot', s, `${what}: read the old slot`, i);
								return await scheduleActor.call(this, ctx, r.resource, what, i);
							} catch {
								return [];
							}
						}),
				)
			)
				.flat()
				.map((a) => ref(a)),
		);
		const newActors = await scheduleActor.call(this, ctx, slot, what, i);
		const patientId = (Array.isArray(old.participant) ? old.participant : [])
			.filter(isRecord)
			.map((p) => idFromReference(ref(p.actor), 'Patient'))
			.find(Boolean);
		const participants = (Array.isArray(old.participant) ? old.participant : [])
			.filter(isRecord)
			.filter((p) => !oldActors.has(ref(p.actor)));
		for (const actor of newActors)
			if (!participants.some((p) => ref(p.actor) === ref(actor)))
				participants.push({ actor, status: 'accepted' });
		const identifiers = (Array.isArray(old.identifier) ? old.identifier : []).filter(
			(x) => !(isRecord(x) && x.system === BOOKING_SYSTEM),
		);
		const moved: IDataObject = {
			...old,
			slot: [{ reference: `Slot/${newSlotId}` }],
			start: slot.start,
			end: slot.end,
			participant: participants,
			identifier: [...identifiers, ...(patientId ? [bookingIdentifier(newSlotId, patientId)] : [])],
		};
		delete moved.meta;
		const res = await fhirRequest.call(this, ctx, {
			method: 'PUT',
			path: ['Appointment', id],
			body: moved,
			headers: { ...(etag ? { 'If-Match': etag } : {}), Prefer: 'return=representation' },
			retry: true,
			okStatuses: TAKEN,
			what,
			itemIndex: i,
		});
		if (res.status >= 400) {
			const now = (
				await read.call(this, ctx, 'Appointment', id, `${what}: read the appointment again`, i)
			).resource;
			const nowSlots = (Array.isArray(now.slot) ? now.slot : []).map((s) =>
				idFromReference(ref(s), 'Slot'),
			);
			// a repeat after a lost answer: the first attempt moved it
			if (nowSlots.includes(newSlotId) && ACTIVE.has(String(now.status)))
				return {
					rescheduled: true,
					sameId: true,
					previousSlotIds: oldSlots,
					...appointmentItem(now),
				};
			if (res.status === 412)
				throw apiError(this.getNode(), {
					what,
					status: 412,
					body: res.body,
					message: `${what} failed: the appointment changed while it was being moved; nothing was changed`,
					hint: 'Run the node again: it reads the current version first.',
					itemIndex: i,
				});
			throw slotTaken(
				this,
				what,
				newSlotId,
				res.status,
				res.body,
				i,
				`; appointment ${id} was kept as it was`,
			);
		}
		const after = isRecord(res.body) && res.body.resourceType === 'Appointment' ? res.body : moved;
		return {
			rescheduled: true,
			sameId: true,
			previousSlotIds: oldSlots,
			...appointmentItem(after),
		};
	},

	async get(ctx, i) {
		const id = fhirId(this, 'appointmentId', i, 'appointment ID');
		return appointmentItem(
			(await read.call(this, ctx, 'Appointment', id, `Get Appointment ${id}`, i)).resource,
		);
	},

	async list(ctx, i) {
		await assertSupports.call(this, ctx.capabilities, 'Appointment', 'search-type', i);
		const f = this.getNodeParameter('appointmentFilters', i, {}) as IDataObject;
		const filters = isRecord(f) ? f : {};
		const limit = readLimit(this, i, 'appointments');
		const qs: Record<string, string | string[] | number> = {};
		const patient = str(filters.patientId);
		if (patient) qs.patient = patient.includes('/') ? patient : `Patient/${patient}`;
		const practitioner = str(filters.practitioner);
		if (practitioner)
			qs.actor = practitioner.includes('/') ? practitioner : `Practitioner/${practitioner}`;
		const from = instant(this, filters.from, 'From', i);
		const to = instant(this, filters.to, 'To', i);
		const dates = [...(from ? [`ge${from}`] : []), ...(to ? [`lt${to}`] : [])];
		if (dates.length) qs.date = dates;
		const status = str(filters.status);
		if (status) qs.status = status;
		if (ctx.profile.pageSizeParam) qs[ctx.profile.pageSizeParam] = ctx.profile.pageSize;
		const items = await readList.call(
			this,
			ctx,
			{
				method: 'GET',
				url: `${ctx.profile.fhirBaseUrl}/Appointment`,
				qs,
				headers: { Accept: ctx.profile.accept },
			},
			{ limit, simplify: false, included: 'separate', what: 'Get Many Appointments', itemIndex: i },
		);
		return items
			.map((it) => it.json)
			.filter((a) => a.resourceType === 'Appointment')
			.map(appointmentItem);
	},
};

function suffix(body: unknown): string {
	const v = vendorMessage(body);
	return v ? ` (${v})` : '';
}
