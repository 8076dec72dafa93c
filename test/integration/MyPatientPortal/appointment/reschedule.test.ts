// Reschedule Appointment: one PUT (never sent twice); a lost answer settled by reading the
// appointment; an ID of the wrong type refused before anything is sent.
import { armFault } from '../../../helpers/sandbox';
import type { Sandbox } from '../../../../sandbox/server';
import {
	adminAppointments,
	bookParams,
	escapeRegExp,
	portalWrites,
	run,
	runJson,
	slotsOverHttp,
	API,
	useMppSandbox,
} from '../helpers';

describe('MyPatientPortal Reschedule Appointment', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('lost answer to a reschedule: the move happened once, reported with old and new time', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 199, 137);
		const [booked] = await runJson(sb, token, bookParams(slots[0].id, '137', '53', '199'));
		const id = booked.json.id as string;
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', method: 'PUT' });
		const [moved] = await runJson(sb, token, {
			operation: 'reschedule',
			appointmentId: id,
			newAvailabilityId: slots[4].id,
		});
		expect(moved.json).toMatchObject({
			id,
			start_time: slots[4].start_time,
			previousStartTime: slots[0].start_time,
			recoveredAfterLostResponse: true,
		});
		const reqs = (
			(await (await fetch(`${sb.url}/_admin/requests`)).json()) as {
				requests: Array<{ method: string }>;
			}
		).requests;
		expect(reqs.filter((r) => r.method === 'PUT')).toHaveLength(1);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([
			expect.objectContaining({ id, availability_id: slots[4].id }),
		]);
	});

	it('lost answer to a reschedule that cannot be checked: "reschedule state unknown", one PUT', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 199, 136);
		const [booked] = await runJson(sb, token, bookParams(slots[0].id, '136', '53', '199'));
		const id = booked.json.id as string;
		await armFault(sb, [
			{ surface: 'mpp', kind: 'lost-response', method: 'PUT' },
			// the reads before the PUT pass (2), every read after it fails
			{
				surface: 'mpp',
				kind: 'unavailable',
				pathContains: `${API}/appointments/`,
				method: 'GET',
				after: 2,
				times: 50,
				retryAfter: '0',
			},
		]);
		await expect(
			run(sb, token, {
				operation: 'reschedule',
				appointmentId: id,
				newAvailabilityId: slots[3].id,
			}),
		).rejects.toThrow(
			new RegExp(
				`^Reschedule state unknown — check the portal before retrying: no answer to moving appointment ${id} to availability ${escapeRegExp(slots[3].id)} at ${escapeRegExp(slots[3].start_time)} \\(.*ECONNRESET.*\\); reading the appointment failed too`,
			),
		);
		const reqs = (
			(await (await fetch(`${sb.url}/_admin/requests`)).json()) as {
				requests: Array<{ method: string }>;
			}
		).requests;
		expect(reqs.filter((r) => r.method === 'PUT')).toHaveLength(1);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([
			expect.objectContaining({ id, availability_id: slots[3].id }),
		]);
	});

	it('a New Availability from an expression that is an object: a clear error, no PUT sent', async () => {
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
		await expect(
			run(
				sb,
				token,
				{
					operation: 'reschedule',
					appointmentId: String(booked.id),
					newAvailabilityId: '={{ $json.s }}',
				},
				{ items: [{ json: { s: { id: 'x' } } }] },
			),
		).rejects.toThrow(
			/^New Availability must be text or a number, but the expression gave an object/,
		);
		expect(portalWrites(sb)).toBe(before);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.status)).toEqual(['booked']);
	});

	describe('n8n Retry On Fail after "Reschedule state unknown"', () => {
		/** try 1: the move is committed but its answer is lost and every read after it fails */
		async function firstTryUnknown(id: string, slotId: string) {
			await armFault(sb, [
				{ surface: 'mpp', kind: 'lost-response', method: 'PUT' },
				{
					surface: 'mpp',
					kind: 'unavailable',
					pathContains: `${API}/appointments/`,
					method: 'GET',
					after: 2,
					times: 50,
					retryAfter: '0',
				},
			]);
			await expect(
				run(sb, token, { operation: 'reschedule', appointmentId: id, newAvailabilityId: slotId }),
			).rejects.toThrow(/^Reschedule state unknown/);
			await fetch(`${sb.url}/_admin/faults`, { method: 'DELETE' });
		}
		const puts = () => sb.app.requests.filter((r) => r.method === 'PUT').length;

		it('the portal shows availability ids: try 2 sees the appointment already there (alreadyRescheduled), no second PUT', async () => {
			await fetch(`${sb.url}/_admin/mpp/settings`, {
				method: 'POST',
				body: JSON.stringify({ appointmentAvailabilityId: true }),
			});
			const slots = await slotsOverHttp(sb, token, 53, 199, 136);
			const [booked] = await runJson(sb, token, bookParams(slots[0].id, '136', '53', '199'));
			const id = booked.json.id as string;
			await firstTryUnknown(id, slots[3].id);
			const [again] = await runJson(sb, token, {
				operation: 'reschedule',
				appointmentId: id,
				newAvailabilityId: slots[3].id,
			});
			expect(again.json).toMatchObject({
				id,
				start_time: slots[3].start_time,
				alreadyRescheduled: true,
				recoveredAfterLostResponse: false,
				previousStartTime: null,
			});
			expect(puts()).toBe(1);
		});

		it('the portal does not show them: try 2 is refused, and the error does not claim the appointment was not moved', async () => {
			const slots = await slotsOverHttp(sb, token, 53, 199, 136);
			const [booked] = await runJson(sb, token, bookParams(slots[0].id, '136', '53', '199'));
			const id = booked.json.id as string;
			await firstTryUnknown(id, slots[3].id);
			const err = (await run(sb, token, {
				operation: 'reschedule',
				appointmentId: id,
				newAvailabilityId: slots[3].id,
			}).catch((e) => e)) as {
				message: string;
				description?: string;
			};
			expect(err.message).toMatch(/^Reschedule Appointment \S+ failed \(HTTP 4\d\d\)/);
			expect(err.description).not.toMatch(/was not moved/);
			expect(err.description).toBe(
				'The portal refused this request; whether an earlier run already moved the appointment is not known: read it (Get Appointment) before rescheduling again.',
			);
			expect(await adminAppointments(sb, 'pt-00001')).toEqual([
				expect.objectContaining({ id, availability_id: slots[3].id }),
			]);
		});
	});
});
