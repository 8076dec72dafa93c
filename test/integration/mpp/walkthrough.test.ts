// The MyPatientPortal node end to end against the sandbox: dropdowns, booking, reading,
// rescheduling, cancelling, the ASAP list — through the node's real execute over loopback HTTP.
import type { Sandbox } from '../../../sandbox/server';
import { adminAppointments, bookingPosts, options, patientToken, run, runJson, slotsOverHttp, useMppSandbox } from './helpers';

describe('MyPatientPortal node: walkthrough', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => {
		sb = s;
		token = t;
	});

	it('dropdowns load dependent options from the portal', async () => {
		const ins = await options(sb, token, 'getInsurances', { operation: 'book' });
		expect(ins.map((o) => o.value)).toEqual(['136', '137', '138'].sort((a, b) => {
			const names: Record<string, string> = { '136': 'Gesetzliche Krankenversicherung (GKV)', '137': 'Private Krankenversicherung (PKV)', '138': 'Selbstzahler' };
			return names[a].localeCompare(names[b]);
		}));
		expect(await options(sb, token, 'getAppointmentCategories', { operation: 'book' })).toEqual([]);

		const catsPublic = await options(sb, token, 'getAppointmentCategories', { operation: 'book', insuranceId: '136' });
		expect(catsPublic.map((o) => [o.name, o.value])).toEqual([
			['General Practice', '53'],
			['Preventive Check-ups', '55'],
			['Vaccinations', '54'],
		]);
		const catsSelf = await options(sb, token, 'getAppointmentCategories', { operation: 'book', insuranceId: '138' });
		expect(catsSelf.map((o) => o.value).sort()).toEqual(['53', '54', '56']);

		const types = await options(sb, token, 'getAppointmentTypes', { operation: 'book', insuranceId: '136', appointmentCategoryId: '53' });
		expect(types.map((o) => [o.name, o.value, o.description])).toEqual([
			['Follow-up visit', '199', '15 min, no ASAP list'],
			['Initial consultation', '198', '30 min, ASAP list available'],
			['Video consultation', '200', '20 min, ASAP list available'],
		]);
		const typesPrivate = await options(sb, token, 'getAppointmentTypes', { operation: 'book', insuranceId: '138', appointmentCategoryId: '53' });
		expect(typesPrivate.map((o) => o.value).sort()).toEqual(['198', '199']);

		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const avail = await options(sb, token, 'getAvailabilities', {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
		});
		expect(avail.map((o) => o.value)).toEqual(slots.map((s) => s.id));
		expect(avail[0].name).toMatch(/^\w{3}, \d{2} \w{3} \d{4}, \d{2}:\d{2}–\d{2}:\d{2}$/);

		// the from/to window narrows the list to one day
		const day = slots[0].start_time.slice(0, 10);
		const oneDay = await options(sb, token, 'getAvailabilities', {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			from: `${day}T00:00:00Z`,
			to: `${day}T23:59:59Z`,
		});
		expect(oneDay.map((o) => o.value)).toEqual(slots.filter((s) => s.start_time.startsWith(day)).map((s) => s.id));
		expect(oneDay.length).toBeLessThan(slots.length);
	});

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
		expect((await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id)).not.toContain(slots[2].id);

		const [got] = await runJson(sb, token, { operation: 'get', appointmentId: id });
		expect(got.json).toMatchObject({ id, start_time: slots[2].start_time });
		const listed = await runJson(sb, token, { operation: 'list', status: 'booked' });
		expect(listed.map((x) => x.json.id)).toEqual([id]);

		// reschedule: the dropdown offers this appointment's own availabilities
		const choices = await options(sb, token, 'getRescheduleAvailabilities', { operation: 'reschedule', appointmentId: id });
		const sameType = await slotsOverHttp(sb, token, 53, 198, 136);
		expect(choices.map((c) => c.value)).toEqual(sameType.map((s) => s.id));
		const target = sameType[7];
		const [moved] = await runJson(sb, token, { operation: 'reschedule', appointmentId: id, newAvailabilityId: target.id });
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
			expect.objectContaining({ id, availability_id: target.id, status: 'booked', previous_start_times: [slots[2].start_time] }),
		]);

		// cancel frees the slot
		const [cancelled] = await runJson(sb, token, { operation: 'cancel', appointmentId: id });
		expect(cancelled.json).toMatchObject({ id, status: 'cancelled', alreadyCancelled: false });
		expect((await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id)).toContain(target.id);

		// cancelling again: a clear error, or done with the option
		await expect(run(sb, token, { operation: 'cancel', appointmentId: id })).rejects.toThrow(
			`Cancel Appointment ${id} failed (HTTP 422): the appointment is already cancelled (portal: already_cancelled: Appointment ${id} is already cancelled.)`,
		);
		const [again] = await runJson(sb, token, { operation: 'cancel', appointmentId: id, cancelOptions: { alreadyCancelledIsSuccess: true } });
		expect(again.json).toMatchObject({ id, status: 'cancelled', alreadyCancelled: true });
		// an unknown id stays an error, even with the option
		await expect(
			run(sb, token, { operation: 'cancel', appointmentId: 'noSuchAppointment', cancelOptions: { alreadyCancelledIsSuccess: true } }),
		).rejects.toThrow('Cancel Appointment noSuchAppointment failed (HTTP 404): not_found: Appointment noSuchAppointment was not found.');
		// a cancelled appointment cannot be rescheduled
		await expect(run(sb, token, { operation: 'reschedule', appointmentId: id, newAvailabilityId: sameType[9].id })).rejects.toThrow(
			`Appointment ${id} is cancelled and cannot be rescheduled`,
		);
	});

	it('passes availability ids with + / = _ - byte for byte from an expression; a mangled id books nothing', async () => {
		const slot = (await slotsOverHttp(sb, token, 54, 210, 137))[4];
		for (const ch of ['+', '/', '=', '_', '-']) expect(slot.id).toContain(ch);
		const params = {
			operation: 'book',
			insuranceId: '={{ $json.insurance }}',
			appointmentCategoryId: '={{ $json.category }}',
			appointmentTypeId: '={{ $json.type }}',
			availabilityId: '={{ $json.slot }}',
		};
		const mangled = slot.id.replace(/\+/g, ' ');
		const r = await run(sb, token, params, {
			continueOnFail: true,
			items: [
				{ json: { insurance: 137, category: 54, type: 210, slot: mangled } },
				{ json: { insurance: 137, category: 54, type: 210, slot: slot.id } },
			],
		});
		const [bad, good] = r.output[0];
		expect(bad.pairedItem).toEqual({ item: 0 });
		expect(bad.json.error).toBe(
			'Book Appointment failed (HTTP 422): availability_unknown: The selected availability does not exist or has expired. Load the availabilities again. Pick another slot',
		);
		expect(good.pairedItem).toEqual({ item: 1 });
		expect(good.json).toMatchObject({ status: 'booked', start_time: slot.start_time, availabilityId: slot.id });
		const all = await adminAppointments(sb, 'pt-00001');
		expect(all.map((a) => a.availability_id)).toEqual([slot.id]);
	});

	it('Search From/To narrow only the dropdown: a chosen slot outside the window still books', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 198, 137);
		const late = slots[slots.length - 1];
		const firstDay = slots[0].start_time.slice(0, 10);
		const [booked] = await runJson(sb, token, {
			operation: 'book',
			insuranceId: '137',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			from: `${firstDay}T00:00:00Z`,
			to: `${firstDay}T23:59:59Z`,
			availabilityId: late.id,
		});
		expect(booked.json).toMatchObject({ start_time: late.start_time, availabilityId: late.id });
		await expect(
			run(sb, token, { operation: 'findAvailabilities', insuranceId: '137', appointmentCategoryId: '53', appointmentTypeId: '198', from: 'next week' }),
		).rejects.toThrow('Search From "next week" is not a valid date: use an ISO 8601 date such as 2026-03-01T09:00:00Z');
	});

	it('refuses ASAP opt-in for a type without the ASAP list before posting, naming the type', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 199, 136))[0];
		const before = await bookingPosts(sb);
		await expect(
			run(sb, token, {
				operation: 'book',
				insuranceId: '136',
				appointmentCategoryId: '53',
				appointmentTypeId: '199',
				availabilityId: slot.id,
				additionalFields: { asapListOptIn: true },
			}),
		).rejects.toThrow('The appointment type "Follow-up visit" (199) does not allow the ASAP list: turn off "ASAP List Opt-In" or choose a type that allows it');
		expect(await bookingPosts(sb)).toBe(before);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
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

		const [earlier] = await runJson(sb, token, { operation: 'getEarlierAvailability', appointmentId: id });
		expect(earlier.json).toMatchObject({ hasEarlierAvailability: true, earlier_availability: { id: slots[0].id, start_time: slots[0].start_time } });
		expect((earlier.json.appointment as { id: string }).id).toBe(id);

		const [un] = await runJson(sb, token, { operation: 'asapUnsubscribe', appointmentId: id });
		expect(un.json).toEqual({ id, asap_list: { subscribed: false, email: null } });
		await expect(run(sb, token, { operation: 'getEarlierAvailability', appointmentId: id })).rejects.toThrow(
			`Get Earlier Availability ${id} failed (HTTP 422): not_subscribed: Appointment ${id} is not on the ASAP list; subscribe it first.`,
		);

		await expect(run(sb, token, { operation: 'asapSubscribe', appointmentId: id, email: '' })).rejects.toThrow(
			'Email is empty: the ASAP list needs an email address',
		);
		const [sub] = await runJson(sb, token, { operation: 'asapSubscribe', appointmentId: id, email: 'jack@example.org' });
		expect(sub.json).toEqual({ id, asap_list: { subscribed: true, email: 'jack@example.org' } });
		expect((await adminAppointments(sb, 'pt-00001'))[0]).toMatchObject({ id, asap_list: { subscribed: true, email: 'jack@example.org' } });
	});

	it('finds availabilities one item per slot, with a limit, and reports errors per item with continueOnFail', async () => {
		const slots = await slotsOverHttp(sb, token, 55, 220, 137);
		const all = await runJson(sb, token, { operation: 'findAvailabilities', insuranceId: '137', appointmentCategoryId: '55', appointmentTypeId: '220', returnAll: true });
		expect(all.map((x) => x.json.id)).toEqual(slots.map((s) => s.id));
		expect(all[0].json).toEqual({ ...slots[0], insurance_id: 137 });
		const few = await runJson(sb, token, { operation: 'findAvailabilities', insuranceId: '137', appointmentCategoryId: '55', appointmentTypeId: '220', limit: 3 });
		expect(few.map((x) => x.json.id)).toEqual(slots.slice(0, 3).map((s) => s.id));

		const r = await run(sb, token, { operation: 'get', appointmentId: '={{ $json.id }}' }, {
			continueOnFail: true,
			items: [{ json: { id: 'nope1' } }, { json: { id: 'nope2' } }],
		});
		expect(r.output[0]).toEqual([
			{ json: { error: 'Get Appointment nope1 failed (HTTP 404): not_found: Appointment nope1 was not found.', description: expect.any(String) }, pairedItem: { item: 0 } },
			{ json: { error: 'Get Appointment nope2 failed (HTTP 404): not_found: Appointment nope2 was not found.', description: expect.any(String) }, pairedItem: { item: 1 } },
		]);
	});

	it('a token without appointment_write cannot book; the error names the status and what to do', async () => {
		const readOnly = patientToken(sb, 'pt-00001', ['profile_read', 'appointment_read']);
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[0];
		const err = await run(sb, readOnly, {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			availabilityId: slot.id,
		}).catch((e: Error & { description?: string }) => e);
		expect(err).toBeInstanceOf(Error);
		expect((err as Error).message).toBe(
			'Book Appointment failed (HTTP 403): insufficient_scope: The access token does not grant the scope this request needs.',
		);
		expect((err as { description?: string }).description).toMatch(/scope/);
		expect((err as Error).message).not.toContain(readOnly);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
	});
});
