// EHR FHIR node, Book Appointment on a FHIR server whose CapabilityStatement declares
// `Appointment/$book` (and no conditional create): an ad-hoc server on the sandbox that serves that
// statement and answers `$book` by creating the Appointment in the SMART store (Slot state kept
// there), everything else forwarded to the SMART store. The operation is used; a lost answer is
// settled by looking the Appointment up by its identifier, never by a second $book.
import type { ServerResponse } from 'node:http';
import type { Sandbox } from '../../../../sandbox/server';
import { sendJson, type SandboxRequest } from '../../../../sandbox/http';
import { storeCapabilities, PROFILES } from '../../../../sandbox/fhir-store/profiles';
import { runNode } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import { failure, useFhirSandbox } from '../helpers';
import { storeCredentials } from '../store';
import { client } from '../../../sandbox/fhir-store-util';
import { requestsSince, rl } from './helpers';

const BASE = '/bookop/fhir';
let sb: Sandbox;
let loseNext = false;
useFhirSandbox((s) => {
	sb = s;
	const forward = async (
		req: SandboxRequest,
		res: ServerResponse,
		method: string,
		path: string,
		body?: unknown,
	) => {
		const r = await fetch(`${sb.url}/smart/fhir/${path}`, {
			method,
			headers: {
				authorization: String(req.headers.authorization ?? ''),
				accept: 'application/fhir+json',
				...(body ? { 'content-type': 'application/fhir+json' } : {}),
			},
			body: body ? JSON.stringify(body) : undefined,
		});
		return { status: r.status, body: (await r.json()) as Record<string, unknown> };
	};
	sb.app.route('GET', `${BASE}/metadata`, 'smart', (_req, res) => {
		const cs = storeCapabilities(sb.app, PROFILES.smart, BASE) as {
			rest: Array<{ resource: Array<Record<string, unknown>> }>;
		};
		for (const r of cs.rest[0].resource) {
			r.conditionalCreate = false;
			if (r.type === 'Appointment')
				r.operation = [
					{
						name: 'book',
						definition:
							'http://fhir.org/guides/argonaut-scheduling/OperationDefinition/appointment-book',
					},
				];
		}
		sendJson(res, 200, cs, {}, 'application/fhir+json');
	});
	sb.app.route('POST', `${BASE}/Appointment/$book`, 'smart', async (req, res) => {
		const params = req.json<{ parameter: Array<{ name: string; resource: unknown }> }>();
		const appt = params.parameter.find((p) => p.name === 'appt-resource')?.resource;
		const created = await forward(req, res, 'POST', 'Appointment', appt);
		if (loseNext) {
			loseNext = false;
			res.socket?.destroy();
			return;
		}
		if (created.status !== 201)
			return sendJson(res, created.status, created.body, {}, 'application/fhir+json');
		sendJson(
			res,
			200,
			{ resourceType: 'Bundle', type: 'collection', entry: [{ resource: created.body }] },
			{},
			'application/fhir+json',
		);
	});
	sb.app.route('GET', `${BASE}/*rest`, 'smart', async (req, res) => {
		const r = await forward(req, res, 'GET', `${req.params.rest}${req.url.search}`);
		sendJson(res, r.status, r.body, {}, 'application/fhir+json');
	});
});
beforeEach(async () => {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
	loseNext = false;
});

async function run(params: Record<string, unknown>) {
	const { type, store } = storeCredentials(sb, 'smart');
	store[type].fhirBaseUrl = `${sb.url}${BASE}`;
	const { output } = await runNode(EhrFhir, {
		parameters: { authentication: type, resource: 'appointment', ...params } as never,
		credentials: store,
	});
	return output[0];
}
const firstFree = async () =>
	(
		await run({
			operation: 'findSlots',
			practitioner: 'pr-0003',
			slotFrom: '2000-01-01',
			slotTo: '2099-01-01',
			limit: 2,
		})
	).map((i) => String(i.json.id));
const stored = async () =>
	(await client(sb, 'smart', ['user/*.read']).get('Appointment?_summary=count')).body
		.total as number;

it('uses $book where declared: one POST to Appointment/$book, the Slot busy, the Appointment in the output', async () => {
	const [slot] = await firstFree();
	const before = sb.app.requests.length;
	const [out] = await run({ operation: 'book', slotId: slot, patientId: rl('pt-00005') });
	expect(out.json).toMatchObject({
		booked: true,
		status: 'booked',
		slotIds: [slot],
		patientId: 'pt-00005',
	});
	expect(
		requestsSince(sb, before).filter((r) => r.startsWith('POST') && r.includes('/bookop/')),
	).toEqual([`POST ${BASE}/Appointment/$book`]);
	expect((await client(sb, 'smart', ['user/*.read']).get(`Slot/${slot}`)).body.status).toBe('busy');
	expect(await stored()).toBe(1);
	// the Slot taken: the server's 409 → pick another slot
	const e = await failure(run({ operation: 'book', slotId: slot, patientId: rl('pt-00006') }));
	expect(e.message).toMatch(
		/is busy; pick another slot \(nothing was sent\)$|no longer free .*pick another slot$/,
	);
});

it('a lost answer to $book: not sent again; the Appointment is found by its identifier — exactly one', async () => {
	const [slot] = await firstFree();
	loseNext = true;
	const before = sb.app.requests.length;
	const [out] = await run({ operation: 'book', slotId: slot, patientId: rl('pt-00005') });
	expect(out.json).toMatchObject({
		booked: true,
		recoveredAfterLostResponse: true,
		slotIds: [slot],
	});
	expect(
		requestsSince(sb, before).filter((r) => r === `POST ${BASE}/Appointment/$book`),
	).toHaveLength(1);
	expect(await stored()).toBe(1);
});
