// MyPatientPortal (samedi patient portal) API v1 with real booking state.
//
// Base: `/mpp/api/portal/v1` (PREFIX.mpp + the vendor's `/api/portal/v1`). Paths as in
// ../shared/vendor-notes.md. Shapes chosen for the sandbox (the vendor text leaves them out):
// - lists:            200 `{ "data": [ ... ] }`
// - single objects:   200 `{ "data": { ... } }`
// - every error:      `{ "error": "<code>", "error_description": "<human text>" }` with
//     400 invalid_request        missing/malformed parameter
//     404 not_found              unknown appointment (or another patient's)
//     422 availability_unknown   availability id that does not exist (compared byte for byte)
//     422 availability_taken     the slot was booked by someone else meanwhile
//     422 availability_not_allowed  reschedule to a slot of another type/category
//     422 insurance_not_allowed  insurance not accepted for that category/type
//     422 asap_not_enabled       ASAP list asked for a type with asap_notifications_enabled=false
//     422 email_required         ASAP subscribe without a (valid) email
//     422 already_cancelled      cancel/reschedule/subscribe of a cancelled appointment
//     422 not_subscribed         ASAP unsubscribe / earlier availability without subscription
//   401/403 come from the framework (`app.requireBearer`) in the same shape.
// Bodies of POST/PUT/DELETE: JSON or application/x-www-form-urlencoded (form bodies decode `+`
// as a space, as the form encoding says: a client must send `%2B`).
// Scopes: `profile_read` for /me, `appointment_read` for reads, `appointment_write` for writes.
// Route fault `lost-response` (POST /booking, PUT and DELETE /appointments/{id}): the change is committed,
// then the socket is destroyed without an answer.
// Admin: `GET /_admin/mpp/appointments[?patient=]` — every appointment, with its availability id;
// `POST /_admin/mpp/settings {appointmentAvailabilityId: true}` — the portal API's appointments
// carry `availability_id` too (some portal versions do; the vendor text does not say; reset: off);
// `{appointmentsPageSize: n}` — `GET /appointments` in pages of n with `next` (reset: 0, one page);
// `POST /_admin/mpp/appointments/{id} {status? | cancel? | availability_id? | move: 'next'}` — the
// practice changes an appointment; `POST /_admin/mpp/slots {appointment_id, minutesFromNow?}` — a
// slot opens earlier than that appointment (what its earlier availability then shows).
// Option `mppStartDate` (YYYY-MM-DD) fixes the first day with availabilities (default: tomorrow).
import type { ServerResponse } from 'node:http';
import type { SandboxApp } from '../app';
import { PREFIX } from '../app';
import { HttpError, sendJson, type SandboxRequest } from '../http';
import type { TokenRecord } from '../tokens';
import {
	buildMppData,
	defaultStartDate,
	type MppData,
	type MppProfile,
	type MppSlot,
	type MppType,
} from '../data/mpp';
import { datasetFor } from '../data';

export const MPP_API = `${PREFIX.mpp}/api/portal/v1`;

export interface MppAppointment {
	id: string;
	patientId: string;
	slotId: string;
	insuranceId: number | null;
	/** 'booked' or 'cancelled' through the API; the practice may set others (admin route) */
	status: string;
	comment: string | null;
	asapEmail: string | null;
	createdAt: string;
	updatedAt: string;
	cancelledAt: string | null;
	/** start times this appointment had before reschedules */
	history: string[];
}

export interface MppState {
	data: MppData;
	slotsById: Map<string, MppSlot>;
	typesById: Map<number, MppType>;
	/** slot id → appointment id holding it (booked only) */
	taken: Map<string, string>;
	appointments: Map<string, MppAppointment>;
	/** appointments in the portal API carry `availability_id` (POST /_admin/mpp/settings) */
	appointmentAvailabilityId: boolean;
	/** `GET /appointments` pages of this size with `?page=` and a `next` URL (0: one page) */
	appointmentsPageSize: number;
}

export function mppState(app: SandboxApp): MppState {
	return app.state.mpp as MppState;
}

function fail(status: number, error: string, description: string): never {
	throw new HttpError(status, { error, error_description: description });
}

export function register(app: SandboxApp): void {
	app.onReset(() => {
		const startDate =
			typeof app.options.mppStartDate === 'string'
				? app.options.mppStartDate
				: defaultStartDate(app.clock.now());
		const data = buildMppData({ seed: app.options.seed ?? 42, startDate });
		const state: MppState = {
			data,
			slotsById: new Map(data.slots.map((s) => [s.id, s])),
			typesById: new Map(data.types.map((t) => [t.id, t])),
			taken: new Map(),
			appointments: new Map(),
			appointmentAvailabilityId: false,
			appointmentsPageSize: 0,
		};
		const now = new Date(app.clock.now()).toISOString();
		for (const seeded of data.seedAppointments) {
			const id = data.nextAppointmentId();
			state.appointments.set(id, {
				id,
				patientId: seeded.patientId,
				slotId: seeded.slotId,
				insuranceId: seeded.insuranceId,
				status: seeded.status,
				comment: seeded.comment,
				asapEmail: null,
				createdAt: now,
				updatedAt: now,
				cancelledAt: seeded.status === 'cancelled' ? now : null,
				history: [],
			});
			if (seeded.status === 'booked') state.taken.set(seeded.slotId, id);
		}
		app.state.mpp = state;
	});
	const st = () => mppState(app);
	const nowIso = () => new Date(app.clock.now()).toISOString();

	const get = (
		path: string,
		scope: string,
		h: (req: SandboxRequest, res: ServerResponse, tok: TokenRecord) => void,
	) =>
		app.route('GET', MPP_API + path, 'mpp', (req, res) => {
			const tok = app.requireBearer(req, res, 'mpp', scope);
			if (tok) h(req, res, tok);
		});
	const write = (
		method: string,
		path: string,
		h: (req: SandboxRequest, res: ServerResponse, tok: TokenRecord) => void,
	) =>
		app.route(method, MPP_API + path, 'mpp', (req, res) => {
			const tok = app.requireBearer(req, res, 'mpp', 'appointment_write');
			if (tok) h(req, res, tok);
		});

	const patientOf = (tok: TokenRecord) => tok.patient ?? tok.subject ?? 'pt-00001';
	/** the portal user's profile: the shared data set's patient when there is one */
	const profileOf = (pid: string): MppProfile => {
		const own = st().data.profile(pid);
		const p = datasetFor(app).patient(pid);
		if (!p) return own;
		return {
			id: pid,
			first_name: p.name[0]?.given[0] ?? own.first_name,
			last_name: p.name[0]?.family ?? own.last_name,
			email: p.telecom.find((t) => t.system === 'email')?.value ?? own.email,
			date_of_birth: p.birthDate,
			phone: p.telecom.find((t) => t.system === 'phone')?.value ?? own.phone,
		};
	};

	// ---- reads ---------------------------------------------------------------------------------
	get('/me', 'profile_read', (_req, res, tok) =>
		sendJson(res, 200, { data: profileOf(patientOf(tok)) }),
	);

	get('/insurances', 'appointment_read', (_req, res) =>
		sendJson(res, 200, { data: st().data.insurances }),
	);

	get('/appointment_categories', 'appointment_read', (req, res) => {
		const insuranceId = intParam(req, 'insurance_id', true)!;
		requireInsurance(insuranceId);
		const data = st()
			.data.categories.filter((c) => c.insurance_ids.includes(insuranceId))
			.map((c) => ({ id: c.id, name: c.name, description: c.description }));
		sendJson(res, 200, { data });
	});

	get('/appointment_types', 'appointment_read', (req, res) => {
		const categoryId = intParam(req, 'appointment_category_id', true)!;
		const insuranceId = intParam(req, 'insurance_id', true)!;
		requireInsurance(insuranceId);
		requireCategory(categoryId, insuranceId);
		const data = st()
			.data.types.filter(
				(t) => t.appointment_category_id === categoryId && t.insurance_ids.includes(insuranceId),
			)
			.map(publicType);
		sendJson(res, 200, { data });
	});

	get('/availabilities', 'appointment_read', (req, res) => {
		const categoryId = intParam(req, 'appointment_category_id', true)!;
		const typeId = intParam(req, 'appointment_type_id', true)!;
		const insuranceId = intParam(req, 'insurance_id', true)!;
		requireInsurance(insuranceId);
		requireCategory(categoryId, insuranceId);
		const type = st().typesById.get(typeId);
		if (!type || type.appointment_category_id !== categoryId) {
			fail(
				400,
				'invalid_request',
				`appointment_type_id ${typeId} is not a type of appointment_category_id ${categoryId}.`,
			);
		}
		if (!type.insurance_ids.includes(insuranceId)) {
			fail(
				422,
				'insurance_not_allowed',
				`Appointment type "${type.name}" cannot be booked with insurance ${insuranceId}.`,
			);
		}
		const { from, to } = windowParams(req);
		const data = freeSlots((s) => s.appointment_type_id === typeId, from, to).map(publicSlot);
		sendJson(res, 200, { data });
	});

	get('/appointments', 'appointment_read', (req, res, tok) => {
		const status = req.query.get('status');
		if (status !== null && status !== 'booked' && status !== 'cancelled') {
			fail(400, 'invalid_request', 'status must be "booked" or "cancelled".');
		}
		const pid = patientOf(tok);
		const data = [...st().appointments.values()]
			.filter((a) => a.patientId === pid && (!status || a.status === status))
			.map(publicAppointment)
			.sort((a, b) => a.start_time.localeCompare(b.start_time) || a.id.localeCompare(b.id));
		const size = st().appointmentsPageSize;
		if (!size) return sendJson(res, 200, { data });
		const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
		const next = new URL(app.url(req.url.pathname));
		for (const [k, v] of req.query) if (k !== 'page') next.searchParams.append(k, v);
		next.searchParams.set('page', String(page + 1));
		sendJson(res, 200, {
			data: data.slice((page - 1) * size, page * size),
			next: page * size < data.length ? next.toString() : null,
		});
	});

	get('/appointments/:id', 'appointment_read', (req, res, tok) => {
		sendJson(res, 200, { data: publicAppointment(ownAppointment(req, tok)) });
	});

	get('/appointments/:id/availabilities', 'appointment_read', (req, res, tok) => {
		const appt = ownAppointment(req, tok);
		if (appt.status === 'cancelled')
			fail(
				422,
				'already_cancelled',
				`Appointment ${appt.id} is cancelled and cannot be rescheduled.`,
			);
		const own = slotOf(appt);
		const { from, to } = windowParams(req);
		const data = freeSlots(
			(s) =>
				s.appointment_type_id === own.appointment_type_id &&
				s.appointment_category_id === own.appointment_category_id,
			from,
			to,
		).map(publicSlot);
		sendJson(res, 200, { data });
	});

	get('/appointments/:id/earlier_availability', 'appointment_read', (req, res, tok) => {
		const appt = ownAppointment(req, tok);
		if (appt.status === 'cancelled')
			fail(422, 'already_cancelled', `Appointment ${appt.id} is cancelled.`);
		if (!appt.asapEmail) {
			fail(
				422,
				'not_subscribed',
				`Appointment ${appt.id} is not on the ASAP list; subscribe it first.`,
			);
		}
		const own = slotOf(appt);
		const earlier = freeSlots(
			(s) => s.appointment_type_id === own.appointment_type_id,
			app.clock.now(),
			own.startMs - 1,
		)[0];
		sendJson(res, 200, {
			data: {
				appointment: publicAppointment(appt),
				earlier_availability: earlier ? publicSlot(earlier) : null,
			},
		});
	});

	// ---- writes --------------------------------------------------------------------------------
	write('POST', '/booking', (req, res, tok) => {
		const body = bodyOf(req);
		const availabilityId = stringField(body, 'availability_id');
		if (!availabilityId) fail(400, 'invalid_request', 'availability_id is required.');
		const s = st();
		const slot = s.slotsById.get(availabilityId); // exact, byte-for-byte match
		if (!slot || slot.startMs <= app.clock.now()) {
			fail(
				422,
				'availability_unknown',
				'The selected availability does not exist or has expired. Load the availabilities again.',
			);
		}
		const type = s.typesById.get(slot.appointment_type_id)!;
		let insuranceId: number | null = null;
		if (body.insurance_id !== undefined && body.insurance_id !== null && body.insurance_id !== '') {
			insuranceId = Number(body.insurance_id);
			if (!Number.isInteger(insuranceId))
				fail(400, 'invalid_request', 'insurance_id must be an integer.');
			if (!type.insurance_ids.includes(insuranceId)) {
				fail(
					422,
					'insurance_not_allowed',
					`Appointment type "${type.name}" cannot be booked with insurance ${insuranceId}.`,
				);
			}
		}
		const optIn = truthy(body.asap_list_opt_in);
		if (optIn && !type.asap_notifications_enabled) {
			fail(
				422,
				'asap_not_enabled',
				`The ASAP list is not enabled for appointment type "${type.name}".`,
			);
		}
		const comment = stringField(body, 'comment') ?? null;
		const pid = patientOf(tok);
		let email: string | null = null;
		if (optIn) {
			email = stringField(body, 'email') ?? profileOf(pid).email;
			if (!validEmail(email))
				fail(422, 'email_required', 'A valid email is required for the ASAP list.');
		}
		// check and commit in one synchronous step: two concurrent bookings cannot both pass
		if (s.taken.has(slot.id)) {
			fail(422, 'availability_taken', 'The selected time slot is no longer available.');
		}
		const id = s.data.nextAppointmentId();
		const now = nowIso();
		const appt: MppAppointment = {
			id,
			patientId: pid,
			slotId: slot.id,
			insuranceId,
			status: 'booked',
			comment,
			asapEmail: email,
			createdAt: now,
			updatedAt: now,
			cancelledAt: null,
			history: [],
		};
		s.appointments.set(id, appt);
		s.taken.set(slot.id, id);
		if (app.takeFault(req, 'lost-response')) {
			res.socket?.destroy();
			return;
		}
		sendJson(res, 201, { data: publicAppointment(appt) });
	});

	write('PUT', '/appointments/:id', (req, res, tok) => {
		const appt = ownAppointment(req, tok);
		const body = bodyOf(req);
		const availabilityId = stringField(body, 'availability_id');
		if (!availabilityId) fail(400, 'invalid_request', 'availability_id is required.');
		if (appt.status === 'cancelled')
			fail(
				422,
				'already_cancelled',
				`Appointment ${appt.id} is cancelled and cannot be rescheduled.`,
			);
		const s = st();
		const slot = s.slotsById.get(availabilityId);
		if (!slot || slot.startMs <= app.clock.now()) {
			fail(
				422,
				'availability_unknown',
				'The selected availability does not exist or has expired. Load the availabilities again.',
			);
		}
		const own = slotOf(appt);
		if (
			slot.appointment_type_id !== own.appointment_type_id ||
			slot.appointment_category_id !== own.appointment_category_id
		) {
			fail(
				422,
				'availability_not_allowed',
				"The selected availability is for another appointment type; pick one of this appointment's availabilities.",
			);
		}
		if (slot.id === own.id)
			fail(422, 'availability_taken', 'The appointment is already at this time.');
		if (s.taken.has(slot.id))
			fail(422, 'availability_taken', 'The selected time slot is no longer available.');
		s.taken.delete(own.id);
		s.taken.set(slot.id, appt.id);
		appt.history.push(own.start_time);
		appt.slotId = slot.id;
		appt.updatedAt = nowIso();
		if (app.takeFault(req, 'lost-response')) {
			res.socket?.destroy();
			return;
		}
		sendJson(res, 200, { data: publicAppointment(appt) });
	});

	write('DELETE', '/appointments/:id', (req, res, tok) => {
		const appt = ownAppointment(req, tok);
		if (appt.status === 'cancelled')
			fail(422, 'already_cancelled', `Appointment ${appt.id} is already cancelled.`);
		appt.status = 'cancelled';
		appt.cancelledAt = appt.updatedAt = nowIso();
		appt.asapEmail = null;
		if (st().taken.get(appt.slotId) === appt.id) st().taken.delete(appt.slotId);
		if (app.takeFault(req, 'lost-response')) {
			res.socket?.destroy();
			return;
		}
		sendJson(res, 200, {
			data: { id: appt.id, status: 'cancelled', cancelled_at: appt.cancelledAt },
		});
	});

	write('POST', '/appointments/:id/asap_list', (req, res, tok) => {
		const appt = ownAppointment(req, tok);
		if (appt.status === 'cancelled')
			fail(422, 'already_cancelled', `Appointment ${appt.id} is cancelled.`);
		const type = st().typesById.get(slotOf(appt).appointment_type_id)!;
		if (!type.asap_notifications_enabled) {
			fail(
				422,
				'asap_not_enabled',
				`The ASAP list is not enabled for appointment type "${type.name}".`,
			);
		}
		const email = stringField(bodyOf(req), 'email');
		if (!email || !validEmail(email))
			fail(422, 'email_required', 'A valid email is required to subscribe to the ASAP list.');
		appt.asapEmail = email;
		appt.updatedAt = nowIso();
		sendJson(res, 200, { data: { id: appt.id, asap_list: { subscribed: true, email } } });
	});

	write('DELETE', '/appointments/:id/asap_list', (req, res, tok) => {
		const appt = ownAppointment(req, tok);
		if (!appt.asapEmail)
			fail(422, 'not_subscribed', `Appointment ${appt.id} is not on the ASAP list.`);
		appt.asapEmail = null;
		appt.updatedAt = nowIso();
		sendJson(res, 200, { data: { id: appt.id, asap_list: { subscribed: false, email: null } } });
	});

	// ---- admin ---------------------------------------------------------------------------------
	app.route('GET', '/_admin/mpp/appointments', 'admin', (req, res) => {
		const patient = req.query.get('patient');
		const data = [...st().appointments.values()]
			.filter((a) => !patient || a.patientId === patient)
			.map((a) => ({
				...publicAppointment(a),
				patient_id: a.patientId,
				availability_id: a.slotId,
				previous_start_times: a.history,
			}));
		sendJson(res, 200, { data });
	});

	app.route('POST', '/_admin/mpp/settings', 'admin', (req, res) => {
		const body =
			req.json<{ appointmentAvailabilityId?: unknown; appointmentsPageSize?: unknown } | null>() ??
			{};
		if (typeof body.appointmentAvailabilityId === 'boolean')
			st().appointmentAvailabilityId = body.appointmentAvailabilityId;
		if (
			typeof body.appointmentsPageSize === 'number' &&
			Number.isInteger(body.appointmentsPageSize) &&
			body.appointmentsPageSize >= 0
		)
			st().appointmentsPageSize = body.appointmentsPageSize;
		sendJson(res, 200, {
			appointmentAvailabilityId: st().appointmentAvailabilityId,
			appointmentsPageSize: st().appointmentsPageSize,
		});
	});

	// the practice changes an appointment: `{status}` (any status, e.g. confirmed, checked_in),
	// `{cancel: true}` (cancelled by the practice, its slot freed), `{availability_id}` or
	// `{move: 'next'}` (moved to that free slot / the next free slot of its type)
	app.route('POST', '/_admin/mpp/appointments/:id', 'admin', (req, res) => {
		const s = st();
		const appt = s.appointments.get(req.params.id);
		if (!appt) fail(404, 'not_found', `Appointment ${req.params.id} was not found.`);
		const body = req.json<Record<string, unknown> | null>() ?? {};
		const own = slotOf(appt);
		let target: MppSlot | undefined;
		if (typeof body.availability_id === 'string') {
			target = s.slotsById.get(body.availability_id);
			if (!target || s.taken.has(target.id))
				fail(422, 'availability_unknown', 'That availability does not exist or is taken.');
		} else if (body.move === 'next') {
			target = freeSlots(
				(x) => x.appointment_type_id === own.appointment_type_id,
				own.startMs + 1,
				Infinity,
			)[0];
			if (!target) fail(422, 'availability_unknown', 'No later free slot of this type.');
		}
		if (target) {
			if (s.taken.get(own.id) === appt.id) s.taken.delete(own.id);
			s.taken.set(target.id, appt.id);
			appt.history.push(own.start_time);
			appt.slotId = target.id;
		}
		if (body.cancel === true) {
			appt.status = 'cancelled';
			appt.cancelledAt = nowIso();
			appt.asapEmail = null;
			if (s.taken.get(appt.slotId) === appt.id) s.taken.delete(appt.slotId);
		} else if (typeof body.status === 'string' && body.status) appt.status = body.status;
		appt.updatedAt = nowIso();
		sendJson(res, 200, { data: publicAppointment(appt) });
	});

	// a free slot opens earlier than an appointment (same type and category), e.g. after another
	// patient cancelled: `{appointment_id, minutesFromNow?}` (default 60); answer the slot
	app.route('POST', '/_admin/mpp/slots', 'admin', (req, res) => {
		const s = st();
		const body = req.json<Record<string, unknown> | null>() ?? {};
		const appt = s.appointments.get(String(body.appointment_id ?? ''));
		if (!appt) fail(404, 'not_found', `Appointment ${String(body.appointment_id)} was not found.`);
		const own = slotOf(appt);
		const minutes = typeof body.minutesFromNow === 'number' ? body.minutesFromNow : 60;
		const startMs = Math.floor((app.clock.now() + minutes * 60_000) / 60_000) * 60_000;
		if (startMs >= own.startMs)
			fail(422, 'invalid_request', 'The new slot would not be earlier than the appointment.');
		const length = Date.parse(own.end_time) - own.startMs;
		const slot: MppSlot = {
			id: `opened-${s.data.slots.length + 1}-${startMs.toString(36)}`,
			appointment_category_id: own.appointment_category_id,
			appointment_type_id: own.appointment_type_id,
			start_time: new Date(startMs).toISOString().replace('.000Z', 'Z'),
			end_time: new Date(startMs + length).toISOString().replace('.000Z', 'Z'),
			startMs,
		};
		s.data.slots.push(slot);
		s.data.slots.sort((a, b) => a.startMs - b.startMs);
		s.slotsById.set(slot.id, slot);
		sendJson(res, 201, { data: publicSlot(slot) });
	});

	// ---- helpers -------------------------------------------------------------------------------
	function requireInsurance(id: number): void {
		if (!st().data.insurances.some((i) => i.id === id))
			fail(404, 'not_found', `Insurance ${id} does not exist.`);
	}
	function requireCategory(categoryId: number, insuranceId: number): void {
		const c = st().data.categories.find((x) => x.id === categoryId);
		if (!c) fail(404, 'not_found', `Appointment category ${categoryId} does not exist.`);
		if (!c.insurance_ids.includes(insuranceId)) {
			fail(
				422,
				'insurance_not_allowed',
				`Appointment category "${c.name}" cannot be booked with insurance ${insuranceId}.`,
			);
		}
	}
	function freeSlots(pred: (s: MppSlot) => boolean, from: number, to: number): MppSlot[] {
		const s = st();
		return s.data.slots.filter(
			(x) => pred(x) && x.startMs >= from && x.startMs <= to && !s.taken.has(x.id),
		);
	}
	function windowParams(req: SandboxRequest): { from: number; to: number } {
		const parse = (name: string, endOfDay: boolean): number | undefined => {
			const v = req.query.get(name);
			if (v === null || v === '') return undefined;
			const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
			const ms = Date.parse(dateOnly ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00'}Z` : v);
			if (!Number.isFinite(ms) || !(dateOnly || /^\d{4}-\d{2}-\d{2}T/.test(v))) {
				fail(400, 'invalid_request', `${name} must be an ISO 8601 date or date-time (got "${v}").`);
			}
			return ms;
		};
		const now = app.clock.now();
		const from = Math.max(parse('from', false) ?? now, now);
		const to = parse('to', true) ?? Number.MAX_SAFE_INTEGER;
		if (to < from) fail(400, 'invalid_request', '"to" is before "from".');
		return { from, to };
	}
	function ownAppointment(req: SandboxRequest, tok: TokenRecord): MppAppointment {
		const a = st().appointments.get(req.params.id);
		if (!a || a.patientId !== patientOf(tok))
			fail(404, 'not_found', `Appointment ${req.params.id} was not found.`);
		return a;
	}
	function slotOf(a: MppAppointment): MppSlot {
		return st().slotsById.get(a.slotId)!;
	}
	function publicSlot(s: MppSlot) {
		return {
			id: s.id,
			start_time: s.start_time,
			end_time: s.end_time,
			appointment_category_id: s.appointment_category_id,
			appointment_type_id: s.appointment_type_id,
		};
	}
	function publicType(t: MppType) {
		return {
			id: t.id,
			name: t.name,
			appointment_category_id: t.appointment_category_id,
			duration_minutes: t.duration_minutes,
			asap_notifications_enabled: t.asap_notifications_enabled,
		};
	}
	function publicAppointment(a: MppAppointment) {
		const s = st();
		const slot = slotOf(a);
		const type = s.typesById.get(slot.appointment_type_id)!;
		const cat = s.data.categories.find((c) => c.id === slot.appointment_category_id)!;
		return {
			id: a.id,
			status: a.status,
			start_time: slot.start_time,
			end_time: slot.end_time,
			appointment_category: { id: cat.id, name: cat.name },
			appointment_type: {
				id: type.id,
				name: type.name,
				asap_notifications_enabled: type.asap_notifications_enabled,
			},
			insurance_id: a.insuranceId,
			comment: a.comment,
			asap_list: { subscribed: a.asapEmail !== null, email: a.asapEmail },
			created_at: a.createdAt,
			updated_at: a.updatedAt,
			cancelled_at: a.cancelledAt,
			...(s.appointmentAvailabilityId ? { availability_id: a.slotId } : {}),
		};
	}
}

function intParam(req: SandboxRequest, name: string, required: boolean): number | undefined {
	const v = req.query.get(name);
	if (v === null || v === '') {
		if (required) fail(400, 'invalid_request', `${name} is required.`);
		return undefined;
	}
	if (!/^\d+$/.test(v)) fail(400, 'invalid_request', `${name} must be an integer (got "${v}").`);
	return Number(v);
}

function bodyOf(req: SandboxRequest): Record<string, unknown> {
	const ct = String(req.headers['content-type'] ?? '');
	if (req.body.length === 0) return {};
	if (ct.includes('application/x-www-form-urlencoded')) return req.form();
	if (ct.includes('application/json')) {
		const b = req.json<unknown>();
		if (b === null || typeof b !== 'object' || Array.isArray(b))
			fail(400, 'invalid_request', 'The body must be a JSON object.');
		return b as Record<string, unknown>;
	}
	fail(
		415,
		'unsupported_media_type',
		'Send the body as application/json or application/x-www-form-urlencoded.',
	);
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
	const v = body[name];
	if (v === undefined || v === null || v === '') return undefined;
	if (typeof v !== 'string') fail(400, 'invalid_request', `${name} must be a string.`);
	return v;
}

function truthy(v: unknown): boolean {
	return v === true || v === 'true' || v === '1' || v === 1;
}

function validEmail(e: string): boolean {
	return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e);
}
