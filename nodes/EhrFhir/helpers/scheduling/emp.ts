// Appointments through eMedicalPractice's Standard API (OpenEMR's standard routes under
// `<server>/api`): per patient, wrapped answers `{validationErrors, internalErrors, data}`, no
// slots and no update route. A booking POST is sent once; after a lost answer the patient's
// appointments are read to find it. Reschedule books the new time first and removes the old
// appointment only once the new one exists.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeParameterResourceLocator,
} from 'n8n-workflow';
import { apiRequest, joinUrl, type ApiRequest, type ApiResponse } from '../../../shared/http';
import { apiError, vendorMessage } from '../../../shared/errors';
import { isRecord, parseDate, readLimit, str } from '../../../shared/values';
import {
	operationError,
	readUntilSettled,
	sendOnce,
	stateUnknown,
	WRITE_ANSWER_STATUSES,
	type Unsettled,
} from '../../../shared/writes';
import type { OperationContext } from '../context';
import { requestLimits } from '../limits';
import type { SchedulingBackend } from './index';
import { replaceAppointment } from './replace';

type Fn = IExecuteFunctions;

interface EmpRequest extends Omit<ApiRequest, 'url'> {
	path: string[];
	what: string;
	itemIndex: number;
}

/** The Standard API base of the credential (`<server>/api`). */
function apiBase(ctx: OperationContext): string {
	return ctx.profile.standardApiBaseUrl ?? `${new URL(ctx.profile.fhirBaseUrl).origin}/api`;
}

async function empRequest(this: Fn, ctx: OperationContext, req: EmpRequest): Promise<ApiResponse> {
	const { path, ...rest } = req;
	return await apiRequest.call(this, ctx.credentialType, {
		...requestLimits(this, req.itemIndex),
		...rest,
		url: joinUrl(apiBase(ctx), ...path),
		headers: {
			Accept: 'application/json',
			...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
			...(req.headers ?? {}),
		},
	});
}

/** `data` of a wrapped answer as a list (`data` may be one record or a list). */
function dataList(body: unknown): IDataObject[] {
	const data = isRecord(body) && 'data' in body ? body.data : body;
	if (Array.isArray(data)) return data.filter(isRecord);
	return isRecord(data) ? [data] : [];
}

async function readList(
	this: Fn,
	ctx: OperationContext,
	path: string[],
	what: string,
	i: number,
): Promise<IDataObject[]> {
	const res = await empRequest.call(this, ctx, { method: 'GET', path, what, itemIndex: i });
	if (!isRecord(res.body) && !Array.isArray(res.body))
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what} failed: eMedicalPractice's answer (status ${res.status}) is not a list`,
			hint: 'Check the server URL in the credential.',
			itemIndex: i,
		});
	return dataList(res.body);
}

// ---- parameters --------------------------------------------------------------------------

function textParam(fn: Fn, name: string, i: number, label: string, required = true): string {
	const raw: unknown = fn.getNodeParameter(name, i, '');
	const v = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (raw !== undefined && raw !== null && raw !== '' && typeof raw === 'object')
		throw new NodeOperationError(fn.getNode(), `${label} must be text, not an object or a list`, {
			itemIndex: i,
			description: `Enter the ${label.toLowerCase()} (an expression must give text or a number).`,
		});
	if (!v && required)
		throw new NodeOperationError(fn.getNode(), `No ${label.toLowerCase()} given`, {
			itemIndex: i,
			description: `Enter the ${label.toLowerCase()}.`,
		});
	return v;
}

/** The patient's pid (or uuid) from the Patient locator (From List gives the pid). */
function patientParam(fn: Fn, i: number, required = true): string {
	const locator = fn.getNodeParameter('empPatient', i, { mode: 'id', value: '' }) as
		INodeParameterResourceLocator | string;
	const value = typeof locator === 'object' && locator ? locator.value : locator;
	const id = typeof value === 'number' ? String(value) : String(value ?? '').trim();
	if (!id && required)
		throw new NodeOperationError(fn.getNode(), 'No patient given', {
			itemIndex: i,
			description:
				"Choose the patient From List, or enter the patient's eMedicalPractice ID (pid, e.g. 12).",
		});
	if (id && !/^[A-Za-z0-9._-]{1,64}$/.test(id))
		throw new NodeOperationError(fn.getNode(), `"${id.slice(0, 80)}" is not a patient ID`, {
			itemIndex: i,
			description: "Enter the patient's eMedicalPractice ID (pid, e.g. 12) or uuid.",
		});
	return id;
}

function idParam(fn: Fn, name: string, i: number, label: string): string {
	const id = textParam(fn, name, i, label);
	if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
		throw new NodeOperationError(fn.getNode(), `"${id.slice(0, 80)}" is not an ${label}`, {
			itemIndex: i,
			description: `Enter the ${label} as eMedicalPractice shows it (its eid, e.g. 42).`,
		});
	return id;
}

function dayParam(fn: Fn, name: string, i: number, label: string, required = true): string {
	const raw: unknown = fn.getNodeParameter(name, i, '');
	const d = parseDate(raw);
	if (d === undefined && !required) return '';
	if (!d)
		throw new NodeOperationError(
			fn.getNode(),
			d === null
				? `${label} "${String(raw).slice(0, 40)}" is not a date`
				: `No ${label.toLowerCase()} given`,
			{ itemIndex: i, description: `Enter the ${label.toLowerCase()} as YYYY-MM-DD.` },
		);
	return d.day;
}

function timeParam(fn: Fn, name: string, i: number): string {
	const t = textParam(fn, name, i, 'Start time');
	const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(t);
	if (!m || Number(m[1]) > 23 || Number(m[2]) > 59)
		throw new NodeOperationError(fn.getNode(), `Start time "${t.slice(0, 40)}" is not a time`, {
			itemIndex: i,
			description: 'Enter the start time as HH:MM in 24-hour time, e.g. 09:30 or 14:00.',
		});
	return `${m[1].padStart(2, '0')}:${m[2]}`;
}

function minutesParam(fn: Fn, name: string, i: number): number {
	const raw: unknown = fn.getNodeParameter(name, i, 15);
	const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
	if (!Number.isInteger(n) || n < 1 || n > 24 * 60)
		throw new NodeOperationError(
			fn.getNode(),
			`Duration "${String(raw).slice(0, 40)}" is not a number of minutes`,
			{
				itemIndex: i,
				description: 'Enter the length of the appointment in whole minutes (1 to 1440), e.g. 15.',
			},
		);
	return n;
}

function options(fn: Fn, i: number): IDataObject {
	const o = fn.getNodeParameter('appointmentOptions', i, {});
	return isRecord(o) ? o : {};
}

// ---- appointments as the node outputs them --------------------------------------------------

function hhmm(t: unknown): string {
	return String(t ?? '').slice(0, 5);
}

function minutesOf(t: string): number {
	const [h, m] = t.split(':').map(Number);
	return h * 60 + m;
}

/** An OpenEMR appointment record as flat fields (the record as it came is under `record`). */
export function empAppointment(a: IDataObject): IDataObject {
	const seconds = Number(a.pc_duration);
	return {
		id: str(a.pc_eid) ?? str(a.eid) ?? str(a.id),
		uuid: str(a.pc_uuid),
		patientId: str(a.pc_pid) ?? str(a.pid),
		providerId: str(a.pc_aid),
		facilityId: str(a.pc_facility),
		categoryId: str(a.pc_catid),
		title: str(a.pc_title),
		date: str(a.pc_eventDate),
		startTime: hhmm(a.pc_startTime) || undefined,
		endTime: hhmm(a.pc_endTime) || undefined,
		durationMinutes: Number.isFinite(seconds) ? Math.round(seconds / 60) : undefined,
		status: str(a.pc_apptstatus),
		comment: str(a.pc_hometext),
		record: a,
	};
}

function sameTime(a: IDataObject, date: string, start: string, provider: string): boolean {
	return (
		str(a.pc_eventDate) === date &&
		hhmm(a.pc_startTime) === start &&
		(str(a.pc_aid) ?? '') === provider
	);
}

// ---- booking -------------------------------------------------------------------------------

interface Booking {
	pid: string;
	provider: string;
	facility: string;
	billingLocation: string;
	categoryId: string;
	title: string;
	date: string;
	start: string;
	minutes: number;
	status: string;
	comment: string;
	refuseIfBusy: boolean;
	/** an appointment the busy check leaves out (the one a reschedule moves) */
	ignoreId?: string;
}

function describeBooking(b: Booking): string {
	return `patient ${b.pid} with provider ${b.provider} on ${b.date} at ${b.start}`;
}

/** Refuses, before anything is posted, a time that overlaps another appointment of the provider. */
async function assertProviderFree(
	this: Fn,
	ctx: OperationContext,
	b: Booking,
	i: number,
	what: string,
) {
	const all = await readList.call(
		this,
		ctx,
		['appointment'],
		`${what}: read the provider's appointments`,
		i,
	);
	const from = minutesOf(b.start);
	const to = from + b.minutes;
	const clash = all.find((a) => {
		if (str(a.pc_aid) !== b.provider || str(a.pc_eventDate) !== b.date) return false;
		if (b.ignoreId !== undefined && str(a.pc_eid) === b.ignoreId) return false;
		if (/^[x%]$/.test(String(a.pc_apptstatus ?? ''))) return false; // cancelled ones hold no time
		const s = minutesOf(hhmm(a.pc_startTime) || '00:00');
		const len = Math.max(1, Math.round(Number(a.pc_duration) / 60) || 0);
		return s < to && from < s + len;
	});
	if (clash) {
		throw operationError(
			this.getNode(),
			`${what} refused: provider ${b.provider} is busy on ${b.date} from ${hhmm(clash.pc_startTime)} (appointment ${String(clash.pc_eid)}, ${Math.round(Number(clash.pc_duration) / 60)} min), which overlaps ${b.start}–${String(Math.floor(to / 60) % 24).padStart(2, '0')}:${String(to % 60).padStart(2, '0')}; nothing was booked`,
			{
				itemIndex: i,
				description:
					'Pick another time or provider, or turn off "Refuse If Provider Is Busy" in the options to book the overlap anyway.',
			},
		);
	}
}

/** The eid in a booking answer (`data: {pc_eid}`, `{id}`, `{eid}` or the bare number). */
function bookedId(body: unknown): string | undefined {
	const data = isRecord(body) && 'data' in body ? body.data : undefined;
	if (typeof data === 'number' || typeof data === 'string') return str(data);
	if (Array.isArray(data))
		return data.length === 1 && isRecord(data[0]) ? bookedId({ data: data[0] }) : undefined;
	if (!isRecord(data)) return undefined;
	return str(data.pc_eid) ?? str(data.eid) ?? str(data.id);
}

/** Books one appointment; returns it (flat fields) with `booked: true`. */
async function bookEmp(
	this: Fn,
	ctx: OperationContext,
	b: Booking,
	i: number,
	what: string,
): Promise<IDataObject> {
	const patientPath = ['patient', b.pid, 'appointment'];
	// 1. what the patient has now: only a new appointment can be this booking after a lost answer
	const before = await readList.call(
		this,
		ctx,
		patientPath,
		`${what}: read the patient's appointments`,
		i,
	);
	const existing = new Set(before.map((a) => String(a.pc_eid)));
	// 2. the provider's day
	if (b.refuseIfBusy) await assertProviderFree.call(this, ctx, b, i, what);
	// 3. one POST, never repeated
	const body: IDataObject = {
		pc_catid: b.categoryId,
		pc_title: b.title,
		pc_duration: String(b.minutes * 60),
		pc_hometext: b.comment,
		pc_apptstatus: b.status,
		pc_eventDate: b.date,
		pc_startTime: b.start,
		pc_facility: b.facility,
		pc_billing_location: b.billingLocation,
		pc_aid: b.provider,
	};
	const recover = async (cause: string): Promise<IDataObject> => {
		const unknown = stateUnknown(
			this.getNode(),
			i,
			'Booking',
			`the booking of ${describeBooking(b)}`,
			cause,
			`The request reached eMedicalPractice but its answer was lost, so the appointment may or may not exist. Look at the patient's appointments (Get Many Appointments for patient ${b.pid}, or the calendar of provider ${b.provider} on ${b.date}) before booking again, so that nothing is booked twice.`,
			'eMedicalPractice',
		);
		const { result } = await readUntilSettled(
			async () =>
				await readList.call(
					this,
					ctx,
					patientPath,
					`${what}: look up the patient's appointments after a lost answer`,
					i,
				),
			(e) => unknown(`looking up the patient's appointments failed too (${e.message})`),
			(list) =>
				list.find(
					(a) => !existing.has(String(a.pc_eid)) && sameTime(a, b.date, b.start, b.provider),
				),
		);
		if (!result)
			throw unknown(
				`no new appointment of ${describeBooking(b)} is among the patient's appointments yet`,
			);
		return {
			booked: true,
			recoveredAfterLostResponse: true,
			message: `Found after a lost answer: appointment ${String(result.pc_eid)} (${describeBooking(b)})`,
			...empAppointment(result),
		};
	};
	return await sendOnce(
		this,
		i,
		async () =>
			await empRequest.call(this, ctx, {
				method: 'POST',
				path: patientPath,
				body,
				what,
				itemIndex: i,
				retry: false,
				okStatuses: WRITE_ANSWER_STATUSES,
			}),
		{
			unsettled: async (u: Unsettled) =>
				await recover(u.res ? `${u.cause}${suffix(u.res.body)}` : u.cause),
			refused: async (res) => {
				throw apiError(this.getNode(), {
					what,
					status: res.status,
					body: res.body,
					message: `${what} failed (HTTP ${res.status})${suffix(res.body, ': ')}; nothing was booked`,
					hint:
						res.status === 404
							? `eMedicalPractice does not know patient ${b.pid}: choose the patient From List or check the ID.`
							: 'Check the fields eMedicalPractice names (category, title, date, start time, duration, facility, provider).',
					itemIndex: i,
				});
			},
			done: async (res) => {
				const eid = bookedId(res.body);
				if (!eid)
					return await recover('eMedicalPractice confirmed the booking without an appointment ID');
				const read = await readList
					.call(this, ctx, [...patientPath, eid], `${what}: read the new appointment`, i)
					.catch(() => []);
				return {
					booked: true,
					...empAppointment(read[0] ?? { ...body, pc_eid: eid, pc_pid: b.pid }),
				};
			},
		},
		'eMedicalPractice',
	);
}

function suffix(body: unknown, sep = ' '): string {
	const v = vendorMessage(body);
	return v ? (sep === ' ' ? ` (${v})` : `${sep}${v}`) : '';
}

function bookingParams(fn: Fn, i: number): Booking {
	const facility = textParam(fn, 'facility', i, 'Facility');
	return {
		pid: patientParam(fn, i),
		provider: textParam(fn, 'provider', i, 'Provider'),
		facility,
		billingLocation: facility,
		categoryId: textParam(fn, 'categoryId', i, 'Category ID'),
		title: textParam(fn, 'title', i, 'Title'),
		date: dayParam(fn, 'date', i, 'Date'),
		start: timeParam(fn, 'startTime', i),
		minutes: minutesParam(fn, 'duration', i),
		status: textParam(fn, 'appointmentStatus', i, 'Status', false) || '-',
		comment: textParam(fn, 'comment', i, 'Comment', false),
		refuseIfBusy: options(fn, i).refuseIfBusy !== false,
	};
}

// ---- removing ------------------------------------------------------------------------------

interface Removal {
	removed: true;
	alreadyRemoved: boolean;
	recoveredAfterLostResponse?: true;
}

/** Removes one appointment (DELETE sent once); `gone` when it was already removed. */
async function removeEmp(
	this: Fn,
	ctx: OperationContext,
	pid: string,
	eid: string,
	i: number,
	what: string,
): Promise<Removal> {
	const path = ['patient', pid, 'appointment', eid];
	const stillThere = async (): Promise<boolean> => {
		const res = await empRequest.call(this, ctx, {
			method: 'GET',
			path,
			what: `${what}: read appointment ${eid}`,
			itemIndex: i,
			okStatuses: [404],
		});
		return res.status !== 404 && dataList(res.body).length > 0;
	};
	return await sendOnce<Removal>(
		this,
		i,
		async () =>
			await empRequest.call(this, ctx, {
				method: 'DELETE',
				path,
				what,
				itemIndex: i,
				retry: false,
				okStatuses: WRITE_ANSWER_STATUSES,
			}),
		{
			done: async () => ({ removed: true as const, alreadyRemoved: false }),
			refused: async (res) => {
				if (res.status === 404) return { removed: true as const, alreadyRemoved: true };
				throw apiError(this.getNode(), {
					what,
					status: res.status,
					body: res.body,
					message: `${what} failed (HTTP ${res.status})${suffix(res.body, ': ')}; appointment ${eid} was not removed`,
					itemIndex: i,
				});
			},
			unsettled: async (u) => {
				const unknown = stateUnknown(
					this.getNode(),
					i,
					'Removal',
					`the removal of appointment ${eid} of patient ${pid}`,
					u.res ? `${u.cause}${suffix(u.res.body)}` : u.cause,
					`Look at appointment ${eid} (Get Appointment) before running this again.`,
					'eMedicalPractice',
				);
				let there: boolean;
				try {
					there = await stillThere();
				} catch (e) {
					throw unknown(`reading appointment ${eid} failed too (${(e as Error).message})`);
				}
				if (there) {
					if (u.res)
						throw apiError(this.getNode(), {
							what,
							status: u.res.status,
							body: u.res.body,
							message: `${what} failed (HTTP ${u.res.status})${suffix(u.res.body, ': ')}; appointment ${eid} was not removed (it is still there)`,
							hint: 'eMedicalPractice failed: try again later.',
							itemIndex: i,
						});
					throw unknown(`appointment ${eid} is still there`);
				}
				return {
					removed: true as const,
					alreadyRemoved: false,
					recoveredAfterLostResponse: true as const,
				};
			},
		},
		'eMedicalPractice',
	);
}

// ---- the backend ---------------------------------------------------------------------------

export const empScheduling: SchedulingBackend = {
	async findSlots(_ctx, i) {
		throw new NodeOperationError(
			this.getNode(),
			"eMedicalPractice's Standard API has no free-slot search: nothing was sent",
			{
				itemIndex: i,
				description:
					'Use Get Many Appointments (with the provider and the day) to see what is taken, then Book Appointment with a date and start time; "Refuse If Provider Is Busy" refuses an overlap before anything is posted.',
			},
		);
	},

	async book(ctx, i) {
		return await bookEmp.call(this, ctx, bookingParams(this, i), i, 'Book Appointment');
	},

	async cancel(ctx, i) {
		const pid = patientParam(this, i);
		const eid = idParam(this, 'appointmentId', i, 'appointment ID');
		const what = `Cancel Appointment ${eid}`;
		const r = await removeEmp.call(this, ctx, pid, eid, i, what);
		if (r.alreadyRemoved && options(this, i).alreadyRemovedOk !== true)
			throw apiError(this.getNode(), {
				what,
				status: 404,
				message: `${what} failed: patient ${pid} has no appointment ${eid} (it may have been removed already); nothing was removed`,
				hint: 'Check the patient and the appointment ID (Get Many Appointments), or turn on "Treat Already Removed as Success" in the options.',
				itemIndex: i,
			});
		return { deleted: true, id: eid, patientId: pid, ...r };
	},

	async reschedule(ctx, i) {
		const pid = patientParam(this, i);
		const eid = idParam(this, 'appointmentId', i, 'appointment ID');
		const what = `Reschedule Appointment ${eid}`;
		const [old] = await readList
			.call(this, ctx, ['patient', pid, 'appointment', eid], `${what}: read the appointment`, i)
			.catch((e: unknown) => {
				if (String((e as { httpCode?: unknown }).httpCode) === '404')
					throw apiError(this.getNode(), {
						what,
						status: 404,
						message: `${what} failed: patient ${pid} has no appointment ${eid}; nothing was changed`,
						hint: 'Check the patient and the appointment ID (Get Many Appointments).',
						itemIndex: i,
					});
				throw e;
			});
		if (!old)
			throw apiError(this.getNode(), {
				what,
				message: `${what} failed: appointment ${eid} was not found; nothing was changed`,
				itemIndex: i,
			});
		const o = options(this, i);
		const minutesRaw = this.getNodeParameter('newDuration', i, 0);
		const b: Booking = {
			pid,
			provider:
				textParam(this, 'newProvider', i, 'New provider', false) || String(old.pc_aid ?? ''),
			facility: String(old.pc_facility ?? ''),
			billingLocation: String(old.pc_billing_location ?? old.pc_facility ?? ''),
			categoryId: String(old.pc_catid ?? ''),
			title: String(old.pc_title ?? ''),
			date: dayParam(this, 'newDate', i, 'New date'),
			start: timeParam(this, 'newStartTime', i),
			minutes: minutesRaw
				? minutesParam(this, 'newDuration', i)
				: Math.max(1, Math.round(Number(old.pc_duration) / 60) || 15),
			status: String(old.pc_apptstatus ?? '-'),
			comment: String(old.pc_hometext ?? ''),
			refuseIfBusy: o.refuseIfBusy !== false,
			ignoreId: eid,
		};
		const oldOut = empAppointment(old);
		return await replaceAppointment(this, i, {
			oldId: eid,
			oldOut,
			action: 'remove',
			book: async () => await bookEmp.call(this, ctx, b, i, what),
			takeAway: async () => ({
				oldAlreadyRemoved: (
					await removeEmp.call(this, ctx, pid, eid, i, `${what}: remove the old appointment ${eid}`)
				).alreadyRemoved,
			}),
			bothExistMessage: (booked, e) =>
				`The new appointment ${String(booked.id)} (${b.date} ${b.start}) was booked, but removing the old appointment ${eid} (${String(old.pc_eventDate)} ${hhmm(old.pc_startTime)}) failed: ${e.message}. Both exist now: remove appointment ${eid} of patient ${pid} (Cancel Appointment).`,
		});
	},

	async get(ctx, i) {
		const eid = idParam(this, 'appointmentId', i, 'appointment ID');
		const pid = patientParam(this, i, false);
		const what = `Get Appointment ${eid}`;
		const res = await empRequest.call(this, ctx, {
			method: 'GET',
			path: pid ? ['patient', pid, 'appointment', eid] : ['appointment', eid],
			what,
			itemIndex: i,
			okStatuses: [404],
		});
		const [a] = res.status === 404 ? [] : dataList(res.body);
		if (!a)
			throw apiError(this.getNode(), {
				what,
				status: 404,
				message: `${what} failed: ${pid ? `patient ${pid} has` : 'eMedicalPractice has'} no appointment ${eid}`,
				hint: 'Check the appointment ID (Get Many Appointments).',
				itemIndex: i,
			});
		return empAppointment(a);
	},

	async list(ctx, i) {
		const pid = patientParam(this, i, false);
		const f = this.getNodeParameter('appointmentFilters', i, {}) as IDataObject;
		const filters = isRecord(f) ? f : {};
		const limit = readLimit(this, i, 'appointments');
		const from = dayParamOf(this, filters.from, 'From', i);
		const to = dayParamOf(this, filters.to, 'To', i);
		const provider = str(filters.provider);
		const list = await readList.call(
			this,
			ctx,
			pid ? ['patient', pid, 'appointment'] : ['appointment'],
			'Get Many Appointments',
			i,
		);
		return list
			.filter(
				(a) =>
					(!provider || str(a.pc_aid) === provider) &&
					(!from || String(a.pc_eventDate ?? '') >= from) &&
					(!to || String(a.pc_eventDate ?? '') <= to),
			)
			.sort((a, b) =>
				`${String(a.pc_eventDate)} ${hhmm(a.pc_startTime)}`.localeCompare(
					`${String(b.pc_eventDate)} ${hhmm(b.pc_startTime)}`,
				),
			)
			.slice(0, limit)
			.map(empAppointment);
	},
};

function dayParamOf(fn: Fn, v: unknown, label: string, i: number): string {
	const d = parseDate(v);
	if (d === null)
		throw new NodeOperationError(
			fn.getNode(),
			`${label} "${String(v).slice(0, 40)}" is not a date`,
			{
				itemIndex: i,
				description: `Enter ${label} as YYYY-MM-DD, or leave it empty.`,
			},
		);
	return d?.day ?? '';
}
