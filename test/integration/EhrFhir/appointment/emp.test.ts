// EHR FHIR node, Appointment on eMedicalPractice (Standard API under <server>/api), through the
// harness against the sandbox: book → stored; the provider's overlap refused before anything is
// posted; a lost booking answer → exactly one appointment, found and reported; cancel → removed;
// reschedule books first and removes second (a failing removal → the output names both); the
// booking refused → the old appointment kept; vendors without a booking API refused unsent.
import type { Sandbox } from '../../../../sandbox/server';
import { armFault } from '../../../helpers/sandbox';
import { failure, useFhirSandbox } from '../helpers';
import { empStored, requestsSince, rl, runAppointment } from './helpers';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
});

const DAY = '2030-01-07';
const book = (over: Record<string, unknown> = {}) => ({
	operation: 'book',
	empPatient: rl('3'),
	provider: '1',
	facility: '3',
	categoryId: '5',
	title: 'Office Visit',
	date: DAY,
	startTime: '09:30',
	duration: 20,
	comment: 'Follow-up',
	...over,
});
const API = '/emp/api';

describe('Book Appointment', () => {
	it('posts once and the appointment is stored with the fields given (duration in seconds)', async () => {
		const before = sb.app.requests.length;
		const [out] = await runAppointment(sb, 'emp', book());
		expect(out.json).toMatchObject({
			booked: true,
			patientId: '3',
			providerId: '1',
			facilityId: '3',
			date: DAY,
			startTime: '09:30',
			endTime: '09:50',
			durationMinutes: 20,
			status: '-',
			comment: 'Follow-up',
		});
		const stored = await empStored(sb);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({
			pc_eid: out.json.id,
			pc_pid: '3',
			pc_aid: '1',
			pc_eventDate: DAY,
			pc_startTime: '09:30:00',
			pc_duration: '1200',
			pc_facility: '3',
			pc_billing_location: '3',
			pc_catid: '5',
		});
		expect(requestsSince(sb, before).filter((r) => r.startsWith('POST'))).toEqual([
			`POST ${API}/patient/3/appointment`,
		]);
	});

	it("the provider's overlapping appointment: refused, nothing posted", async () => {
		await runAppointment(
			sb,
			'emp',
			book({ empPatient: rl('4'), startTime: '09:00', duration: 45 }),
		);
		const before = sb.app.requests.length;
		const e = await failure(runAppointment(sb, 'emp', book()));
		expect(e.message).toMatch(
			/^Book Appointment refused: provider 1 is busy on 2030-01-07 from 09:00 \(appointment 1, 45 min\), which overlaps 09:30–09:50; nothing was booked$/,
		);
		expect(requestsSince(sb, before).some((r) => r.startsWith('POST'))).toBe(false);
		expect(await empStored(sb)).toHaveLength(1);
		// another provider, or the check turned off: booked
		await runAppointment(sb, 'emp', book({ provider: '2' }));
		await runAppointment(sb, 'emp', book({ appointmentOptions: { refuseIfBusy: false } }));
		expect((await empStored(sb)).length).toBe(3);
	});

	it('a lost answer: the POST is not repeated, the appointment is found and reported, exactly one exists', async () => {
		await runAppointment(sb, 'emp', book({ startTime: '08:00', duration: 15 })); // an older one
		await armFault(sb, {
			surface: 'emp',
			kind: 'lost-response',
			method: 'POST',
			pathContains: '/appointment',
		});
		const before = sb.app.requests.length;
		const [out] = await runAppointment(sb, 'emp', book());
		expect(out.json).toMatchObject({
			booked: true,
			recoveredAfterLostResponse: true,
			startTime: '09:30',
			message: expect.stringMatching(
				/^Found after a lost answer: appointment 2 \(patient 3 with provider 1 on 2030-01-07 at 09:30\)$/,
			),
		});
		const posts = requestsSince(sb, before).filter((r) => r.startsWith('POST'));
		expect(posts).toHaveLength(1);
		const stored = await empStored(sb);
		expect(stored.filter((a) => a.pc_startTime === '09:30:00')).toHaveLength(1);
		expect(stored).toHaveLength(2);
	});

	it('a lost answer and the lookup fails too: "state unknown" with what to check, never a second POST', async () => {
		await armFault(sb, [
			{ surface: 'emp', kind: 'lost-response', method: 'POST', pathContains: '/appointment' },
			// the read before the booking passes; the look-up after the lost answer fails (500, not repeated)
			{
				surface: 'emp',
				kind: 'html-500',
				method: 'GET',
				pathContains: '/patient/3/appointment',
				after: 1,
				times: 5,
			},
		]);
		const before = sb.app.requests.length;
		const e = await failure(runAppointment(sb, 'emp', book()));
		expect(e.message).toMatch(
			/^Booking state unknown — check eMedicalPractice before retrying: no answer to the booking of patient 3 with provider 1 on 2030-01-07 at 09:30 \(.+\); looking up the patient's appointments failed too \(.+\)$/,
		);
		expect(e.description).toMatch(/Get Many Appointments for patient 3/);
		expect(requestsSince(sb, before).filter((r) => r.startsWith('POST'))).toHaveLength(1);
		// it did happen: one appointment, and the node did not claim otherwise
		expect(await empStored(sb)).toHaveLength(1);
	});

	it('a refusal by eMedicalPractice (422) names the field; nothing was booked', async () => {
		const e = await failure(runAppointment(sb, 'emp', book({ categoryId: '999' })));
		expect(e.httpCode).toBe('422');
		expect(e.message).toMatch(
			/^Book Appointment failed \(HTTP 422\): validation errors: .*pc_catid.*unknown category.*; nothing was booked$/,
		);
		expect(await empStored(sb)).toHaveLength(0);
	});

	it('bad fields are refused before any request, per item with Continue On Fail', async () => {
		const before = sb.app.requests.length;
		const out = await runAppointment(sb, 'emp', book({ startTime: '={{ $json.t }}' }), {
			continueOnFail: true,
			items: [{ json: { t: '25:00' } }, { json: { t: '10:15' } }],
		});
		expect(out[0].json.error).toBe('Start time "25:00" is not a time');
		expect(out[1].json).toMatchObject({ booked: true, startTime: '10:15' });
		expect(requestsSince(sb, before).filter((r) => r.startsWith('POST'))).toHaveLength(1);
	});
});

describe('Cancel Appointment', () => {
	it('removes it; an unknown ID is a clear error, or success with "Treat Already Removed as Success"', async () => {
		const [b] = await runAppointment(sb, 'emp', book());
		const id = String(b.json.id);
		const [c] = await runAppointment(sb, 'emp', {
			operation: 'cancel',
			empPatient: rl('3'),
			appointmentId: id,
		});
		expect(c.json).toMatchObject({ deleted: true, id, patientId: '3', alreadyRemoved: false });
		expect(await empStored(sb)).toHaveLength(0);
		const e = await failure(
			runAppointment(sb, 'emp', { operation: 'cancel', empPatient: rl('3'), appointmentId: id }),
		);
		expect(e.message).toBe(
			`Cancel Appointment ${id} failed: patient 3 has no appointment ${id} (it may have been removed already); nothing was removed`,
		);
		const [again] = await runAppointment(sb, 'emp', {
			operation: 'cancel',
			empPatient: rl('3'),
			appointmentId: id,
			appointmentOptions: { alreadyRemovedOk: true },
		});
		expect(again.json).toMatchObject({ deleted: true, alreadyRemoved: true });
	});

	it('a lost answer to the DELETE: settled by reading the appointment, the DELETE sent once', async () => {
		const [b] = await runAppointment(sb, 'emp', book());
		await armFault(sb, { surface: 'emp', kind: 'lost-response', method: 'DELETE' });
		const before = sb.app.requests.length;
		const [c] = await runAppointment(sb, 'emp', {
			operation: 'cancel',
			empPatient: rl('3'),
			appointmentId: String(b.json.id),
		});
		expect(c.json).toMatchObject({ deleted: true, recoveredAfterLostResponse: true });
		expect(requestsSince(sb, before).filter((r) => r.startsWith('DELETE'))).toHaveLength(1);
		expect(await empStored(sb)).toHaveLength(0);
	});
});

describe('Reschedule Appointment', () => {
	const move = (id: string, over: Record<string, unknown> = {}) => ({
		operation: 'reschedule',
		empPatient: rl('3'),
		appointmentId: id,
		newDate: '2030-01-08',
		newStartTime: '11:00',
		...over,
	});

	it('books the new time first, then removes the old one', async () => {
		const [b] = await runAppointment(sb, 'emp', book());
		const old = String(b.json.id);
		const before = sb.app.requests.length;
		const [r] = await runAppointment(sb, 'emp', move(old));
		expect(r.json).toMatchObject({
			rescheduled: true,
			removedAppointmentId: old,
			date: '2030-01-08',
			startTime: '11:00',
			durationMinutes: 20,
			providerId: '1',
			title: 'Office Visit',
		});
		const writes = requestsSince(sb, before).filter((x) => /^(POST|DELETE)/.test(x));
		expect(writes).toEqual([
			`POST ${API}/patient/3/appointment`,
			`DELETE ${API}/patient/3/appointment/${old}`,
		]);
		const stored = await empStored(sb);
		expect(stored.map((a) => [a.pc_eventDate, a.pc_startTime])).toEqual([
			['2030-01-08', '11:00:00'],
		]);
	});

	it('the removal of the old one fails: the output says both exist and which one to remove', async () => {
		const [b] = await runAppointment(sb, 'emp', book());
		const old = String(b.json.id);
		await armFault(sb, { surface: 'emp', kind: 'transient-5xx', method: 'DELETE', status: 500 });
		const [r] = await runAppointment(sb, 'emp', move(old));
		const stored = await empStored(sb);
		expect(stored).toHaveLength(2);
		const fresh = stored.find((a) => a.pc_eid !== old)!;
		expect(r.json).toMatchObject({
			rescheduled: false,
			bothExist: true,
			removeAppointmentId: old,
			newAppointment: { id: fresh.pc_eid, date: '2030-01-08', startTime: '11:00' },
			oldAppointment: { id: old, date: DAY, startTime: '09:30' },
		});
		expect(r.json.message).toMatch(
			new RegExp(
				`^The new appointment ${fresh.pc_eid} \\(2030-01-08 11:00\\) was booked, but removing the old appointment ${old} \\(2030-01-07 09:30\\) failed: .*HTTP 500.*Both exist now: remove appointment ${old} of patient 3 \\(Cancel Appointment\\)\\.$`,
			),
		);
	});

	it('the new time is refused (provider busy): the old appointment is kept, nothing removed', async () => {
		const [b] = await runAppointment(sb, 'emp', book());
		await runAppointment(
			sb,
			'emp',
			book({ empPatient: rl('5'), date: '2030-01-08', startTime: '10:50' }),
		);
		const before = sb.app.requests.length;
		const e = await failure(runAppointment(sb, 'emp', move(String(b.json.id))));
		expect(e.message).toMatch(
			/^Reschedule Appointment 1 refused: provider 1 is busy on 2030-01-08 .*nothing was booked \(appointment 1 was kept as it was\)$/,
		);
		expect(requestsSince(sb, before).some((x) => /^(POST|DELETE)/.test(x))).toBe(false);
		expect((await empStored(sb)).map((a) => a.pc_eid).sort()).toEqual(['1', '2']);
	});

	it('moving within its own time (later by 10 minutes) is not refused as an overlap with itself', async () => {
		const [b] = await runAppointment(sb, 'emp', book());
		const [r] = await runAppointment(
			sb,
			'emp',
			move(String(b.json.id), { newDate: DAY, newStartTime: '09:40' }),
		);
		expect(r.json).toMatchObject({ rescheduled: true, startTime: '09:40' });
		expect(await empStored(sb)).toHaveLength(1);
	});
});

describe('Get Appointment, Get Many Appointments', () => {
	it('get by ID (with or without the patient); many filtered by provider and days', async () => {
		const [a] = await runAppointment(sb, 'emp', book());
		await runAppointment(sb, 'emp', book({ provider: '2', date: '2030-01-09' }));
		await runAppointment(sb, 'emp', book({ empPatient: rl('4'), startTime: '13:00' }));
		const [g] = await runAppointment(sb, 'emp', {
			operation: 'get',
			appointmentId: String(a.json.id),
		});
		expect(g.json).toMatchObject({ id: a.json.id, patientId: '3', startTime: '09:30' });
		const [g2] = await runAppointment(sb, 'emp', {
			operation: 'get',
			appointmentId: String(a.json.id),
			empPatient: rl('3'),
		});
		expect(g2.json.id).toBe(a.json.id);
		const mine = await runAppointment(sb, 'emp', {
			operation: 'list',
			empPatient: rl('3'),
			returnAll: true,
		});
		expect(mine.map((x) => x.json.date)).toEqual([DAY, '2030-01-09']);
		const day = await runAppointment(sb, 'emp', {
			operation: 'list',
			empPatient: rl(''),
			returnAll: true,
			appointmentFilters: { provider: '1', from: DAY, to: DAY },
		});
		expect(day.map((x) => [x.json.patientId, x.json.startTime])).toEqual([
			['3', '09:30'],
			['4', '13:00'],
		]);
		const e = await failure(runAppointment(sb, 'emp', { operation: 'get', appointmentId: '999' }));
		expect(e.message).toBe('Get Appointment 999 failed: eMedicalPractice has no appointment 999');
	});
});

describe('refused before any request', () => {
	it('Find Free Slots on eMedicalPractice (no slots in its Standard API)', async () => {
		const before = sb.app.requests.length;
		const e = await failure(runAppointment(sb, 'emp', { operation: 'findSlots' }));
		expect(e.message).toBe(
			"eMedicalPractice's Standard API has no free-slot search: nothing was sent",
		);
		expect(requestsSince(sb, before)).toEqual([]);
	});

	it.each(['onpatient', 'oneup-r4'] as const)('%s: no booking API', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(
			runAppointment(sb, vendor, { operation: 'book', slotId: 'x', patientId: rl('pt-00001') }),
		);
		expect(e.message).toMatch(
			/has no appointment booking API this node can use: nothing was sent$/,
		);
		expect(requestsSince(sb, before)).toEqual([]);
	});

	it('a token without the Standard API scope: 403 named, nothing booked', async () => {
		const e = await failure(
			runAppointment(sb, 'emp', book(), { scopes: ['openid', 'user/*.read'] }),
		);
		expect(e.httpCode).toBe('403');
		expect(await empStored(sb)).toHaveLength(0);
	});
});
