// Review: an appointment / availability ID from an expression that is an object, a list or a
// boolean gets a clear error and sends nothing (Cancel sent DELETE /appointments/[object Object]);
// numbers and padded text still work.
import type { Sandbox } from '../../sandbox/server';
import { adminAppointments, run, runJson, slotsOverHttp, API, useMppSandbox } from './mpp/helpers';

describe('review: MyPatientPortal IDs of the wrong type', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => {
		sb = s;
		token = t;
	});
	const writes = () => sb.app.requests.filter((r) => r.method !== 'GET' && r.path.startsWith(API)).length;

	it('Cancel / Reschedule / Book with an object, a list or a boolean as ID: a clear error per item, nothing sent', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[1];
		const booked = (await runJson(sb, token, { operation: 'book', insuranceId: '136', appointmentCategoryId: '53', appointmentTypeId: '198', availabilityId: `${slot.id}\n` }))[0].json;
		const before = writes();
		const out = await runJson(
			sb,
			token,
			{ operation: 'cancel', appointmentId: '={{ $json.appt }}' },
			{ continueOnFail: true, items: [{ json: { appt: { id: booked.id } } }, { json: { appt: [booked.id, 'x'] } }, { json: { appt: true } }, { json: { appt: '  ' } }] },
		);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out.map((o) => o.json.error)).toEqual([
			'Appointment ID must be text or a number, but the expression gave an object: pick the ID field itself (e.g. {{ $json.id }})',
			'Appointment ID must be text or a number, but the expression gave a list: pick the ID field itself (e.g. {{ $json.id }})',
			'Appointment ID must be text or a number, but the expression gave a boolean: pick the ID field itself (e.g. {{ $json.id }})',
			'Appointment ID is empty: set the ID of the appointment to cancel',
		]);
		await expect(run(sb, token, { operation: 'reschedule', appointmentId: String(booked.id), newAvailabilityId: '={{ $json.s }}' }, { items: [{ json: { s: { id: 'x' } } }] })).rejects.toThrow(
			/^New Availability must be text or a number, but the expression gave an object/,
		);
		expect(writes()).toBe(before);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.status)).toEqual(['booked']);
		// a padded text ID still cancels
		const ok = await runJson(sb, token, { operation: 'cancel', appointmentId: ` ${String(booked.id)}\n` });
		expect(ok[0].json).toMatchObject({ id: booked.id, status: 'cancelled' });
	});
});
