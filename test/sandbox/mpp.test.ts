// MyPatientPortal surface over real HTTP: walkthrough, booking state, errors, faults, scopes.
import { withSandbox, armFault } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { datasetFor } from '../../sandbox/data';

const API = '/mpp/api/portal/v1';

interface Slot {
	id: string;
	start_time: string;
	end_time: string;
	appointment_type_id: number;
	appointment_category_id: number;
}
interface Appt {
	id: string;
	status: string;
	start_time: string;
	appointment_type: { id: number; name: string };
	asap_list: { subscribed: boolean; email: string | null };
	comment: string | null;
}

describe('MyPatientPortal sandbox surface', () => {
	let sb: Sandbox;
	let token: string;
	let otherToken: string;

	beforeAll(async () => {
		sb = await withSandbox();
	});
	afterAll(() => sb.close());
	beforeEach(async () => {
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		token = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 'test',
			scopes: ['profile_read', 'appointment_read', 'appointment_write'],
			lifetimeSeconds: 3600,
			patient: 'pt-00001',
		}).access_token;
		otherToken = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 'test',
			scopes: ['profile_read', 'appointment_read', 'appointment_write'],
			lifetimeSeconds: 3600,
			patient: 'pt-00009',
		}).access_token;
	});

	const call = async (method: string, path: string, body?: unknown, tok: string | null = token) => {
		const headers: Record<string, string> = {};
		if (tok) headers.authorization = `Bearer ${tok}`;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const r = await fetch(`${sb.url}${API}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await r.text();
		return { status: r.status, body: text ? (JSON.parse(text) as any) : undefined };
	};
	const slotsFor = async (cat: number, type: number, ins: number, extra = '') =>
		(
			await call(
				'GET',
				`/availabilities?appointment_category_id=${cat}&appointment_type_id=${type}&insurance_id=${ins}${extra}`,
			)
		).body.data as Slot[];
	const adminAppointments = async () =>
		(
			(await (await fetch(`${sb.url}/_admin/mpp/appointments?patient=pt-00001`)).json()) as {
				data: Array<Appt & { availability_id: string }>;
			}
		).data;

	it('walks through insurances → categories → types → availabilities → booking', async () => {
		const me = await call('GET', '/me');
		expect(me.status).toBe(200);
		expect(me.body.data.id).toBe('pt-00001');
		const fhir = datasetFor(sb.app).patient('pt-00001')!;
		expect(me.body.data).toMatchObject({
			last_name: fhir.name[0].family,
			first_name: fhir.name[0].given[0],
			date_of_birth: fhir.birthDate,
		});
		expect(me.body.data.email).toBe(fhir.telecom.find((t) => t.system === 'email')!.value);

		const ins = await call('GET', '/insurances');
		expect(ins.body.data.map((i: { id: number }) => i.id)).toEqual([136, 137, 138]);

		const cats = await call('GET', '/appointment_categories?insurance_id=136');
		expect(cats.body.data.map((c: { id: number }) => c.id)).toEqual([53, 54, 55]);
		const catsPrivate = await call('GET', '/appointment_categories?insurance_id=138');
		expect(catsPrivate.body.data.map((c: { id: number }) => c.id)).toEqual([53, 54, 56]);

		const types = await call(
			'GET',
			'/appointment_types?appointment_category_id=53&insurance_id=136',
		);
		expect(
			types.body.data.map((t: { id: number; asap_notifications_enabled: boolean }) => [
				t.id,
				t.asap_notifications_enabled,
			]),
		).toEqual([
			[198, true],
			[199, false],
			[200, true],
		]);

		const slots = await slotsFor(53, 198, 136);
		expect(slots.length).toBeGreaterThan(20);
		for (const s of slots) {
			expect(s.appointment_type_id).toBe(198);
			for (const ch of ['+', '/', '=', '_', '-']) expect(s.id).toContain(ch);
			expect(s.id.length).toBeGreaterThan(150);
			expect(Date.parse(s.end_time)).toBeGreaterThan(Date.parse(s.start_time));
		}

		const booked = await call('POST', '/booking', {
			availability_id: slots[0].id,
			insurance_id: 136,
			comment: 'first visit',
		});
		expect(booked.status).toBe(201);
		expect(booked.body.data.id).toMatch(/^[A-Za-z0-9]{28}$/);
		expect(booked.body.data).toMatchObject({
			status: 'booked',
			start_time: slots[0].start_time,
			comment: 'first visit',
		});

		const got = await call('GET', `/appointments/${booked.body.data.id}`);
		expect(got.body.data.start_time).toBe(slots[0].start_time);
		const list = await call('GET', '/appointments');
		expect(list.body.data.map((a: Appt) => a.id)).toEqual([booked.body.data.id]);
		// another patient cannot see it
		expect(
			(await call('GET', `/appointments/${booked.body.data.id}`, undefined, otherToken)).status,
		).toBe(404);
	});

	it('a booked slot disappears from availabilities; cancel frees it; cancelling twice is refused', async () => {
		const before = await slotsFor(54, 210, 136);
		const slot = before[3];
		const b = await call('POST', '/booking', { availability_id: slot.id });
		expect(b.status).toBe(201);
		const after = await slotsFor(54, 210, 136);
		expect(after.length).toBe(before.length - 1);
		expect(after.map((s) => s.id)).not.toContain(slot.id);

		const c = await call('DELETE', `/appointments/${b.body.data.id}`);
		expect(c.status).toBe(200);
		expect(c.body.data).toMatchObject({ id: b.body.data.id, status: 'cancelled' });
		expect((await slotsFor(54, 210, 136)).map((s) => s.id)).toContain(slot.id);

		const again = await call('DELETE', `/appointments/${b.body.data.id}`);
		expect(again.status).toBe(422);
		expect(again.body.error).toBe('already_cancelled');
		expect(again.body.error_description).toContain(b.body.data.id);

		const unknown = await call('DELETE', '/appointments/doesNotExist123');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toEqual({
			error: 'not_found',
			error_description: 'Appointment doesNotExist123 was not found.',
		});
	});

	it('reschedule keeps the id, moves the time and frees the old slot', async () => {
		const slots = await slotsFor(53, 199, 137);
		const b = await call('POST', '/booking', { availability_id: slots[0].id });
		const id = b.body.data.id as string;
		const options = (await call('GET', `/appointments/${id}/availabilities`)).body.data as Slot[];
		expect(
			options.every((s) => s.appointment_type_id === 199 && s.appointment_category_id === 53),
		).toBe(true);
		expect(options.map((s) => s.id)).not.toContain(slots[0].id);

		const r = await call('PUT', `/appointments/${id}`, { availability_id: options[5].id });
		expect(r.status).toBe(200);
		expect(r.body.data.id).toBe(id);
		expect(r.body.data.start_time).toBe(options[5].start_time);

		const now = (await slotsFor(53, 199, 137)).map((s) => s.id);
		expect(now).toContain(slots[0].id);
		expect(now).not.toContain(options[5].id);
		const all = await adminAppointments();
		expect(all).toHaveLength(1);
		expect(all[0]).toMatchObject({ id, availability_id: options[5].id, status: 'booked' });

		// a slot of another type is refused
		const other = (await slotsFor(53, 198, 137))[0];
		const wrong = await call('PUT', `/appointments/${id}`, { availability_id: other.id });
		expect(wrong.status).toBe(422);
		expect(wrong.body.error).toBe('availability_not_allowed');
	});

	it('two concurrent bookings of one slot: exactly one succeeds', async () => {
		const slot = (await slotsFor(55, 220, 136))[0];
		const results = await Promise.all([
			call('POST', '/booking', { availability_id: slot.id }),
			call('POST', '/booking', { availability_id: slot.id }),
			call('POST', '/booking', { availability_id: slot.id }, otherToken),
		]);
		const statuses = results.map((r) => r.status).sort();
		expect(statuses).toEqual([201, 422, 422]);
		for (const r of results.filter((x) => x.status === 422)) {
			expect(r.body).toEqual({
				error: 'availability_taken',
				error_description: 'The selected time slot is no longer available.',
			});
		}
		const all = (
			(await (await fetch(`${sb.url}/_admin/mpp/appointments`)).json()) as {
				data: Array<{ availability_id: string; status: string }>;
			}
		).data;
		expect(all.filter((a) => a.availability_id === slot.id && a.status === 'booked')).toHaveLength(
			1,
		);
	});

	it('matches availability ids byte for byte', async () => {
		const slot = (await slotsFor(53, 198, 136))[1];
		const mangled = [
			slot.id.replace('+', ' '),
			slot.id.replace('/', '%2F'),
			slot.id.replace(/=+$/, ''),
			slot.id.replace('_', '/'),
		];
		for (const id of mangled) {
			const r = await call('POST', '/booking', { availability_id: id });
			expect(r.status).toBe(422);
			expect(r.body.error).toBe('availability_unknown');
		}
		// form bodies: a raw + decodes to a space and must not match; %2B does
		const form = async (value: string) =>
			fetch(`${sb.url}${API}/booking`, {
				method: 'POST',
				headers: {
					authorization: `Bearer ${token}`,
					'content-type': 'application/x-www-form-urlencoded',
				},
				body: `availability_id=${value}`,
			});
		expect((await form(slot.id)).status).toBe(422);
		expect((await form(encodeURIComponent(slot.id))).status).toBe(201);
		expect(await adminAppointments()).toHaveLength(1);
	});

	it('refuses ASAP opt-in for a type without ASAP, accepts it otherwise; subscribe/unsubscribe/earlier', async () => {
		const noAsap = (await slotsFor(53, 199, 136))[0];
		const refused = await call('POST', '/booking', {
			availability_id: noAsap.id,
			asap_list_opt_in: true,
		});
		expect(refused.status).toBe(422);
		expect(refused.body).toEqual({
			error: 'asap_not_enabled',
			error_description: 'The ASAP list is not enabled for appointment type "Follow-up visit".',
		});
		expect(await adminAppointments()).toHaveLength(0);

		const asapSlots = await slotsFor(53, 198, 136);
		const late = asapSlots[asapSlots.length - 1];
		const b = await call('POST', '/booking', { availability_id: late.id, asap_list_opt_in: true });
		expect(b.status).toBe(201);
		expect(b.body.data.asap_list.subscribed).toBe(true);
		const id = b.body.data.id;

		const earlier = await call('GET', `/appointments/${id}/earlier_availability`);
		expect(earlier.status).toBe(200);
		expect(earlier.body.data.appointment.id).toBe(id);
		expect(earlier.body.data.earlier_availability.id).toBe(asapSlots[0].id);

		const un = await call('DELETE', `/appointments/${id}/asap_list`);
		expect(un.body.data).toEqual({ id, asap_list: { subscribed: false, email: null } });
		expect((await call('DELETE', `/appointments/${id}/asap_list`)).body.error).toBe(
			'not_subscribed',
		);
		expect((await call('GET', `/appointments/${id}/earlier_availability`)).body.error).toBe(
			'not_subscribed',
		);

		const noEmail = await call('POST', `/appointments/${id}/asap_list`, {});
		expect(noEmail.status).toBe(422);
		expect(noEmail.body.error).toBe('email_required');
		const sub = await call('POST', `/appointments/${id}/asap_list`, { email: 'pat@example.org' });
		expect(sub.status).toBe(200);
		expect(sub.body.data).toEqual({
			id,
			asap_list: { subscribed: true, email: 'pat@example.org' },
		});

		// subscribe on a type without ASAP is refused too
		const plain = await call('POST', '/booking', { availability_id: noAsap.id });
		const subPlain = await call('POST', `/appointments/${plain.body.data.id}/asap_list`, {
			email: 'pat@example.org',
		});
		expect(subPlain.status).toBe(422);
		expect(subPlain.body.error).toBe('asap_not_enabled');
	});

	it('lost-response on booking commits the booking and resets the connection', async () => {
		const slot = (await slotsFor(54, 210, 137))[0];
		await armFault(sb, {
			surface: 'mpp',
			kind: 'lost-response',
			pathContains: '/booking',
			method: 'POST',
		});
		await expect(call('POST', '/booking', { availability_id: slot.id })).rejects.toThrow();
		const all = await adminAppointments();
		expect(all).toHaveLength(1);
		expect(all[0].availability_id).toBe(slot.id);
		// the patient's own list shows it at the slot's time
		const mine = (await call('GET', '/appointments')).body.data as Appt[];
		expect(mine.map((a) => a.start_time)).toEqual([slot.start_time]);
	});

	it('lost-response on reschedule commits the move', async () => {
		const slots = await slotsFor(53, 198, 137);
		const b = await call('POST', '/booking', { availability_id: slots[0].id });
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', method: 'PUT' });
		await expect(
			call('PUT', `/appointments/${b.body.data.id}`, { availability_id: slots[2].id }),
		).rejects.toThrow();
		expect((await call('GET', `/appointments/${b.body.data.id}`)).body.data.start_time).toBe(
			slots[2].start_time,
		);
	});

	it('lost-response on cancel commits the cancel and frees the slot', async () => {
		const slot = (await slotsFor(53, 199, 136))[1];
		const b = await call('POST', '/booking', { availability_id: slot.id });
		await armFault(sb, { surface: 'mpp', kind: 'lost-response', method: 'DELETE' });
		await expect(call('DELETE', `/appointments/${b.body.data.id}`)).rejects.toThrow();
		expect((await call('GET', `/appointments/${b.body.data.id}`)).body.data.status).toBe(
			'cancelled',
		);
		expect((await slotsFor(53, 199, 136)).map((s) => s.id)).toContain(slot.id);
	});

	it('validates parameters and the from/to window', async () => {
		expect((await call('GET', '/appointment_categories')).body).toEqual({
			error: 'invalid_request',
			error_description: 'insurance_id is required.',
		});
		expect(
			(await call('GET', '/appointment_types?appointment_category_id=56&insurance_id=136')).status,
		).toBe(422);
		expect(
			(
				await call(
					'GET',
					'/availabilities?appointment_category_id=53&appointment_type_id=210&insurance_id=136',
				)
			).status,
		).toBe(400);
		expect(
			(
				await call(
					'GET',
					'/availabilities?appointment_category_id=53&appointment_type_id=198&insurance_id=136&from=tomorrow',
				)
			).status,
		).toBe(400);
		const all = await slotsFor(53, 198, 136);
		const day = all[0].start_time.slice(0, 10);
		const oneDay = await slotsFor(53, 198, 136, `&from=${day}&to=${day}`);
		expect(oneDay.length).toBeGreaterThan(0);
		expect(oneDay.every((s) => s.start_time.startsWith(day))).toBe(true);
		expect(oneDay).toEqual(all.filter((s) => s.start_time.startsWith(day)));
		expect((await call('POST', '/booking', {})).body.error).toBe('invalid_request');
	});

	it('enforces scopes: profile_read for /me, appointment_read for reads, appointment_write for writes', async () => {
		const readOnly = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 't',
			scopes: ['appointment_read'],
			lifetimeSeconds: 60,
			patient: 'pt-00001',
		}).access_token;
		const profileOnly = sb.app.tokens.issue({
			surface: 'mpp',
			clientId: 't',
			scopes: ['profile_read'],
			lifetimeSeconds: 60,
			patient: 'pt-00001',
		}).access_token;
		expect((await call('GET', '/me', undefined, readOnly)).status).toBe(403);
		expect((await call('GET', '/me', undefined, profileOnly)).status).toBe(200);
		expect((await call('GET', '/insurances', undefined, profileOnly)).status).toBe(403);
		expect((await call('GET', '/insurances', undefined, readOnly)).status).toBe(200);
		const slot = (await slotsFor(53, 198, 136))[0];
		const w = await call('POST', '/booking', { availability_id: slot.id }, readOnly);
		expect(w.status).toBe(403);
		expect(w.body.error).toBe('insufficient_scope');
		expect((await call('GET', '/insurances', undefined, null)).status).toBe(401);
		expect(await adminAppointments()).toHaveLength(0);
	});

	it('is deterministic: reset gives the same ids and slots', async () => {
		const a = await slotsFor(53, 198, 136);
		const booked = await call('POST', '/booking', { availability_id: a[0].id });
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		const b = await slotsFor(53, 198, 136);
		expect(b).toEqual(a);
		expect(await adminAppointments()).toHaveLength(0);
		const again = await call('POST', '/booking', { availability_id: a[0].id });
		expect(again.body.data.id).toBe(booked.body.data.id);
	});
});
