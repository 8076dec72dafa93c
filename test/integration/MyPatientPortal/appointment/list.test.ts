// List Appointments: the patient's appointments by status; Return All / Limit (a Limit below 1 or
// not a number is refused before any request).
import type { Sandbox } from '../../../../sandbox/server';
import {
	bookParams,
	run,
	runJson,
	runWithLimits,
	slotsOverHttp,
	API,
	useMppSandbox,
} from '../helpers';

describe('MyPatientPortal List Appointments', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));
	const lists = () =>
		sb.app.requests.filter((q) => q.method === 'GET' && q.path === `${API}/appointments`).length;

	/** books three appointments and cancels the second; returns their ids in booking order */
	async function threeAppointments(): Promise<string[]> {
		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const ids: string[] = [];
		for (const k of [1, 2, 3])
			ids.push(String((await runJson(sb, token, bookParams(slots[k].id)))[0].json.id));
		await runJson(sb, token, { operation: 'cancel', appointmentId: ids[1] });
		return ids;
	}

	it('by status (all, booked, cancelled), all with Return All or the first ones with a Limit', async () => {
		const ids = await threeAppointments();
		const all = await runJson(sb, token, { operation: 'list', returnAll: true });
		expect(all.map((x) => x.json.id).sort()).toEqual([...ids].sort());
		expect(all.every((x) => JSON.stringify(x.pairedItem) === JSON.stringify({ item: 0 }))).toBe(
			true,
		);
		const booked = await runJson(sb, token, { operation: 'list', status: 'booked' });
		expect(booked.map((x) => x.json.id).sort()).toEqual([ids[0], ids[2]].sort());
		const cancelled = await runJson(sb, token, { operation: 'list', status: 'cancelled' });
		expect(cancelled.map((x) => x.json.id)).toEqual([ids[1]]);
		const two = await runJson(sb, token, { operation: 'list', limit: 2 });
		expect(two.map((x) => x.json.id)).toEqual(all.slice(0, 2).map((x) => x.json.id));
	});

	it('a Limit of 0, a negative number or text is refused before any request', async () => {
		const description = 'Enter how many appointments to return at most, or turn on Return All.';
		expect(await runWithLimits(sb, token, { operation: 'list' }, [0, -1, 'ten'])).toEqual([
			{
				json: { error: 'Limit must be a number of 1 or more, not "0"', description },
				error: expect.any(Error),
				pairedItem: { item: 0 },
			},
			{
				json: { error: 'Limit must be a number of 1 or more, not "-1"', description },
				error: expect.any(Error),
				pairedItem: { item: 1 },
			},
			{
				json: { error: 'Limit must be a number of 1 or more, not "ten"', description },
				error: expect.any(Error),
				pairedItem: { item: 2 },
			},
		]);
		await expect(run(sb, token, { operation: 'list', limit: -5 })).rejects.toThrow(
			'Limit must be a number of 1 or more, not "-5"',
		);
		expect(lists()).toBe(0);
	});
});
