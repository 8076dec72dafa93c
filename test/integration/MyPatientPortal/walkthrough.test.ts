// The MyPatientPortal node end to end against the sandbox: booking, reading, rescheduling and
// cancelling one appointment, and the ASAP list — through the node's real execute over loopback HTTP.
import type { Sandbox } from '../../../sandbox/server';
import { adminAppointments, options, run, runJson, slotsOverHttp, useMppSandbox } from './helpers';

describe('MyPatientPortal node: walkthrough', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('books, gets, lists, reschedules (same id, old slot freed) and cancels (slot freed)', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const [booked] = await runJson(sb, token, {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			availabilityId: slots[2].id,
			additionalFields: { comment: 'Knee pain since Monday' },
		});
		expect(booked.pairedItem).toEqual({ item: 0 });
		expect(booked.json).toMatchObject({
			status: 'booked',
			start_time: slots[2].start_time,
			end_time: slots[2].end_time,
			comment: 'Knee pain since Monday',
			availabilityId: slots[2].id,
			recoveredAfterLostResponse: false,
			appointment_type: { id: 198, name: 'Initial consultation' },
		});
		const id = booked.json.id as string;
		expect(id).toMatch(/^[A-Za-z0-9]{28}$/);
		expect((await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id)).not.toContain(
			slots[2].id,
		);

		const [got] = await runJson(sb, token, { operation: 'get', appointmentId: id });
		expect(got.json).toMatchObject({ id, start_time: slots[2].start_time });
		const listed = await runJson(sb, token, { operation: 'list', status: 'booked' });
		expect(listed.map((x) => x.json.id)).toEqual([id]);

		// reschedule: the dropdown offers this appointment's own availabilities
		const choices = await options(sb, token, 'getRescheduleAvailabilities', {
			operation: 'reschedule',
			appointmentId: id,
		});
		const sameType = await slotsOverHttp(sb, token, 53, 198, 136);
		expect(choices.map((c) => c.value)).toEqual(sameType.map((s) => s.id));
		const target = sameType[7];
		const [moved] = await runJson(sb, token, {
			operation: 'reschedule',
			appointmentId: id,
			newAvailabilityId: target.id,
		});
		expect(moved.json).toMatchObject({
			id,
			start_time: target.start_time,
			previousStartTime: slots[2].start_time,
			previousEndTime: slots[2].end_time,
			recoveredAfterLostResponse: false,
		});
		const free = (await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id);
		expect(free).toContain(slots[2].id);
		expect(free).not.toContain(target.id);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([
			expect.objectContaining({
				id,
				availability_id: target.id,
				status: 'booked',
				previous_start_times: [slots[2].start_time],
			}),
		]);

		// cancel frees the slot
		const [cancelled] = await runJson(sb, token, { operation: 'cancel', appointmentId: id });
		expect(cancelled.json).toMatchObject({ id, status: 'cancelled', alreadyCancelled: false });
		expect((await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id)).toContain(target.id);

		// cancelling again: a clear error, or done with the option
		await expect(run(sb, token, { operation: 'cancel', appointmentId: id })).rejects.toThrow(
			`Cancel Appointment ${id} failed (HTTP 422): the appointment is already cancelled (portal: already_cancelled: Appointment ${id} is already cancelled.)`,
		);
		const [again] = await runJson(sb, token, {
			operation: 'cancel',
			appointmentId: id,
			cancelOptions: { alreadyCancelledIsSuccess: true },
		});
		expect(again.json).toMatchObject({ id, status: 'cancelled', alreadyCancelled: true });
		// an unknown id stays an error, even with the option
		await expect(
			run(sb, token, {
				operation: 'cancel',
				appointmentId: 'noSuchAppointment',
				cancelOptions: { alreadyCancelledIsSuccess: true },
			}),
		).rejects.toThrow(
			'Cancel Appointment noSuchAppointment failed (HTTP 404): not_found: Appointment noSuchAppointment was not found.',
		);
		// a cancelled appointment cannot be rescheduled
		await expect(
			run(sb, token, {
				operation: 'reschedule',
				appointmentId: id,
				newAvailabilityId: sameType[9].id,
			}),
		).rejects.toThrow(`Appointment ${id} is cancelled and cannot be rescheduled`);
	});

	it('ASAP list: opt in at booking, earlier availability, unsubscribe, subscribe with an email', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const late = slots[slots.length - 1];
		const [booked] = await runJson(sb, token, {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			availabilityId: late.id,
			additionalFields: { asapListOptIn: true, asapEmail: 'jack@example.org' },
		});
		const id = booked.json.id as string;
		expect(booked.json.asap_list).toEqual({ subscribed: true, email: 'jack@example.org' });

		const [earlier] = await runJson(sb, token, {
			operation: 'getEarlierAvailability',
			appointmentId: id,
		});
		expect(earlier.json).toMatchObject({
			hasEarlierAvailability: true,
			earlier_availability: { id: slots[0].id, start_time: slots[0].start_time },
		});
		expect((earlier.json.appointment as { id: string }).id).toBe(id);

		const [un] = await runJson(sb, token, { operation: 'asapUnsubscribe', appointmentId: id });
		expect(un.json).toEqual({ id, asap_list: { subscribed: false, email: null } });
		await expect(
			run(sb, token, { operation: 'getEarlierAvailability', appointmentId: id }),
		).rejects.toThrow(
			`Get Earlier Availability ${id} failed (HTTP 422): not_subscribed: Appointment ${id} is not on the ASAP list; subscribe it first.`,
		);

		await expect(
			run(sb, token, { operation: 'asapSubscribe', appointmentId: id, email: '' }),
		).rejects.toThrow('Email is empty: the ASAP list needs an email address');
		const [sub] = await runJson(sb, token, {
			operation: 'asapSubscribe',
			appointmentId: id,
			email: 'jack@example.org',
		});
		expect(sub.json).toEqual({ id, asap_list: { subscribed: true, email: 'jack@example.org' } });
		expect((await adminAppointments(sb, 'pt-00001'))[0]).toMatchObject({
			id,
			asap_list: { subscribed: true, email: 'jack@example.org' },
		});
	});
});
