// Never twice, never lost: lost answers, 5xx, a slot taken meanwhile, and many bookings at once —
// through the node's real execute against the sandbox's booking state.
import { armFault } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { adminAppointments, bookingPosts, patientToken, run, runJson, slotsOverHttp, API, useMppSandbox } from './helpers';

const bookParams = (slotId: string, ins = '136', cat = '53', type = '198') => ({
	operation: 'book',
	insuranceId: ins,
	appointmentCategoryId: cat,
	appointmentTypeId: type,
	availabilityId: slotId,
});

describe('MyPatientPortal node: never twice, never lost', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => {
		sb = s;
		token = t;
	});

	it('lost answer after the booking was committed: one appointment, reported as booked, one POST', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[3];
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', pathContains: '/booking', method: 'POST' });
		const out = await runJson(sb, token, bookParams(slot.id));
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({ status: 'booked', start_time: slot.start_time, availabilityId: slot.id, recoveredAfterLostResponse: true });
		const all = await adminAppointments(sb, 'pt-00001');
		expect(all).toHaveLength(1);
		expect(all[0]).toMatchObject({ id: out[0].json.id, availability_id: slot.id, status: 'booked' });
		expect(await bookingPosts(sb)).toBe(1);
		const fired = (await (await fetch(`${sb.url}/_admin/faults`)).json()) as { fired: Array<{ kind: string }> };
		expect(fired.fired.map((f) => f.kind)).toEqual(['lost-response']);
	});

	it('lost answer and the appointments cannot be read: "booking state unknown", never a second POST', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[5];
		await armFault(sb, [
			{ surface: 'mpp', kind: 'lost-response', pathContains: '/booking', method: 'POST' },
			{ surface: 'mpp', kind: 'unavailable', pathContains: `${API}/appointments`, method: 'GET', times: 50, retryAfter: '0' },
		]);
		const err = (await run(sb, token, bookParams(slot.id)).catch((e: unknown) => e)) as Error & { description?: string };
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(
			new RegExp(
				`^Booking state unknown — check the portal before retrying: no answer to the booking of availability ${escape(slot.id)} at ${escape(slot.start_time)} \\(.*connection was closed.*\\); looking up the patient's appointments failed too`,
			),
		);
		expect(err.description).toContain('before booking again');
		expect(await bookingPosts(sb)).toBe(1);
		// it was in fact booked: exactly once
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.availability_id)).toEqual([slot.id]);
	});

	it('a 503 to the booking is not retried; the node checks and reports the state as unknown', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[6];
		await armFault(sb, { surface: 'mpp', kind: 'unavailable', pathContains: '/booking', method: 'POST', times: 5, retryAfter: '0' });
		await expect(run(sb, token, bookParams(slot.id))).rejects.toThrow(
			`Booking state unknown — check the portal before retrying: no answer to the booking of availability ${slot.id} at ${slot.start_time} (the portal answered HTTP 503 (service_unavailable: Service temporarily unavailable)); no appointment at that time is among the patient's appointments yet`,
		);
		expect(await bookingPosts(sb)).toBe(1);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
	});

	it('lost answer to a reschedule: the move happened once, reported with old and new time', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 199, 137);
		const [booked] = await runJson(sb, token, bookParams(slots[0].id, '137', '53', '199'));
		const id = booked.json.id as string;
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', method: 'PUT' });
		const [moved] = await runJson(sb, token, { operation: 'reschedule', appointmentId: id, newAvailabilityId: slots[4].id });
		expect(moved.json).toMatchObject({
			id,
			start_time: slots[4].start_time,
			previousStartTime: slots[0].start_time,
			recoveredAfterLostResponse: true,
		});
		const reqs = ((await (await fetch(`${sb.url}/_admin/requests`)).json()) as { requests: Array<{ method: string }> }).requests;
		expect(reqs.filter((r) => r.method === 'PUT')).toHaveLength(1);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([expect.objectContaining({ id, availability_id: slots[4].id })]);
	});

	it('lost answer to a reschedule that cannot be checked: "reschedule state unknown", one PUT', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 199, 136);
		const [booked] = await runJson(sb, token, bookParams(slots[0].id, '136', '53', '199'));
		const id = booked.json.id as string;
		await armFault(sb, [
			{ surface: 'mpp', kind: 'lost-response', method: 'PUT' },
			// the reads before the PUT pass (2), every read after it fails
			{ surface: 'mpp', kind: 'unavailable', pathContains: `${API}/appointments/`, method: 'GET', after: 2, times: 50, retryAfter: '0' },
		]);
		await expect(run(sb, token, { operation: 'reschedule', appointmentId: id, newAvailabilityId: slots[3].id })).rejects.toThrow(
			new RegExp(
				`^Reschedule state unknown — check the portal before retrying: no answer to moving appointment ${id} to availability ${escape(slots[3].id)} at ${escape(slots[3].start_time)} \\(.*ECONNRESET.*\\); reading the appointment failed too`,
			),
		);
		const reqs = ((await (await fetch(`${sb.url}/_admin/requests`)).json()) as { requests: Array<{ method: string }> }).requests;
		expect(reqs.filter((r) => r.method === 'PUT')).toHaveLength(1);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([expect.objectContaining({ id, availability_id: slots[3].id })]);
	});

	it('slot-taken race: two executions for one slot give one booking and one clear error', async () => {
		const slot = (await slotsOverHttp(sb, token, 54, 210, 136))[2];
		const other = patientToken(sb, 'pt-00007');
		const results = await Promise.allSettled([run(sb, token, bookParams(slot.id, '136', '54', '210')), run(sb, other, bookParams(slot.id, '136', '54', '210'))]);
		const ok = results.filter((r) => r.status === 'fulfilled');
		const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(ok).toHaveLength(1);
		expect(failed).toHaveLength(1);
		expect((failed[0].reason as Error).message).toBe(
			`Book Appointment failed (HTTP 422): availability_taken: The selected time slot is no longer available. Pick another slot (the one at ${slot.start_time} is not bookable)`,
		);
		expect((failed[0].reason as { description?: string }).description).toBe(
			'Nothing was booked. Load the availabilities again (or run Find Availabilities) and choose another slot.',
		);
		const all = await adminAppointments(sb);
		expect(all.filter((a) => a.availability_id === slot.id && a.status === 'booked')).toHaveLength(1);
		expect(await bookingPosts(sb)).toBe(2);
	});

	it('20 concurrent Book executions for distinct slots: 20 appointments, no duplicates', async () => {
		const slots = (await slotsOverHttp(sb, token, 53, 198, 136)).slice(0, 20);
		expect(slots).toHaveLength(20);
		const outs = await Promise.all(slots.map((s) => runJson(sb, token, bookParams(s.id))));
		const ids = outs.map((o) => o[0].json.id as string);
		expect(new Set(ids).size).toBe(20);
		outs.forEach((o, k) => expect(o[0].json).toMatchObject({ start_time: slots[k].start_time, availabilityId: slots[k].id, recoveredAfterLostResponse: false }));
		const all = await adminAppointments(sb, 'pt-00001');
		expect(all).toHaveLength(20);
		expect(new Set(all.map((a) => a.availability_id))).toEqual(new Set(slots.map((s) => s.id)));
		expect(new Set(all.map((a) => a.id))).toEqual(new Set(ids));
		expect(await bookingPosts(sb)).toBe(20);
	});

	it('several items in one execution: each booked once, a taken slot fails only its own item', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 200, 136);
		const r = await run(sb, token, { ...bookParams('={{ $json.slot }}', '136', '53', '200') }, {
			continueOnFail: true,
			items: [{ json: { slot: slots[0].id } }, { json: { slot: slots[0].id } }, { json: { slot: slots[1].id } }],
		});
		const out = r.output[0];
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.start_time).toBe(slots[0].start_time);
		expect(String(out[1].json.error)).toContain('availability_taken');
		expect(String(out[1].json.error)).toContain('Pick another slot');
		expect(out[2].json.start_time).toBe(slots[1].start_time);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.availability_id).sort()).toEqual([slots[0].id, slots[1].id].sort());
	});

	it('lost answer to a cancel: settled by reading the appointment, not by a second DELETE', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[1];
		const [booked] = await runJson(sb, token, bookParams(slot.id));
		const id = booked.json.id as string;
		// the cancel happens, then the connection dies without an answer
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', method: 'DELETE' });
		const [c] = await runJson(sb, token, { operation: 'cancel', appointmentId: id });
		expect(c.json).toMatchObject({ id, status: 'cancelled', recoveredAfterLostResponse: true, alreadyCancelled: false });
		const reqs = ((await (await fetch(`${sb.url}/_admin/requests`)).json()) as { requests: Array<{ method: string }> }).requests;
		expect(reqs.filter((q) => q.method === 'DELETE')).toHaveLength(1);
		expect((await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id)).toContain(slot.id);
	});
});

function escape(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
