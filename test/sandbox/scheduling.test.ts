// Sandbox scheduling: the SMART store's seeded Schedules and Slots with real Slot state (a booked
// Slot is busy, a second booking is refused with 409, cancel / move / delete free it, two
// concurrent bookings have one winner, a failed transaction leaves the Slot free), and the
// eMedicalPractice Standard API appointment routes (scopes, wrapped answers, 422, 404, reset);
// the eMedicalPractice FHIR surface declares and serves no Schedule / Slot (OpenEMR has none), and
// the `smartWithhold` setting takes an interaction out of the SMART CapabilityStatement.
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { client, type FhirClient } from './fhir-store-util';
import { schedulingStartDay } from '../../sandbox/data/scheduling';

let sb: Sandbox;
let fhir: FhirClient;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	fhir = client(sb, 'smart', ['user/*.read', 'user/*.write']);
});

const appointment = (slot: string, patient = 'pt-00001', status = 'booked') => ({
	resourceType: 'Appointment',
	status,
	slot: [{ reference: `Slot/${slot}` }],
	participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }],
});
const slotStatus = async (id: string) => (await fhir.get(`Slot/${id}`)).body.status as string;

describe('SMART: Schedules and Slots', () => {
	it('3 practitioners, one Schedule each, 6 free half-hour slots on each of the next 5 weekdays', async () => {
		const day = schedulingStartDay(Date.now());
		const schedules = await fhir.get('Schedule?actor=Practitioner/pr-0001');
		expect(schedules.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([
			'sch-pr-0001',
		]);
		const all = await fhir.get('Slot?status=free&_count=100');
		expect(all.body.total).toBe(90);
		const first = await fhir.get(
			`Slot?schedule=Schedule/sch-pr-0001&start=ge${day}&start=lt${day}T23:59:59Z&_sort=start`,
		);
		const starts = first.body.entry.map((e: { resource: { start: string } }) => e.resource.start);
		// the first weekday on or after the day after today
		expect(starts).toHaveLength(starts.length ? 6 : 0);
		const meta = await fhir.get('metadata');
		const types = meta.body.rest[0].resource as Array<{
			type: string;
			interaction: Array<{ code: string }>;
		}>;
		for (const t of ['Slot', 'Schedule'])
			expect(types.find((r) => r.type === t)!.interaction.map((i) => i.code)).toContain(
				'search-type',
			);
		expect(types.find((r) => r.type === 'Appointment')!.interaction.map((i) => i.code)).toEqual(
			expect.arrayContaining(['create', 'update', 'patch']),
		);
	});

	it('booking takes the Slot; a second booking of it is 409 conflict and writes nothing', async () => {
		const slot = (await fhir.get('Slot?status=free&_count=1')).body.entry[0].resource.id as string;
		const a = await fhir.call('POST', 'Appointment', appointment(slot));
		expect(a.status).toBe(201);
		expect(await slotStatus(slot)).toBe('busy');
		const b = await fhir.call('POST', 'Appointment', appointment(slot, 'pt-00002'));
		expect(b.status).toBe(409);
		expect(b.body).toMatchObject({
			resourceType: 'OperationOutcome',
			issue: [{ code: 'conflict' }],
		});
		expect((await fhir.get('Appointment?_summary=count')).body.total).toBe(1);
		// a proposal does not take a Slot; an unknown Slot is 422
		expect(
			(await fhir.call('POST', 'Appointment', appointment(slot, 'pt-00002', 'proposed'))).status,
		).toBe(201);
		expect((await fhir.call('POST', 'Appointment', appointment('nope'))).status).toBe(422);
	});

	it('cancel by patch or update frees the Slot; a move by update frees the old and takes the new; delete frees', async () => {
		const ids = (await fhir.get('Slot?status=free&_count=3')).body.entry.map(
			(e: { resource: { id: string } }) => e.resource.id as string,
		);
		const a = (await fhir.call('POST', 'Appointment', appointment(ids[0]))).body;
		const p = await fhir.call(
			'PATCH',
			`Appointment/${a.id}`,
			[{ op: 'replace', path: '/status', value: 'cancelled' }],
			{
				'content-type': 'application/json-patch+json',
			},
		);
		expect(p.status).toBe(200);
		expect(await slotStatus(ids[0])).toBe('free');
		const b = (await fhir.call('POST', 'Appointment', appointment(ids[0]))).body;
		const moved = await fhir.call('PUT', `Appointment/${b.id}`, {
			...b,
			slot: [{ reference: `Slot/${ids[1]}` }],
		});
		expect(moved.status).toBe(200);
		expect([await slotStatus(ids[0]), await slotStatus(ids[1])]).toEqual(['free', 'busy']);
		// a move into a taken Slot is refused and changes nothing
		const c = (await fhir.call('POST', 'Appointment', appointment(ids[2], 'pt-00003'))).body;
		const clash = await fhir.call('PUT', `Appointment/${b.id}`, {
			...moved.body,
			slot: [{ reference: `Slot/${ids[2]}` }],
		});
		expect(clash.status).toBe(409);
		expect(await slotStatus(ids[1])).toBe('busy');
		expect((await fhir.call('DELETE', `Appointment/${c.id}`)).status).toBe(200);
		expect(await slotStatus(ids[2])).toBe('free');
	});

	it('two concurrent bookings of one Slot: exactly one wins', async () => {
		const slot = (await fhir.get('Slot?status=free&_count=1')).body.entry[0].resource.id as string;
		const answers = await Promise.all(
			['pt-00001', 'pt-00002', 'pt-00003', 'pt-00004'].map((p) =>
				fhir.call('POST', 'Appointment', appointment(slot, p)),
			),
		);
		expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
		expect((await fhir.get(`Appointment?_summary=count`)).body.total).toBe(1);
	});

	it('a transaction that fails after the booking entry undoes the Slot too', async () => {
		const slot = (await fhir.get('Slot?status=free&_count=1')).body.entry[0].resource.id as string;
		const r = await fhir.call('POST', '', {
			resourceType: 'Bundle',
			type: 'transaction',
			entry: [
				{ resource: appointment(slot), request: { method: 'POST', url: 'Appointment' } },
				{
					resource: { resourceType: 'Patient', id: 'x' },
					request: { method: 'PUT', url: 'Patient/other-id' },
				},
			],
		});
		expect(r.status).toBe(400);
		expect(await slotStatus(slot)).toBe('free');
	});

	it('reset frees every Slot again', async () => {
		const slot = (await fhir.get('Slot?status=free&_count=1')).body.entry[0].resource.id as string;
		await fhir.call('POST', 'Appointment', appointment(slot));
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		expect(await slotStatus(slot)).toBe('free');
	});
});

describe('which surfaces declare scheduling', () => {
	const types = async (base: string) =>
		(
			(await (await fetch(`${sb.url}${base}/metadata`)).json()) as {
				rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }> }> }>;
			}
		).rest[0].resource;

	it('eMedicalPractice (OpenEMR: no Schedule, Slot) neither declares nor serves them; SMART does', async () => {
		const emp = (await types('/emp/fhir/r4')).map((r) => r.type);
		expect(emp).toEqual(expect.arrayContaining(['Patient', 'Appointment', 'Practitioner']));
		expect(emp).not.toContain('Slot');
		expect(emp).not.toContain('Schedule');
		const empFhir = client(sb, 'emp', ['user/*.read']);
		for (const path of ['Slot?status=free', 'Schedule', 'Slot/slot-x', 'slot'])
			expect((await empFhir.get(path)).status).toBe(404);
		const smart = (await types('/smart/fhir')).map((r) => r.type);
		expect(smart).toEqual(expect.arrayContaining(['Slot', 'Schedule']));
	});

	it('smartWithhold: the SMART statement leaves Appointment update out and a PUT is refused (405); reset restores', async () => {
		const slot = (await fhir.get('Slot?status=free&_count=1')).body.entry[0].resource.id as string;
		const made = await fhir.call('POST', 'Appointment', appointment(slot));
		const set = await fetch(`${sb.url}/_admin/fhir/settings`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ smartWithhold: ['Appointment.update'] }),
		});
		expect(((await set.json()) as { smartWithhold: string[] }).smartWithhold).toEqual([
			'Appointment.update',
		]);
		const codes = async () =>
			(await types('/smart/fhir'))
				.find((r) => r.type === 'Appointment')!
				.interaction.map((i) => i.code);
		expect(await codes()).not.toContain('update');
		expect(await codes()).toContain('patch');
		const id = String(made.body.id);
		const put = await fhir.call('PUT', `Appointment/${id}`, { ...made.body, status: 'cancelled' });
		expect(put.status).toBe(405);
		expect(await slotStatus(slot)).toBe('busy');
		const bad = await fetch(`${sb.url}/_admin/fhir/settings`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ smartWithhold: 'Appointment.update' }),
		});
		expect(bad.status).toBe(400);
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		expect(await codes()).toContain('update');
	});
});

describe('eMedicalPractice Standard API appointments', () => {
	const API = '/emp/api';
	const call = async (method: string, path: string, scopes: string[], body?: unknown) => {
		const token = sb.app.tokens.issue({
			surface: 'emp',
			clientId: 't',
			scopes,
			lifetimeSeconds: 600,
		}).access_token;
		const r = await fetch(`${sb.url}${API}${path}`, {
			method,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: r.status, body: (await r.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
	};
	const ALL = [
		'api:oemr',
		'user/appointment.read',
		'user/appointment.write',
		'user/practitioner.read',
		'user/facility.read',
	];
	const body = {
		pc_catid: '5',
		pc_title: 'Office Visit',
		pc_duration: '900',
		pc_hometext: '',
		pc_apptstatus: '-',
		pc_eventDate: '2030-01-07',
		pc_startTime: '09:30',
		pc_facility: '3',
		pc_billing_location: '3',
		pc_aid: '1',
	};

	it('scopes: api:oemr and the resource scope, else 403 {error, error_description}', async () => {
		const r = await call('GET', '/appointment', ['user/appointment.read']);
		expect(r).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
		expect(
			(await call('POST', '/patient/1/appointment', ['api:oemr', 'user/appointment.read'], body))
				.status,
		).toBe(403);
		expect((await call('GET', '/practitioner', ['api:oemr', 'user/*.read'])).status).toBe(200);
	});

	it('POST → wrapped {data: {pc_eid}}; listed per patient (pid or uuid) and in all; DELETE removes; reset empties', async () => {
		const p = await call('POST', '/patient/1/appointment', ALL, body);
		expect(p).toMatchObject({
			status: 201,
			body: { validationErrors: [], internalErrors: [], data: { pc_eid: '1' } },
		});
		const mine = await call('GET', '/patient/pt-00001/appointment', ALL);
		expect(mine.body.data).toEqual([
			expect.objectContaining({
				pc_eid: '1',
				pc_pid: '1',
				pc_startTime: '09:30:00',
				pc_endTime: '09:45:00',
				fname: expect.any(String),
			}),
		]);
		expect((await call('GET', '/appointment/1', ALL)).body.data).toHaveLength(1);
		expect((await call('GET', '/patient/2/appointment/1', ALL)).status).toBe(404);
		expect((await call('DELETE', '/patient/1/appointment/1', ALL)).status).toBe(200);
		expect((await call('DELETE', '/patient/1/appointment/1', ALL)).status).toBe(404);
		await call('POST', '/patient/1/appointment', ALL, body);
		await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
		expect((await call('GET', '/appointment', ALL)).body.data).toEqual([]);
	});

	it('422 with validationErrors per field; 404 for an unknown patient', async () => {
		const r = await call('POST', '/patient/1/appointment', ALL, {
			...body,
			pc_startTime: '9.30',
			pc_catid: '77',
			pc_title: undefined,
		});
		expect(r.status).toBe(422);
		expect(Object.keys(r.body.validationErrors).sort()).toEqual([
			'pc_catid',
			'pc_startTime',
			'pc_title',
		]);
		expect((await call('POST', '/patient/9999/appointment', ALL, body)).status).toBe(404);
	});
});
