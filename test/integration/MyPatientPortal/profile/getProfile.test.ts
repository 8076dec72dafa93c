// Get Profile: the portal user's (patient's) profile, unwrapped from the portal's envelope.
import type { Sandbox } from '../../../../sandbox/server';
import { patientToken, run, runJson, useMppSandbox } from '../helpers';

describe('MyPatientPortal Get Profile', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('returns the profile of the patient the token belongs to; a token without profile_read is refused', async () => {
		const out = await runJson(sb, token, { operation: 'getProfile' });
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toMatchObject({
			id: 'pt-00001',
			first_name: expect.any(String),
			last_name: expect.any(String),
			email: expect.stringContaining('@'),
		});
		expect(out[0].json.data).toBeUndefined();
		const noProfile = patientToken(sb, 'pt-00001', ['appointment_read']);
		await expect(run(sb, noProfile, { operation: 'getProfile' })).rejects.toThrow(
			/^Get Profile failed \(HTTP 403\)/,
		);
	});
});
