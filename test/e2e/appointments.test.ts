// Appointments in a real n8n (the built package as a community package, demo credentials):
// examples/07 — Webhook → Book Appointment on eMedicalPractice (Standard API) → Respond to Webhook;
// examples/08 — Webhook → Find Free Slots → Book Appointment on the SMART sandbox → Respond.
// Each is published and called through its production webhook; the booking is read back from the
// sandbox's state.
import { loadExamples } from '../../scripts/n8n/workflows';
import { empAppointments } from '../../sandbox/surfaces/emp-appointments';
import { storeFor } from '../../sandbox/fhir-store/server';
import { E2E_TIMEOUT, startEnv, stopEnv, testWorkflow, type Env } from './helpers';

jest.setTimeout(E2E_TIMEOUT);

const byFile = Object.fromEntries(loadExamples().map((e) => [e.file, e.workflow]));
const emp = byFile['07-emedicalpractice-book-appointment.json'];
const fhir = byFile['08-fhir-slot-booking.json'];

let env: Env | undefined;
beforeAll(async () => {
	env = await startEnv({ workflows: [emp, fhir] });
});
afterAll(async () => {
	await stopEnv(env);
});

testWorkflow(
	emp,
	'eMedicalPractice: the webhook books through the Standard API and answers the appointment; the same time again is refused, still one appointment',
	async () => {
		const { n8n, sandbox } = env!;
		await n8n.activate(emp.id);
		const booking = {
			patientId: '3',
			providerId: '1',
			facilityId: '3',
			date: '2030-01-07',
			startTime: '09:30',
			duration: 20,
			comment: 'e2e',
		};
		const res = await n8n.webhook('emp-book-appointment', booking);
		if (res.status !== 201)
			throw new Error(`webhook answered ${res.status}: ${res.text.slice(0, 500)}`);
		const body = res.json as Record<string, unknown>;
		expect(body).toMatchObject({
			booked: true,
			patientId: '3',
			providerId: '1',
			date: '2030-01-07',
			startTime: '09:30',
			durationMinutes: 20,
			comment: 'e2e',
		});
		const stored = [...empAppointments(sandbox.app).appointments.values()];
		expect(stored).toEqual([
			expect.objectContaining({
				pc_eid: body.id,
				pc_pid: '3',
				pc_aid: '1',
				pc_duration: '1200',
				pc_startTime: '09:30:00',
			}),
		]);
		// the provider is busy then: refused before anything is posted
		const again = await n8n.webhook('emp-book-appointment', { ...booking, patientId: '4' });
		expect(again.status).not.toBe(201);
		expect(empAppointments(sandbox.app).appointments.size).toBe(1);
		const execs = await n8n.finishedExecutions(emp.id, 2);
		expect(execs.map((e) => e.status).sort()).toEqual(['error', 'success']);
	},
);

testWorkflow(
	fhir,
	"SMART on FHIR: the webhook books the practitioner's first free Slot; the Slot is busy; the next call books the next Slot",
	async () => {
		const { n8n, sandbox } = env!;
		await n8n.activate(fhir.id);
		const res = await n8n.webhook('fhir-book-slot', {
			patientId: 'pt-00001',
			practitionerId: 'pr-0002',
			reason: 'Check-up (e2e)',
		});
		if (res.status !== 201)
			throw new Error(`webhook answered ${res.status}: ${res.text.slice(0, 500)}`);
		const body = res.json as {
			booked: boolean;
			slotIds: string[];
			patientId: string;
			practitioner: string;
			id: string;
			description: string;
		};
		expect(body).toMatchObject({
			booked: true,
			patientId: 'pt-00001',
			practitioner: 'Practitioner/pr-0002',
			description: 'Check-up (e2e)',
		});
		const store = storeFor(sandbox.app, 'smart');
		expect(body.slotIds).toHaveLength(1);
		expect(body.slotIds[0]).toMatch(/^slot-pr-0002-\d{8}-0900$/);
		expect(store.current('Slot', body.slotIds[0])?.resource?.status).toBe('busy');
		expect(store.current('Appointment', body.id)?.resource?.status).toBe('booked');
		const next = await n8n.webhook('fhir-book-slot', {
			patientId: 'pt-00002',
			practitionerId: 'pr-0002',
		});
		if (next.status !== 201)
			throw new Error(`webhook answered ${next.status}: ${next.text.slice(0, 500)}`);
		const second = next.json as { slotIds: string[] };
		expect(second.slotIds[0]).toMatch(/^slot-pr-0002-\d{8}-0930$/);
		expect(store.count('Appointment')).toBe(2);
	},
);
