// MyPatientPortal Trigger through the harness against the sandbox portal: the first poll only
// remembers; then each change gives exactly one event — booked, cancelled (by the patient or the
// practice), rescheduled (with the previous start), status changed (with the previous status),
// earlier availability found (each slot once) — with the appointment list read over every page;
// unselected events are remembered, not delivered later; manual mode leaves the state alone.
import type { IDataObject } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { withSandbox } from '../../helpers/sandbox';
import { freeSlot } from '../../helpers/mpp';
import { runPoll } from '../../harness';
import { MyPatientPortalTrigger } from '../../../nodes/MyPatientPortalTrigger/MyPatientPortalTrigger.node';
import { API, credentialsFor, patientToken } from '../MyPatientPortal/helpers';

let sb: Sandbox;
let token: string;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	// two appointments a page: the trigger must follow `next`
	await admin('/mpp/settings', { appointmentsPageSize: 2 });
	token = patientToken(sb, 'pt-00001');
});

const ALL = [
	'appointmentBooked',
	'appointmentCancelled',
	'appointmentRescheduled',
	'appointmentStatusChanged',
	'earlierAvailabilityFound',
];

async function admin(path: string, body: unknown): Promise<IDataObject> {
	const r = await fetch(`${sb.url}/_admin${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const json = (await r.json()) as IDataObject;
	if (r.status >= 300) throw new Error(`${path} → ${r.status} ${JSON.stringify(json)}`);
	return json;
}

async function portal(method: string, path: string, body?: unknown): Promise<IDataObject> {
	const r = await fetch(`${sb.url}${API}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = (await r.json()) as IDataObject;
	if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(json)}`);
	return json.data as IDataObject;
}

/** Books a free slot (of an ASAP-enabled type when asked; the last free one with `late`). */
async function book(opts: { asap?: boolean; late?: boolean } = {}): Promise<IDataObject> {
	const { slot, insuranceId } = freeSlot(sb.app, opts);
	return await portal('POST', '/booking', {
		availability_id: slot.id,
		insurance_id: insuranceId,
		...(opts.asap ? { asap_list_opt_in: true, email: 'patient@example.org' } : {}),
	});
}

function poller(events = ALL) {
	const staticData: IDataObject = {};
	const poll = async (mode?: 'manual') =>
		await runPoll(MyPatientPortalTrigger, {
			parameters: { events } as never,
			credentials: credentialsFor(sb, token),
			staticData,
			mode,
		});
	return {
		staticData,
		poll,
		async events(): Promise<IDataObject[]> {
			return ((await poll()).output?.[0] ?? []).map((i) => i.json);
		},
	};
}

const brief = (e: IDataObject) => [e.event, e.appointmentId];

describe('MyPatientPortal Trigger', () => {
	it('first poll remembers; booked, cancelled, rescheduled, status changed: one event each', async () => {
		await book();
		await book();
		await book();
		const p = poller();
		const from = sb.app.requests.length;
		expect((await p.poll()).output).toBeNull();
		// 3 appointments at 2 a page: both pages read
		const lists = sb.app.requests.slice(from).filter((r) => r.path === `${API}/appointments`);
		expect(lists.map((r) => r.query)).toEqual(['', '?page=2']);

		const a = await book();
		let got = await p.events();
		expect(got.map(brief)).toEqual([['appointmentBooked', a.id]]);
		expect(got[0]).toMatchObject({
			appointment: { id: a.id, status: 'booked' },
			previousStatus: null,
		});
		expect((await p.poll()).output).toBeNull();

		await portal('DELETE', `/appointments/${String(a.id)}`);
		got = await p.events();
		expect(got.map(brief)).toEqual([['appointmentCancelled', a.id]]);
		expect(got[0]).toMatchObject({
			previousStatus: 'booked',
			appointment: { status: 'cancelled' },
		});

		const b = await book();
		expect((await p.events()).map(brief)).toEqual([['appointmentBooked', b.id]]);
		const moved = (await admin(`/mpp/appointments/${String(b.id)}`, { move: 'next' }))
			.data as IDataObject;
		got = await p.events();
		expect(got.map(brief)).toEqual([['appointmentRescheduled', b.id]]);
		expect(got[0]).toMatchObject({
			previousStartTime: b.start_time,
			appointment: { start_time: moved.start_time },
		});
		expect(moved.start_time).not.toBe(b.start_time);

		await admin(`/mpp/appointments/${String(b.id)}`, { status: 'confirmed' });
		got = await p.events();
		expect(got.map(brief)).toEqual([['appointmentStatusChanged', b.id]]);
		expect(got[0]).toMatchObject({
			previousStatus: 'booked',
			appointment: { status: 'confirmed' },
		});

		// cancelled by the practice
		await admin(`/mpp/appointments/${String(b.id)}`, { cancel: true });
		got = await p.events();
		expect(got.map(brief)).toEqual([['appointmentCancelled', b.id]]);
		expect(got[0]).toMatchObject({ previousStatus: 'confirmed' });
		expect((await p.poll()).output).toBeNull();
	});

	it('earlier availability: each newly opened earlier slot once', async () => {
		const p = poller();
		const a = await book({ asap: true, late: true });
		expect((await p.poll()).output).toBeNull(); // first poll: the current earlier slot is remembered
		expect((await p.poll()).output).toBeNull();
		const slot = (await admin('/mpp/slots', { appointment_id: a.id, minutesFromNow: 90 }))
			.data as IDataObject;
		const got = await p.events();
		expect(got.map(brief)).toEqual([['earlierAvailabilityFound', a.id]]);
		expect(got[0]).toMatchObject({
			earlierAvailability: { id: slot.id, start_time: slot.start_time },
			previousStartTime: a.start_time,
		});
		expect((await p.poll()).output).toBeNull();
		// an even earlier one
		const sooner = (await admin('/mpp/slots', { appointment_id: a.id, minutesFromNow: 30 }))
			.data as IDataObject;
		expect((await p.events()).map((e) => (e.earlierAvailability as IDataObject).id)).toEqual([
			sooner.id,
		]);
		// not watched when the event is not selected
		const q = poller(ALL.slice(0, 4));
		await q.poll();
		await admin('/mpp/slots', { appointment_id: a.id, minutesFromNow: 10 });
		expect((await q.poll()).output).toBeNull();
	});

	it('unselected events are remembered, not delivered later; manual mode changes nothing', async () => {
		const p = poller(['appointmentCancelled']);
		await p.poll();
		const a = await book();
		expect((await p.poll()).output).toBeNull();
		await portal('DELETE', `/appointments/${String(a.id)}`);
		expect((await p.events()).map(brief)).toEqual([['appointmentCancelled', a.id]]);

		const before = JSON.stringify(p.staticData);
		await book();
		const { output } = await p.poll('manual');
		expect(output![0].length).toBeGreaterThan(0);
		expect(output![0].every((i) => i.json.sample === true)).toBe(true);
		expect(JSON.stringify(p.staticData)).toBe(before);
		const fresh = poller();
		await fresh.poll('manual');
		expect(fresh.staticData).toEqual({});
	});
});
