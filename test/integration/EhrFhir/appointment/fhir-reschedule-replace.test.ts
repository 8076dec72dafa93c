// EHR FHIR node, Reschedule Appointment on a FHIR server that does not declare Appointment update
// (the SMART store with the sandbox setting `smartWithhold: ['Appointment.update']`: its
// CapabilityStatement leaves update out and a PUT is refused with 405). The node books the new
// Slot first (conditional create) and cancels the old Appointment (patch) only after the new one
// exists; a failed cancel → the output says both exist and names the one to cancel; a lost answer
// on the new booking → exactly one new Appointment; a failed booking → the old one untouched; neither update nor patch → refused, nothing sent.
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import { client, type FhirClient } from '../../../sandbox/fhir-store-util';
import { schedulingStartDay } from '../../../../sandbox/data/scheduling';
import { requestsSince, rl, runAppointment } from './helpers';

let sb: Sandbox;
let fhir: FhirClient;
useFhirSandbox((s) => {
	sb = s;
});
const withhold = async (list: string[]) => {
	const r = await fetch(`${sb.url}/_admin/fhir/settings`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ smartWithhold: list }),
	});
	expect(r.status).toBe(200);
};
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	fhir = client(sb, 'smart', ['user/*.read']);
	await withhold(['Appointment.update']);
});

const DAY = schedulingStartDay(Date.now());
const slotStatus = async (id: string) => (await fhir.get(`Slot/${id}`)).body.status as string;
const appointments = async () =>
	((await fhir.get('Appointment?_count=100')).body.entry ?? []).map(
		(e: { resource: Record<string, unknown> }) => e.resource,
	) as Array<Record<string, unknown>>;
const writes = (log: string[]) => log.filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r));

/** two free Slots of pr-0001 and an Appointment of pt-00001 booked in the first */
async function booked() {
	const slots = (
		await runAppointment(sb, 'smart', {
			operation: 'findSlots',
			practitioner: 'pr-0001',
			slotFrom: DAY,
			slotTo: '2099-01-01',
			limit: 2,
		})
	).map((i) => String(i.json.id));
	const [b] = await runAppointment(sb, 'smart', {
		operation: 'book',
		slotId: slots[0],
		patientId: rl('pt-00001'),
	});
	return { s1: slots[0], s2: slots[1], oldId: String(b.json.id) };
}
const reschedule = (appointmentId: string, newSlotId: string) =>
	runAppointment(sb, 'smart', { operation: 'reschedule', appointmentId, newSlotId });

it('books the new Slot first (POST), then cancels the old Appointment (PATCH): a new id, old cancelled and its Slot free', async () => {
	const { s1, s2, oldId } = await booked();
	const before = sb.app.requests.length;
	const [r] = await reschedule(oldId, s2);
	const log = requestsSince(sb, before);
	expect(writes(log)).toEqual([
		'POST /smart/fhir/Appointment',
		`PATCH /smart/fhir/Appointment/${oldId}`,
	]);
	expect(r.json).toMatchObject({
		rescheduled: true,
		sameId: false,
		cancelledAppointmentId: oldId,
		oldAlreadyCancelled: false,
		status: 'booked',
		slotIds: [s2],
		patientId: 'pt-00001',
		practitioner: 'Practitioner/pr-0001',
		previous: { id: oldId, slotIds: [s1] },
	});
	expect(r.json.id).not.toBe(oldId);
	const stored = await appointments();
	expect(stored).toHaveLength(2);
	expect(stored.find((a) => a.id === oldId)).toMatchObject({
		status: 'cancelled',
		cancelationReason: { text: `Rescheduled: replaced by Appointment/${String(r.json.id)}` },
	});
	expect(stored.find((a) => a.id === r.json.id)?.status).toBe('booked');
	expect([await slotStatus(s1), await slotStatus(s2)]).toEqual(['free', 'busy']);
});

it('the cancel fails: the output says both exist and names the one to cancel; both are booked; a rerun finishes it', async () => {
	const { s1, s2, oldId } = await booked();
	sb.app.faults.add({
		surface: 'smart',
		kind: 'html-500',
		method: 'PATCH',
		pathContains: `/Appointment/${oldId}`,
	});
	const [r] = await reschedule(oldId, s2);
	const newId = String((r.json.newAppointment as { id: string }).id);
	expect(r.json).toMatchObject({
		rescheduled: false,
		bothExist: true,
		sameId: false,
		newAppointmentId: newId,
		oldAppointmentId: oldId,
		cancelAppointmentId: oldId,
		newAppointment: { slotIds: [s2], status: 'booked' },
		oldAppointment: { id: oldId, slotIds: [s1], status: 'booked' },
	});
	expect(newId).not.toBe(oldId);
	expect(String(r.json.message)).toMatch(
		new RegExp(`Both exist now: cancel appointment ${oldId} \\(Cancel Appointment\\)\\.$`),
	);
	const stored = await appointments();
	expect(stored.map((a) => [a.id, a.status]).sort()).toEqual(
		[
			[oldId, 'booked'],
			[newId, 'booked'],
		].sort(),
	);
	expect([await slotStatus(s1), await slotStatus(s2)]).toEqual(['busy', 'busy']);
	// run again: the new Slot's booking is found (not repeated), the old one is cancelled now
	const before = sb.app.requests.length;
	const [again] = await reschedule(oldId, s2);
	expect(again.json).toMatchObject({
		rescheduled: true,
		id: newId,
		alreadyBooked: true,
		cancelledAppointmentId: oldId,
	});
	expect(writes(requestsSince(sb, before))).toEqual([`PATCH /smart/fhir/Appointment/${oldId}`]);
	expect((await appointments()).length).toBe(2);
	expect(await slotStatus(s1)).toBe('free');
});

it('a lost answer on the new booking: the conditional create is repeated — exactly one new Appointment, the old one touched only after it', async () => {
	const { s2, oldId } = await booked();
	sb.app.faults.add({
		surface: 'smart',
		kind: 'reset',
		method: 'POST',
		pathContains: '/Appointment',
	});
	const before = sb.app.requests.length;
	const [r] = await reschedule(oldId, s2);
	expect(sb.app.faults.fired.map((f) => f.kind)).toEqual(['reset']);
	expect(writes(requestsSince(sb, before))).toEqual([
		'POST /smart/fhir/Appointment',
		'POST /smart/fhir/Appointment',
		`PATCH /smart/fhir/Appointment/${oldId}`,
	]);
	expect(r.json).toMatchObject({ rescheduled: true, sameId: false, slotIds: [s2] });
	const stored = await appointments();
	expect(stored.filter((a) => a.status === 'booked').map((a) => a.id)).toEqual([r.json.id]);
	expect(stored).toHaveLength(2);
});

it('the new booking fails (HTTP 500): an error that says the old appointment was kept; it is untouched', async () => {
	const { s1, s2, oldId } = await booked();
	sb.app.faults.add({
		surface: 'smart',
		kind: 'html-500',
		method: 'POST',
		pathContains: '/Appointment',
	});
	const before = sb.app.requests.length;
	const e = await failure(reschedule(oldId, s2));
	expect(e.message).toMatch(new RegExp(`\\(appointment ${oldId} was kept as it was\\)$`));
	expect(writes(requestsSince(sb, before))).toEqual(['POST /smart/fhir/Appointment']);
	const old = (await fhir.get(`Appointment/${oldId}`)).body;
	expect(old).toMatchObject({ status: 'booked', meta: { versionId: '1' } });
	expect([await slotStatus(s1), await slotStatus(s2)]).toEqual(['busy', 'free']);
});

it('neither update nor patch declared: refused before anything is sent', async () => {
	const { s2, oldId } = await booked();
	await withhold(['Appointment.update', 'Appointment.patch']);
	const before = sb.app.requests.length;
	const e = await failure(reschedule(oldId, s2));
	expect(e.message).toMatch(/declares neither Appointment update nor patch.*nothing was sent$/);
	expect(requestsSince(sb, before).filter((r) => !r.endsWith('/metadata'))).toEqual([]);
	expect(await appointments()).toHaveLength(1);
});
