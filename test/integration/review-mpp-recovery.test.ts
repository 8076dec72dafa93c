// Review: a lost booking answer is never settled with an appointment the patient already had.
import { armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { mppState } from '../../sandbox/surfaces/mpp';
import { adminAppointments, bookingPosts, run, runJson, slotsOverHttp, useMppSandbox } from './mpp/helpers';

const bookParams = (slotId: string) => ({
	operation: 'book',
	insuranceId: '136',
	appointmentCategoryId: '53',
	appointmentTypeId: '198',
	availabilityId: slotId,
});

/**
 * A portal with two practitioners offers two slots of one type at the same time: adds a twin of
 * the slot to the sandbox's calendar and returns its id.
 */
function addTwinSlot(sb: Sandbox, slotId: string): string {
	const st = mppState(sb.app);
	const slot = st.slotsById.get(slotId)!;
	const twin = { ...slot, id: `Twin${slotId.slice(4)}` };
	st.data.slots.push(twin);
	st.slotsById.set(twin.id, twin);
	return twin.id;
}

describe('review: MyPatientPortal lost-answer recovery', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => {
		sb = s;
		token = t;
	});

	it('lost answer while the patient already has an appointment at the same time: the NEW appointment is reported, not the old one', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[2];
		const twinId = addTwinSlot(sb, slot.id);
		const older = (await runJson(sb, token, bookParams(slot.id)))[0].json;
		expect(older).toMatchObject({ status: 'booked', start_time: slot.start_time, recoveredAfterLostResponse: false });
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', pathContains: '/booking', method: 'POST' });
		const out = (await runJson(sb, token, bookParams(twinId)))[0].json;
		const all = await adminAppointments(sb, 'pt-00001');
		const created = all.find((a) => a.availability_id === twinId)!;
		expect(created).toBeDefined();
		expect(out).toMatchObject({ id: created.id, status: 'booked', start_time: slot.start_time, availabilityId: twinId, recoveredAfterLostResponse: true });
		expect(out.id).not.toBe(older.id);
		expect(await bookingPosts(sb)).toBe(2);
	});

	it('the patient already has an appointment at that time and the booking got a 503 (nothing booked): "state unknown", never the old appointment as booked', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[2];
		const twinId = addTwinSlot(sb, slot.id);
		const older = (await runJson(sb, token, bookParams(slot.id)))[0].json;
		await armFault(sb, { surface: 'mpp', kind: 'unavailable', pathContains: '/booking', method: 'POST', times: 5, retryAfter: '0' });
		const err = (await run(sb, token, bookParams(twinId)).catch((e: unknown) => e)) as Error;
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(/^Booking state unknown — check the portal before retrying: .*HTTP 503/);
		expect(err.message).toContain(`appointment ${String(older.id)} at that time existed before this booking`);
		expect(await bookingPosts(sb)).toBe(2);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.id)).toEqual([older.id]);
	});

	it('a lost answer to a new booking next to older appointments is still recovered as the new one', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const older = (await runJson(sb, token, bookParams(slots[0].id)))[0].json;
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', pathContains: '/booking', method: 'POST' });
		const out = (await runJson(sb, token, bookParams(slots[4].id)))[0].json;
		expect(out).toMatchObject({ status: 'booked', start_time: slots[4].start_time, recoveredAfterLostResponse: true });
		expect(out.id).not.toBe(older.id);
		expect(await bookingPosts(sb)).toBe(2);
	});
});
