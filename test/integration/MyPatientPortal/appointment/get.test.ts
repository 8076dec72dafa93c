// Get Appointment: one appointment by ID; with Continue On Fail an unknown ID fails only its own
// item, as the runner's { error, description } item.
import type { Sandbox } from '../../../../sandbox/server';
import { bookParams, run, runJson, slotsOverHttp, useMppSandbox } from '../helpers';

describe('MyPatientPortal Get Appointment', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('returns the appointment by its ID, paired with the input item', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[3];
		const [booked] = await runJson(sb, token, bookParams(slot.id));
		const out = await runJson(sb, token, {
			operation: 'get',
			appointmentId: String(booked.json.id),
		});
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toMatchObject({
			id: booked.json.id,
			status: 'booked',
			start_time: slot.start_time,
			end_time: slot.end_time,
		});
	});

	it('Continue On Fail: an unknown ID fails only its own item, as { error, description } paired with it', async () => {
		const r = await run(
			sb,
			token,
			{ operation: 'get', appointmentId: '={{ $json.id }}' },
			{
				continueOnFail: true,
				items: [{ json: { id: 'nope1' } }, { json: { id: 'nope2' } }],
			},
		);
		expect(r.output[0]).toEqual([
			{
				json: {
					error:
						'Get Appointment nope1 failed (HTTP 404): not_found: Appointment nope1 was not found.',
					description: expect.any(String),
				},
				error: expect.any(Error),
				pairedItem: { item: 0 },
			},
			{
				json: {
					error:
						'Get Appointment nope2 failed (HTTP 404): not_found: Appointment nope2 was not found.',
					description: expect.any(String),
				},
				error: expect.any(Error),
				pairedItem: { item: 1 },
			},
		]);
	});
});
