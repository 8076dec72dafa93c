// The sandbox portal's admin routes for the MyPatientPortal Trigger's tests: the practice sets a
// status, cancels or moves an appointment; an earlier slot opens for an ASAP-listed appointment
// (and the portal's earlier availability shows it); `GET /appointments` in pages with `next`.
import type { Sandbox } from '../../sandbox/server';
import { mppState } from '../../sandbox/surfaces/mpp';
import { withSandbox } from '../helpers/sandbox';
import { freeSlot } from '../helpers/mpp';

let sb: Sandbox;
let token: string;
const API = '/mpp/api/portal/v1';
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	token = sb.app.tokens.issue({
		surface: 'mpp',
		clientId: 'test',
		scopes: ['appointment_read', 'appointment_write'],
		lifetimeSeconds: 600,
		patient: 'pt-00001',
	}).access_token;
});

const call = async (method: string, url: string, body?: unknown, auth = true) => {
	const r = await fetch(url.startsWith('http') ? url : sb.url + url, {
		method,
		headers: {
			'content-type': 'application/json',
			...(auth ? { authorization: `Bearer ${token}` } : {}),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: r.status, body: (await r.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

async function book(asap = false) {
	const { slot, insuranceId } = freeSlot(sb.app, { asap, late: asap });
	const r = await call('POST', `${API}/booking`, {
		availability_id: slot.id,
		insurance_id: insuranceId,
		...(asap ? { asap_list_opt_in: true, email: 'p@example.org' } : {}),
	});
	expect(r.status).toBe(201);
	return r.body.data;
}

test('the practice sets a status, moves and cancels an appointment', async () => {
	const a = await book();
	const s = await call('POST', `/_admin/mpp/appointments/${a.id}`, { status: 'confirmed' }, false);
	expect(s.body.data).toMatchObject({ id: a.id, status: 'confirmed' });
	const m = await call('POST', `/_admin/mpp/appointments/${a.id}`, { move: 'next' }, false);
	expect(Date.parse(m.body.data.start_time)).toBeGreaterThan(Date.parse(a.start_time));
	const portal = await call('GET', `${API}/appointments/${a.id}`);
	expect(portal.body.data).toMatchObject({
		status: 'confirmed',
		start_time: m.body.data.start_time,
	});
	const c = await call('POST', `/_admin/mpp/appointments/${a.id}`, { cancel: true }, false);
	expect(c.body.data).toMatchObject({ status: 'cancelled', asap_list: { subscribed: false } });
	expect(mppState(sb.app).taken.has(mppState(sb.app).appointments.get(a.id)!.slotId)).toBe(false);
	expect((await call('POST', '/_admin/mpp/appointments/nope', {}, false)).status).toBe(404);
});

test('an opened earlier slot is what the earlier availability shows', async () => {
	const a = await book(true);
	const before = await call('GET', `${API}/appointments/${a.id}/earlier_availability`);
	const opened = await call(
		'POST',
		'/_admin/mpp/slots',
		{ appointment_id: a.id, minutesFromNow: 45 },
		false,
	);
	expect(opened.status).toBe(201);
	expect(opened.body.data.appointment_type_id).toBe(a.appointment_type.id);
	const after = await call('GET', `${API}/appointments/${a.id}/earlier_availability`);
	expect(after.body.data.earlier_availability.id).toBe(opened.body.data.id);
	expect(after.body.data.earlier_availability.id).not.toBe(
		before.body.data.earlier_availability?.id,
	);
	// a slot that would not be earlier is refused
	expect(
		(await call('POST', '/_admin/mpp/slots', { appointment_id: a.id, minutesFromNow: 1e7 }, false))
			.status,
	).toBe(422);
});

test('appointments in pages with next when appointmentsPageSize is set (reset: one page)', async () => {
	for (let i = 0; i < 3; i++) await book();
	const whole = await call('GET', `${API}/appointments`);
	expect(whole.body.next).toBeUndefined();
	await call('POST', '/_admin/mpp/settings', { appointmentsPageSize: 2 }, false);
	const p1 = await call('GET', `${API}/appointments`);
	expect(p1.body.data).toHaveLength(2);
	const p2 = await call('GET', p1.body.next);
	expect(p2.body.next).toBeNull();
	expect([...p1.body.data, ...p2.body.data]).toEqual(whole.body.data);
});
