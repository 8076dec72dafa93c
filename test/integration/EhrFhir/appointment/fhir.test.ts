// EHR FHIR node, Appointment on a SMART on FHIR server with Schedules and Slots (the sandbox's
// SMART store keeps Slot state), through the harness: Find Free Slots by practitioner or schedule;
// Book = conditional create on an identifier derived from Slot + patient (the Slot becomes busy; a
// retry after a lost answer finds the first booking: exactly one appointment); two concurrent
// bookings of one Slot → one wins, one "pick another slot"; Cancel frees the Slot (JSON Patch with
// If-Match); Reschedule moves the same Appointment to a new Slot; the dropdowns.
import type { Sandbox } from '../../../../sandbox/server';
import { armFault } from '../../../helpers/sandbox';
import { loadOptions } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import { failure, useFhirSandbox } from '../helpers';
import { storeCredentials } from '../store';
import { client, type FhirClient } from '../../../sandbox/fhir-store-util';
import { schedulingStartDay } from '../../../../sandbox/data/scheduling';
import { requestsSince, rl, runAppointment } from './helpers';

let sb: Sandbox;
let fhir: FhirClient;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	fhir = client(sb, 'smart', ['user/*.read']);
});

const DAY = schedulingStartDay(Date.now());
const FAR = '2099-01-01';
const SYSTEM = 'urn:n8n-nodes-ehr:appointment-booking';

async function freeSlots(practitioner = 'pr-0001'): Promise<Array<Record<string, unknown>>> {
	return (
		await runAppointment(sb, 'smart', {
			operation: 'findSlots',
			practitioner,
			slotFrom: DAY,
			slotTo: FAR,
			returnAll: true,
		})
	).map((i) => i.json);
}
const slotStatus = async (id: string) => (await fhir.get(`Slot/${id}`)).body.status as string;
const appointments = async () =>
	((await fhir.get('Appointment?_count=100')).body.entry ?? []).map(
		(e: { resource: Record<string, unknown> }) => e.resource,
	) as Array<Record<string, unknown>>;
const book = (slotId: string, patient = 'pt-00001', extra: Record<string, unknown> = {}) => ({
	operation: 'book',
	slotId,
	patientId: rl(patient),
	...extra,
});

describe('Find Free Slots', () => {
	it("a practitioner's free slots in a range (their Schedules searched first), by schedule, with a limit", async () => {
		const slots = await freeSlots();
		expect(slots).toHaveLength(30);
		expect(slots[0]).toMatchObject({
			status: 'free',
			schedule: 'Schedule/sch-pr-0001',
			practitioner: 'Practitioner/pr-0001',
			start: expect.stringMatching(/T09:00:00Z$/),
		});
		expect(slots.map((s) => s.start)).toEqual([...slots.map((s) => String(s.start))].sort());
		const limited = await runAppointment(sb, 'smart', {
			operation: 'findSlots',
			schedule: 'sch-pr-0002',
			slotFrom: DAY,
			slotTo: FAR,
			limit: 4,
		});
		expect(limited.map((i) => i.json.schedule)).toEqual(Array(4).fill('Schedule/sch-pr-0002'));
		// a booked slot is no longer listed
		await runAppointment(sb, 'smart', book(String(slots[0].id)));
		expect((await freeSlots()).map((s) => s.id)).not.toContain(slots[0].id);
	});

	it('dropdowns: practitioners; the schedules of the chosen practitioner', async () => {
		const { type, store } = storeCredentials(sb, 'smart');
		const base = { authentication: type, resource: 'appointment', operation: 'findSlots' };
		const practitioners = await loadOptions(EhrFhir, 'getPractitioners', {
			parameters: base,
			credentials: store,
		});
		expect(practitioners.map((p) => p.value)).toEqual(['pr-0001', 'pr-0002', 'pr-0003']);
		expect(practitioners[0].name).toBe('Dr. Maria Okafor');
		const schedules = await loadOptions(EhrFhir, 'getSchedules', {
			parameters: { ...base, practitioner: 'pr-0003' },
			credentials: store,
		});
		expect(schedules).toEqual([{ name: 'Priya Raman — Pediatrics', value: 'sch-pr-0003' }]);
	});
});

describe('Book Appointment', () => {
	it('creates a booked Appointment in the Slot (conditional create on Slot + patient); the Slot is busy', async () => {
		const [slot] = await freeSlots();
		const before = sb.app.requests.length;
		const [out] = await runAppointment(
			sb,
			'smart',
			book(String(slot.id), 'pt-00004', { appointmentOptions: { description: 'Check-up' } }),
		);
		expect(out.json).toMatchObject({
			booked: true,
			alreadyBooked: false,
			status: 'booked',
			start: slot.start,
			end: slot.end,
			slotIds: [slot.id],
			patientId: 'pt-00004',
			practitioner: 'Practitioner/pr-0001',
			description: 'Check-up',
		});
		expect(await slotStatus(String(slot.id))).toBe('busy');
		const stored = await appointments();
		expect(stored).toHaveLength(1);
		expect(stored[0].identifier).toEqual([
			{ system: SYSTEM, value: `Slot/${slot.id}/Patient/pt-00004` },
		]);
		const post = sb.app.requests.slice(before).find((r) => r.method === 'POST')!;
		expect(post.headers['if-none-exist']).toBe(
			`identifier=${SYSTEM}|Slot/${slot.id}/Patient/pt-00004`,
		);
	});

	it('run again (the same slot and patient): the first booking is the answer, nothing is sent twice', async () => {
		const [slot] = await freeSlots();
		const [first] = await runAppointment(sb, 'smart', book(String(slot.id)));
		const before = sb.app.requests.length;
		const [again] = await runAppointment(sb, 'smart', book(String(slot.id)));
		expect(again.json).toMatchObject({ booked: true, alreadyBooked: true, id: first.json.id });
		expect(requestsSince(sb, before).some((r) => r.startsWith('POST'))).toBe(false);
		expect(await appointments()).toHaveLength(1);
	});

	it('a lost answer: the conditional create is repeated and answers the first booking — exactly one appointment', async () => {
		const [slot] = await freeSlots();
		sb.app.faults.add({
			surface: 'smart',
			kind: 'reset',
			method: 'POST',
			pathContains: '/Appointment',
		});
		const before = sb.app.requests.length;
		const [out] = await runAppointment(sb, 'smart', book(String(slot.id)));
		const posts = requestsSince(sb, before).filter((r) => r.startsWith('POST'));
		expect(posts).toEqual(['POST /smart/fhir/Appointment', 'POST /smart/fhir/Appointment']);
		expect(sb.app.faults.fired.map((f) => f.kind)).toEqual(['reset']);
		expect(out.json).toMatchObject({ booked: true, alreadyBooked: true, slotIds: [slot.id] });
		expect(await appointments()).toHaveLength(1);
	});

	it('two concurrent bookings of one Slot (two patients): one wins, the other is told to pick another slot', async () => {
		const [slot] = await freeSlots();
		const results = await Promise.allSettled(
			['pt-00001', 'pt-00002'].map((p) => runAppointment(sb, 'smart', book(String(slot.id), p))),
		);
		const won = results.filter((r) => r.status === 'fulfilled');
		const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(won).toHaveLength(1);
		expect(lost).toHaveLength(1);
		expect((lost[0].reason as Error).message).toMatch(
			new RegExp(
				`^Book Appointment in Slot ${String(slot.id)} failed: Slot ${String(slot.id)} is (no longer free \\(HTTP 409: .*\\)|busy); pick another slot`,
			),
		);
		expect(await appointments()).toHaveLength(1);
	});

	it('the Slot taken between the read and the POST: the server\'s 409 becomes "pick another slot", nothing booked for this patient', async () => {
		const [slot] = await freeSlots();
		const id = String(slot.id);
		// the node has read the Slot (free); its read of the Schedule answers late; meanwhile someone else books the Slot
		sb.app.faults.add({
			surface: 'smart',
			kind: 'slow',
			method: 'GET',
			pathContains: '/Schedule/sch-pr-0001',
			delayMs: 400,
		});
		const run = runAppointment(sb, 'smart', book(id, 'pt-00001'));
		await new Promise((r) => setTimeout(r, 100));
		const other = client(sb, 'smart', ['user/*.write']);
		const taken = await other.call('POST', 'Appointment', {
			resourceType: 'Appointment',
			status: 'booked',
			slot: [{ reference: `Slot/${id}` }],
			participant: [{ actor: { reference: 'Patient/pt-00002' }, status: 'accepted' }],
		});
		expect(taken.status).toBe(201);
		const e = await failure(run);
		expect(e.httpCode).toBe('409');
		expect(e.message).toMatch(
			new RegExp(
				`^Book Appointment in Slot ${id} failed: Slot ${id} is no longer free \\(HTTP 409: error/conflict: Slot/${id} is busy: it cannot be booked\\.\\); pick another slot$`,
			),
		);
		expect(
			(await appointments()).map(
				(a) => (a.participant as Array<{ actor: { reference: string } }>)[0].actor.reference,
			),
		).toEqual(['Patient/pt-00002']);
	});

	it('a Slot taken by someone else: refused before anything is posted', async () => {
		const [slot] = await freeSlots();
		await runAppointment(sb, 'smart', book(String(slot.id), 'pt-00002'));
		const before = sb.app.requests.length;
		const e = await failure(runAppointment(sb, 'smart', book(String(slot.id), 'pt-00001')));
		expect(e.message).toBe(
			`Book Appointment in Slot ${String(slot.id)} failed: Slot ${String(slot.id)} is busy; pick another slot (nothing was sent)`,
		);
		expect(requestsSince(sb, before).some((r) => r.startsWith('POST'))).toBe(false);
	});

	it('an unknown slot, a slot ID that is not a FHIR id: clear errors per item', async () => {
		const out = await runAppointment(sb, 'smart', book('={{ $json.s }}'), {
			continueOnFail: true,
			items: [{ json: { s: 'no-such-slot' } }, { json: { s: 'a b' } }],
		});
		expect(out[0].json.error).toBe(
			'Book Appointment in Slot no-such-slot: read the slot failed: SMART on FHIR server has no Slot no-such-slot',
		);
		expect(out[1].json.error).toBe('"a b" is not a slot ID');
	});
});

describe('Cancel Appointment', () => {
	it('status cancelled by a JSON Patch with If-Match; the Slot is free again; again → already cancelled', async () => {
		const [slot] = await freeSlots();
		const [b] = await runAppointment(sb, 'smart', book(String(slot.id)));
		const before = sb.app.requests.length;
		const [c] = await runAppointment(sb, 'smart', {
			operation: 'cancel',
			appointmentId: String(b.json.id),
			appointmentOptions: { cancellationReason: 'Patient ill' },
		});
		expect(c.json).toMatchObject({
			cancelled: true,
			alreadyCancelled: false,
			status: 'cancelled',
			id: b.json.id,
		});
		const patch = sb.app.requests.slice(before).find((r) => r.method === 'PATCH')!;
		expect(patch.headers['if-match']).toBe('W/"1"');
		expect(await slotStatus(String(slot.id))).toBe('free');
		const [again] = await runAppointment(sb, 'smart', {
			operation: 'cancel',
			appointmentId: String(b.json.id),
		});
		expect(again.json).toMatchObject({ cancelled: true, alreadyCancelled: true });
		expect((await fhir.get(`Appointment/${String(b.json.id)}`)).body.cancelationReason).toEqual({
			text: 'Patient ill',
		});
	});
	it('the same patient books a Slot again after cancelling it: the cancelled Appointment is booked again (one Appointment, Slot busy)', async () => {
		const [slot] = await freeSlots();
		const [b] = await runAppointment(sb, 'smart', book(String(slot.id)));
		await runAppointment(sb, 'smart', { operation: 'cancel', appointmentId: String(b.json.id) });
		expect(await slotStatus(String(slot.id))).toBe('free');
		const [again] = await runAppointment(sb, 'smart', book(String(slot.id)));
		expect(again.json).toMatchObject({
			booked: true,
			rebooked: true,
			id: b.json.id,
			status: 'booked',
		});
		expect(await slotStatus(String(slot.id))).toBe('busy');
		expect(await appointments()).toHaveLength(1);
	});
});

describe('Reschedule Appointment', () => {
	it('moves the same Appointment to the new Slot (update with If-Match): new busy, old free', async () => {
		const [s1, s2] = await freeSlots();
		const [b] = await runAppointment(sb, 'smart', book(String(s1.id)));
		const [r] = await runAppointment(sb, 'smart', {
			operation: 'reschedule',
			appointmentId: String(b.json.id),
			newSlotId: String(s2.id),
		});
		expect(r.json).toMatchObject({
			rescheduled: true,
			id: b.json.id,
			slotIds: [s2.id],
			start: s2.start,
			previousSlotIds: [s1.id],
		});
		expect([await slotStatus(String(s1.id)), await slotStatus(String(s2.id))]).toEqual([
			'free',
			'busy',
		]);
		const stored = await appointments();
		expect(stored).toHaveLength(1);
		expect(stored[0].identifier).toEqual([
			{ system: SYSTEM, value: `Slot/${String(s2.id)}/Patient/pt-00001` },
		]);
	});

	it('to another practitioner: the participant follows the new Schedule', async () => {
		const [s1] = await freeSlots();
		const [other] = await freeSlots('pr-0002');
		const [b] = await runAppointment(sb, 'smart', book(String(s1.id)));
		const [r] = await runAppointment(sb, 'smart', {
			operation: 'reschedule',
			appointmentId: String(b.json.id),
			newSlotId: String(other.id),
		});
		expect(r.json.practitioner).toBe('Practitioner/pr-0002');
		expect(r.json.patientId).toBe('pt-00001');
	});

	it('into a taken Slot: "pick another slot", the appointment kept as it was', async () => {
		const [s1, s2] = await freeSlots();
		const [b] = await runAppointment(sb, 'smart', book(String(s1.id)));
		await runAppointment(sb, 'smart', book(String(s2.id), 'pt-00009'));
		const e = await failure(
			runAppointment(sb, 'smart', {
				operation: 'reschedule',
				appointmentId: String(b.json.id),
				newSlotId: String(s2.id),
			}),
		);
		expect(e.message).toMatch(/pick another slot; appointment .+ was kept as it was$/);
		expect(await slotStatus(String(s1.id))).toBe('busy');
		expect((await fhir.get(`Appointment/${String(b.json.id)}`)).body.slot).toEqual([
			{ reference: `Slot/${String(s1.id)}` },
		]);
	});
});

describe('Get Appointment, Get Many Appointments', () => {
	it('by ID; many by patient and status', async () => {
		const [s1, s2] = await freeSlots();
		const [a] = await runAppointment(sb, 'smart', book(String(s1.id)));
		await runAppointment(sb, 'smart', book(String(s2.id), 'pt-00002'));
		const [g] = await runAppointment(sb, 'smart', {
			operation: 'get',
			appointmentId: String(a.json.id),
		});
		expect(g.json).toMatchObject({ id: a.json.id, status: 'booked', patientId: 'pt-00001' });
		const mine = await runAppointment(sb, 'smart', {
			operation: 'list',
			returnAll: true,
			appointmentFilters: { patientId: 'pt-00001', status: 'booked' },
		});
		expect(mine.map((i) => i.json.id)).toEqual([a.json.id]);
		const all = await runAppointment(sb, 'smart', {
			operation: 'list',
			returnAll: true,
			appointmentFilters: { practitioner: 'pr-0001', from: DAY },
		});
		expect(all).toHaveLength(2);
	});
});
