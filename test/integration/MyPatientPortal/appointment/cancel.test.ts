// Cancel Appointment: one DELETE (never sent twice); a lost answer settled by reading the
// appointment; an ID of the wrong type refused before anything is sent.
import { armFault } from '../../../helpers/sandbox';
import type { Sandbox } from '../../../../sandbox/server';
import {
	adminAppointments,
	bookParams,
	portalWrites,
	runJson,
	slotsOverHttp,
	useMppSandbox,
} from '../helpers';

describe('MyPatientPortal Cancel Appointment', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('lost answer to a cancel: settled by reading the appointment, not by a second DELETE', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[1];
		const [booked] = await runJson(sb, token, bookParams(slot.id));
		const id = booked.json.id as string;
		// the cancel happens, then the connection dies without an answer
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', method: 'DELETE' });
		const [c] = await runJson(sb, token, { operation: 'cancel', appointmentId: id });
		expect(c.json).toMatchObject({
			id,
			status: 'cancelled',
			recoveredAfterLostResponse: true,
			alreadyCancelled: false,
		});
		const reqs = (
			(await (await fetch(`${sb.url}/_admin/requests`)).json()) as {
				requests: Array<{ method: string }>;
			}
		).requests;
		expect(reqs.filter((q) => q.method === 'DELETE')).toHaveLength(1);
		expect((await slotsOverHttp(sb, token, 53, 198, 136)).map((s) => s.id)).toContain(slot.id);
	});

	it('an Appointment ID from an expression that is an object, a list, a boolean or blank: a clear error per item, no DELETE sent; a padded ID still cancels', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[1];
		const booked = (
			await runJson(sb, token, {
				operation: 'book',
				insuranceId: '136',
				appointmentCategoryId: '53',
				appointmentTypeId: '198',
				availabilityId: `${slot.id}\n`,
			})
		)[0].json;
		const before = portalWrites(sb);
		const out = await runJson(
			sb,
			token,
			{ operation: 'cancel', appointmentId: '={{ $json.appt }}' },
			{
				continueOnFail: true,
				items: [
					{ json: { appt: { id: booked.id } } },
					{ json: { appt: [booked.id, 'x'] } },
					{ json: { appt: true } },
					{ json: { appt: '  ' } },
				],
			},
		);
		expect(out.map((o) => o.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(out.map((o) => o.json.error)).toEqual([
			'Appointment ID must be text or a number, but the expression gave an object: pick the ID field itself (e.g. {{ $json.id }})',
			'Appointment ID must be text or a number, but the expression gave a list: pick the ID field itself (e.g. {{ $json.id }})',
			'Appointment ID must be text or a number, but the expression gave a boolean: pick the ID field itself (e.g. {{ $json.id }})',
			'Appointment ID is empty: set the ID of the appointment to cancel',
		]);
		expect(portalWrites(sb)).toBe(before);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.status)).toEqual(['booked']);
		// a padded text ID still cancels
		const ok = await runJson(sb, token, {
			operation: 'cancel',
			appointmentId: ` ${String(booked.id)}\n`,
		});
		expect(ok[0].json).toMatchObject({ id: booked.id, status: 'cancelled' });
	});
});
