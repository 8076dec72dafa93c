// eMedicalPractice Standard API (OpenEMR's standard routes) for staff scheduling, under `/emp/api`:
//
//   GET    /api/practitioner                       the practitioners (providers, `pc_aid`)
//   GET    /api/facility                           the facilities (`pc_facility`, `pc_billing_location`)
//   GET    /api/appointment                        every appointment
//   GET    /api/appointment/{eid}                  one appointment (a list of one, as OpenEMR answers)
//   GET    /api/patient/{pid}/appointment          the patient's appointments
//   GET    /api/patient/{pid}/appointment/{eid}    one of the patient's appointments
//   POST   /api/patient/{pid}/appointment          book (no overlap check: OpenEMR has none)
//   DELETE /api/patient/{pid}/appointment/{eid}    remove (there is no update route)
//
// `{pid}` is the patient's numeric pid (1 for pt-00001) or its uuid. Answers are wrapped as
// `{validationErrors, internalErrors, data}`; a malformed field is 422 with validationErrors per
// field; an unknown patient or appointment 404 with internalErrors. Scopes: `api:oemr` plus
// `user/appointment.read` (reads), `user/appointment.write` (POST, DELETE), `user/practitioner.read`,
// `user/facility.read` (wildcards such as `user/*.read` accepted); 401/403 `{error,
// error_description}`.
// Appointments live in memory from an empty book (`POST /_admin/reset` empties it again);
// `GET /_admin/emp/appointments` lists them for tests. Route faults: `lost-response` on the POST
// (the appointment is stored, then the socket dies) and on the DELETE (removed, then the socket
// dies); `transient-5xx` on the DELETE (nothing removed, HTTP `status` (default 500) with
// internalErrors).
import { PREFIX, type SandboxApp } from '../app';
import type { ServerResponse } from 'node:http';
import { sendJson, type SandboxRequest } from '../http';
import { APPOINTMENT_STATUSES, CATEGORIES, FACILITIES, PRACTITIONERS } from '../data/scheduling';
import { dataset } from './fhir-common';
import { envelope, needs } from './fhir-emp-api';

const BASE = `${PREFIX.emp}/api`;

export interface EmpAppointment {
	pc_eid: string;
	pc_uuid: string;
	pc_pid: string;
	pc_catid: string;
	pc_title: string;
	/** seconds */
	pc_duration: string;
	pc_hometext: string;
	pc_apptstatus: string;
	pc_eventDate: string;
	/** HH:MM:SS */
	pc_startTime: string;
	pc_endTime: string;
	pc_facility: string;
	pc_billing_location: string;
	pc_aid: string;
}

interface EmpState {
	appointments: Map<string, EmpAppointment>;
	nextEid: number;
}

export function empAppointments(app: SandboxApp): EmpState {
	return app.state.empAppointments as EmpState;
}

/** The appointment as OpenEMR lists it: the stored fields plus names of patient, provider, facility. */
function shown(app: SandboxApp, a: EmpAppointment): Record<string, unknown> {
	const p = dataset(app).patientAt(Number(a.pc_pid) - 1);
	const doc = PRACTITIONERS.find((d) => d.id === a.pc_aid);
	const fac = FACILITIES.find((f) => f.id === a.pc_facility);
	return {
		...a,
		pc_time: `${a.pc_eventDate} ${a.pc_startTime}`,
		pc_catname: CATEGORIES[a.pc_catid] ?? '',
		fname: p.name[0]?.given[0] ?? '',
		lname: p.name[0]?.family ?? '',
		DOB: p.birthDate,
		pid: a.pc_pid,
		puuid: p.id,
		pce_aid_fname: doc?.fname ?? '',
		pce_aid_lname: doc?.lname ?? '',
		facility_name: fac?.name ?? '',
	};
}

export function registerEmpAppointments(app: SandboxApp): void {
	app.onReset(() => {
		app.state.empAppointments = { appointments: new Map(), nextEid: 1 } satisfies EmpState;
	});
	app.route('GET', '/_admin/emp/appointments', 'admin', (_req, res) =>
		sendJson(res, 200, {
			appointments: [...empAppointments(app).appointments.values()],
		}),
	);

	/** The pid of `{pid}` (numeric pid or uuid), or undefined after answering 422 / 404. */
	const patientPid = (req: SandboxRequest, res: ServerResponse): string | undefined => {
		const raw = req.params.pid;
		const ds = dataset(app);
		let index = -1;
		if (/^\d+$/.test(raw)) index = Number(raw) - 1 < ds.count('Patient') ? Number(raw) - 1 : -1;
		else if (/^pt-\d{5,}$/.test(raw)) index = ds.indexOf(raw);
		else {
			envelope(res, 422, [], { pid: { invalid: `"${raw}" is not a patient id (pid or uuid)` } });
			return undefined;
		}
		if (index < 0) {
			envelope(res, 404, [], [], [`Patient ${raw} was not found`]);
			return undefined;
		}
		return String(index + 1);
	};

	app.route('GET', `${BASE}/practitioner`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/practitioner.read'))) return;
		envelope(
			res,
			200,
			PRACTITIONERS.map((p) => ({
				...p,
				facility: FACILITIES.find((f) => f.id === p.facility_id)?.name ?? '',
				active: '1',
			})),
		);
	});

	app.route('GET', `${BASE}/facility`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/facility.read'))) return;
		envelope(res, 200, FACILITIES);
	});

	const all = () => [...empAppointments(app).appointments.values()];

	app.route('GET', `${BASE}/appointment`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/appointment.read'))) return;
		envelope(
			res,
			200,
			all().map((a) => shown(app, a)),
		);
	});

	app.route('GET', `${BASE}/appointment/:eid`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/appointment.read'))) return;
		const a = empAppointments(app).appointments.get(req.params.eid);
		if (!a) return envelope(res, 404, [], [], [`Appointment ${req.params.eid} was not found`]);
		envelope(res, 200, [shown(app, a)]);
	});

	app.route('GET', `${BASE}/patient/:pid/appointment`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/appointment.read'))) return;
		const pid = patientPid(req, res);
		if (!pid) return;
		envelope(
			res,
			200,
			all()
				.filter((a) => a.pc_pid === pid)
				.map((a) => shown(app, a)),
		);
	});

	app.route('GET', `${BASE}/patient/:pid/appointment/:eid`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/appointment.read'))) return;
		const pid = patientPid(req, res);
		if (!pid) return;
		const a = empAppointments(app).appointments.get(req.params.eid);
		if (!a || a.pc_pid !== pid)
			return envelope(
				res,
				404,
				[],
				[],
				[`Appointment ${req.params.eid} of patient ${req.params.pid} was not found`],
			);
		envelope(res, 200, [shown(app, a)]);
	});

	app.route('POST', `${BASE}/patient/:pid/appointment`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/appointment.write'))) return;
		const pid = patientPid(req, res);
		if (!pid) return;
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(req.text()) as Record<string, unknown>;
		} catch {
			return envelope(res, 400, [], [], ['The body is not valid JSON']);
		}
		if (!body || typeof body !== 'object' || Array.isArray(body))
			return envelope(res, 400, [], [], ['The body is not a JSON object']);
		const errors: Record<string, Record<string, string>> = {};
		const text = (k: string) =>
			typeof body[k] === 'string' || typeof body[k] === 'number' ? String(body[k]).trim() : '';
		const check = (k: string, ok: boolean, why: string) => {
			if (!ok) errors[k] = { invalid: why };
		};
		const required = [
			'pc_catid',
			'pc_title',
			'pc_duration',
			'pc_hometext',
			'pc_apptstatus',
			'pc_eventDate',
			'pc_startTime',
			'pc_facility',
			'pc_billing_location',
		];
		for (const k of required)
			if (body[k] === undefined || body[k] === null) errors[k] = { required: `${k} is required` };
		if (!errors.pc_catid)
			check('pc_catid', CATEGORIES[text('pc_catid')] !== undefined, 'unknown category');
		if (!errors.pc_title)
			check(
				'pc_title',
				text('pc_title').length > 0 && text('pc_title').length <= 150,
				'1 to 150 characters',
			);
		if (!errors.pc_duration)
			check(
				'pc_duration',
				/^\d+$/.test(text('pc_duration')) && Number(text('pc_duration')) > 0,
				'a positive number of seconds',
			);
		if (!errors.pc_apptstatus)
			check(
				'pc_apptstatus',
				APPOINTMENT_STATUSES[text('pc_apptstatus')] !== undefined,
				'not an appointment status',
			);
		if (!errors.pc_eventDate)
			check(
				'pc_eventDate',
				/^\d{4}-\d{2}-\d{2}$/.test(text('pc_eventDate')) &&
					!Number.isNaN(Date.parse(`${text('pc_eventDate')}T00:00:00Z`)),
				'YYYY-MM-DD',
			);
		if (!errors.pc_startTime)
			check(
				'pc_startTime',
				/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(text('pc_startTime')),
				'HH:MM (24 h)',
			);
		for (const k of ['pc_facility', 'pc_billing_location'])
			if (!errors[k])
				check(
					k,
					FACILITIES.some((f) => f.id === text(k)),
					'unknown facility',
				);
		if (body.pc_aid !== undefined)
			check(
				'pc_aid',
				PRACTITIONERS.some((p) => p.id === text('pc_aid')),
				'unknown provider',
			);
		if (Object.keys(errors).length) return envelope(res, 422, [], errors);
		const s = empAppointments(app);
		const eid = String(s.nextEid++);
		const start = text('pc_startTime').slice(0, 5);
		const seconds = Number(text('pc_duration'));
		const endMin =
			Number(start.slice(0, 2)) * 60 + Number(start.slice(3)) + Math.ceil(seconds / 60);
		const hh = String(Math.floor(endMin / 60) % 24).padStart(2, '0');
		const appt: EmpAppointment = {
			pc_eid: eid,
			pc_uuid: `appt-${eid.padStart(6, '0')}`,
			pc_pid: pid,
			pc_catid: text('pc_catid'),
			pc_title: text('pc_title'),
			pc_duration: String(seconds),
			pc_hometext: text('pc_hometext'),
			pc_apptstatus: text('pc_apptstatus'),
			pc_eventDate: text('pc_eventDate'),
			pc_startTime: `${start}:00`,
			pc_endTime: `${hh}:${String(endMin % 60).padStart(2, '0')}:00`,
			pc_facility: text('pc_facility'),
			pc_billing_location: text('pc_billing_location'),
			pc_aid: text('pc_aid'),
		};
		s.appointments.set(eid, appt);
		if (app.takeFault(req, 'lost-response')) {
			res.socket?.destroy();
			return;
		}
		envelope(res, 201, { pc_eid: eid, pc_uuid: appt.pc_uuid });
	});

	app.route('DELETE', `${BASE}/patient/:pid/appointment/:eid`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/appointment.write'))) return;
		const pid = patientPid(req, res);
		if (!pid) return;
		const s = empAppointments(app);
		const a = s.appointments.get(req.params.eid);
		if (!a || a.pc_pid !== pid)
			return envelope(
				res,
				404,
				[],
				[],
				[`Appointment ${req.params.eid} of patient ${req.params.pid} was not found`],
			);
		const failure = app.takeFault(req, 'transient-5xx');
		if (failure)
			return envelope(
				res,
				failure.status ?? 500,
				null,
				[],
				['The appointment could not be deleted'],
			);
		s.appointments.delete(a.pc_eid);
		if (app.takeFault(req, 'lost-response')) {
			res.socket?.destroy();
			return;
		}
		envelope(res, 200, { message: `Appointment ${a.pc_eid} deleted` });
	});
}
