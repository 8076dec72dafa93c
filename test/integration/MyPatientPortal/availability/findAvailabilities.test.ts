// Find Availabilities: one item per free slot; Return All / Limit (a Limit below 1 or not a
// number is refused before any request); Search From/To must be dates.
import type { Sandbox } from '../../../../sandbox/server';
import { run, runJson, runWithLimits, slotsOverHttp, API, useMppSandbox } from '../helpers';

describe('MyPatientPortal Find Availabilities', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));
	const params = {
		operation: 'findAvailabilities',
		insuranceId: '137',
		appointmentCategoryId: '55',
		appointmentTypeId: '220',
	};
	const searches = () => sb.app.requests.filter((q) => q.path === `${API}/availabilities`).length;

	it('one item per slot (with the insurance id): all with Return All, the first ones with a Limit', async () => {
		const slots = await slotsOverHttp(sb, token, 55, 220, 137);
		const all = await runJson(sb, token, {
			operation: 'findAvailabilities',
			insuranceId: '137',
			appointmentCategoryId: '55',
			appointmentTypeId: '220',
			returnAll: true,
		});
		expect(all.map((x) => x.json.id)).toEqual(slots.map((s) => s.id));
		expect(all[0].json).toEqual({ ...slots[0], insurance_id: 137 });
		const few = await runJson(sb, token, {
			operation: 'findAvailabilities',
			insuranceId: '137',
			appointmentCategoryId: '55',
			appointmentTypeId: '220',
			limit: 3,
		});
		expect(few.map((x) => x.json.id)).toEqual(slots.slice(0, 3).map((s) => s.id));
	});

	it('a Limit of 0, a negative number or text is refused before any request; a fraction is rounded down', async () => {
		const description = 'Enter how many availabilities to return at most, or turn on Return All.';
		expect(await runWithLimits(sb, token, params, [0, -2, 'many'])).toEqual([
			{
				json: { error: 'Limit must be a number of 1 or more, not "0"', description },
				error: expect.any(Error),
				pairedItem: { item: 0 },
			},
			{
				json: { error: 'Limit must be a number of 1 or more, not "-2"', description },
				error: expect.any(Error),
				pairedItem: { item: 1 },
			},
			{
				json: { error: 'Limit must be a number of 1 or more, not "many"', description },
				error: expect.any(Error),
				pairedItem: { item: 2 },
			},
		]);
		expect(searches()).toBe(0);
		const err = (await run(sb, token, { ...params, limit: 0 }).catch(
			(e: unknown) => e,
		)) as Error & { description?: string };
		expect(err.constructor.name).toBe('NodeOperationError');
		expect(err.message).toBe('Limit must be a number of 1 or more, not "0"');
		expect(searches()).toBe(0);

		const slots = await slotsOverHttp(sb, token, 55, 220, 137);
		const two = await runJson(sb, token, { ...params, limit: 2.5 });
		expect(two.map((x) => x.json.id)).toEqual(slots.slice(0, 2).map((s) => s.id));
	});

	it('a Search From that is not a date is refused, with the format to use', async () => {
		await expect(
			run(sb, token, {
				operation: 'findAvailabilities',
				insuranceId: '137',
				appointmentCategoryId: '53',
				appointmentTypeId: '198',
				from: 'next week',
			}),
		).rejects.toThrow(
			'Search From "next week" is not a valid date: use an ISO 8601 date such as 2026-03-01T09:00:00Z',
		);
	});
});
