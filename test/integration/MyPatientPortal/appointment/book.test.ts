// Book Appointment: the choices, the one POST (never sent twice), lost answers and 5xx settled
// by reading the patient's appointments (never with an appointment the patient already had),
// refusals worded with what to do next, and many bookings at once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { armFault } from '../../../helpers/sandbox';
import type { Sandbox } from '../../../../sandbox/server';
import { mppState } from '../../../../sandbox/surfaces/mpp';
import { runNode } from '../../../harness';
import { MyPatientPortal } from '../../../../nodes/MyPatientPortal/MyPatientPortal.node';
import {
	adminAppointments,
	bookingPosts,
	bookParams,
	escapeRegExp,
	patientToken,
	run,
	runJson,
	slotsOverHttp,
	API,
	useMppSandbox,
} from '../helpers';

/**
 * A portal with two practitioners offers two slots of one type at the same time: adds a twin of
 * the slot to the sandbox's calendar and returns its id.
 */
function addTwinSlot(sb: Sandbox, slotId: string): string {
	const st = mppState(sb.app);
	const slot = st.slotsById.get(slotId)!;
	const twin = { ...slot, id: `Twin${slotId.slice(4)}` };
	st.data.slots.push(twin);
	st.slotsById.set(twin.id, twin);
	return twin.id;
}

/**
 * A portal in front of the sandbox (127.0.0.1, port 0) that forwards every request to it, except
 * POST /booking, which `booking` answers itself (`forward` sends it on to the sandbox).
 */
async function portalProxy(
	sb: Sandbox,
	booking: (
		forward: () => Promise<{ status: number; body: { data?: { id?: string } } }>,
		res: http.ServerResponse,
	) => Promise<void>,
): Promise<{ url: string; close: () => Promise<void> }> {
	const send = async (
		method: string,
		path: string,
		headers: http.IncomingHttpHeaders,
		body: Buffer,
	) => {
		const h: Record<string, string> = {};
		for (const k of ['authorization', 'content-type', 'accept'])
			if (typeof headers[k] === 'string') h[k] = headers[k];
		return await fetch(`${sb.url}${path}`, {
			method,
			headers: h,
			body: method === 'GET' ? undefined : body,
		});
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			void (async () => {
				if (req.method === 'POST' && req.url === `${API}/booking`) {
					return await booking(async () => {
						const r = await send('POST', req.url!, req.headers, body);
						return { status: r.status, body: (await r.json()) as { data?: { id?: string } } };
					}, res);
				}
				const r = await send(req.method!, req.url!, req.headers, body);
				res.writeHead(r.status, {
					'Content-Type': r.headers.get('content-type') ?? 'application/json',
				});
				res.end(await r.text());
			})();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

async function bookThrough(proxy: { url: string }, token: string, slotId: string) {
	return await runNode(MyPatientPortal, {
		parameters: {
			...bookParams(slotId),
			additionalFields: { comment: 'PHI: allergic to penicillin' },
		},
		credentials: {
			myPatientPortalOAuth2Api: {
				portalUrl: `${proxy.url}/mpp`,
				oauthTokenData: { access_token: token, token_type: 'Bearer' },
			},
		},
	});
}

describe('MyPatientPortal Book Appointment answered with a redirect', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('303 See Other after the booking was committed: read with a GET on the portal, reported as booked, one POST', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[7];
		const proxy = await portalProxy(sb, async (forward, res) => {
			const booked = await forward();
			res.writeHead(303, {
				Location: `${API}/appointments/${String(booked.body.data?.id)}`,
				'Content-Length': '0',
			});
			res.end();
		});
		try {
			const { output } = await bookThrough(proxy, token, slot.id);
			const all = await adminAppointments(sb, 'pt-00001');
			expect(all).toHaveLength(1);
			expect(output[0]).toHaveLength(1);
			expect(output[0][0].json).toMatchObject({
				id: all[0].id,
				status: 'booked',
				start_time: slot.start_time,
				availabilityId: slot.id,
				recoveredAfterLostResponse: false,
			});
			expect(await bookingPosts(sb)).toBe(1);
			expect(
				sb.app.requests
					.filter((r) => r.path === `${API}/appointments/${all[0].id}`)
					.map((r) => r.method),
			).toEqual(['GET']);
		} finally {
			await proxy.close();
		}
	});

	it('307 to another origin: the booking (with its comment) is never sent there; "state unknown", never "Nothing was booked"', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[8];
		const proxy = await portalProxy(sb, async (_forward, res) => {
			res.writeHead(307, { Location: sb.app.filesUrl(`${API}/booking`), 'Content-Length': '0' });
			res.end();
		});
		try {
			const err = (await bookThrough(proxy, token, slot.id).catch((e: unknown) => e)) as Error & {
				description?: string;
			};
			expect(err).toBeInstanceOf(Error);
			expect(err.message).toBe(
				`Booking state unknown — check the portal before retrying: no answer to the booking of availability ${slot.id} at ${slot.start_time} (Book Appointment failed: the server redirected it (HTTP 307) to another server (${sb.fileUrl}); it was not sent there, so whether it took effect is unknown); no appointment at that time is among the patient's appointments yet`,
			);
			expect(`${err.message} ${err.description}`).not.toContain('Nothing was booked');
			expect(sb.app.requests.filter((r) => r.origin === 'files')).toEqual([]);
			expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
		} finally {
			await proxy.close();
		}
	});

	it('307 on the same portal: a POST is not sent again; "state unknown"', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[9];
		let posts = 0;
		const proxy = await portalProxy(sb, async (_forward, res) => {
			posts++;
			res.writeHead(307, { Location: `${API}/booking`, 'Content-Length': '0' });
			res.end();
		});
		try {
			const err = (await bookThrough(proxy, token, slot.id).catch((e: unknown) => e)) as Error;
			expect(
				err.message.startsWith('Booking state unknown — check the portal before retrying: '),
			).toBe(true);
			expect(err.message).toContain(
				`(Book Appointment failed: the server asked for the POST to be sent again to ${API}/booking (HTTP 307); it was not repeated automatically, so whether it took effect is unknown)`,
			);
			expect(posts).toBe(1);
		} finally {
			await proxy.close();
		}
	});
});

describe('MyPatientPortal Book Appointment', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('passes availability ids with + / = _ - byte for byte from an expression; a mangled id books nothing', async () => {
		const slot = (await slotsOverHttp(sb, token, 54, 210, 137))[4];
		for (const ch of ['+', '/', '=', '_', '-']) expect(slot.id).toContain(ch);
		const params = {
			operation: 'book',
			insuranceId: '={{ $json.insurance }}',
			appointmentCategoryId: '={{ $json.category }}',
			appointmentTypeId: '={{ $json.type }}',
			availabilityId: '={{ $json.slot }}',
		};
		const mangled = slot.id.replace(/\+/g, ' ');
		const r = await run(sb, token, params, {
			continueOnFail: true,
			items: [
				{ json: { insurance: 137, category: 54, type: 210, slot: mangled } },
				{ json: { insurance: 137, category: 54, type: 210, slot: slot.id } },
			],
		});
		const [bad, good] = r.output[0];
		expect(bad.pairedItem).toEqual({ item: 0 });
		// not a free slot of that type: refused before anything is posted
		expect(bad.json.error).toBe(
			`Availability ${mangled} is not a free slot of appointment type 210 in category 54 for insurance 137: pick the slot again`,
		);
		expect(good.pairedItem).toEqual({ item: 1 });
		expect(good.json).toMatchObject({
			status: 'booked',
			start_time: slot.start_time,
			availabilityId: slot.id,
		});
		const all = await adminAppointments(sb, 'pt-00001');
		expect(all.map((a) => a.availability_id)).toEqual([slot.id]);
	});

	it('a slot picked under another type (a pick kept after the fields above it changed) is refused before posting', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 200, 136))[0];
		const postsBefore = await bookingPosts(sb);
		const err = (await run(sb, token, bookParams(slot.id, '136', '53', '198')).catch((e) => e)) as {
			message: string;
			description?: string;
		};
		expect(err.message).toBe(
			`Availability ${slot.id} is not a free slot of appointment type 198 in category 53 for insurance 136: pick the slot again`,
		);
		expect(await bookingPosts(sb)).toBe(postsBefore);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
	});

	it('Search From/To narrow only the dropdown: a chosen slot outside the window still books', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 198, 137);
		const late = slots[slots.length - 1];
		const firstDay = slots[0].start_time.slice(0, 10);
		const [booked] = await runJson(sb, token, {
			operation: 'book',
			insuranceId: '137',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			from: `${firstDay}T00:00:00Z`,
			to: `${firstDay}T23:59:59Z`,
			availabilityId: late.id,
		});
		expect(booked.json).toMatchObject({ start_time: late.start_time, availabilityId: late.id });
	});

	it('refuses ASAP opt-in for a type without the ASAP list before posting, naming the type', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 199, 136))[0];
		const before = await bookingPosts(sb);
		await expect(
			run(sb, token, {
				operation: 'book',
				insuranceId: '136',
				appointmentCategoryId: '53',
				appointmentTypeId: '199',
				availabilityId: slot.id,
				additionalFields: { asapListOptIn: true },
			}),
		).rejects.toThrow(
			'The appointment type "Follow-up visit" (199) does not allow the ASAP list: turn off "ASAP List Opt-In" or choose a type that allows it',
		);
		expect(await bookingPosts(sb)).toBe(before);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
	});

	it('a token without appointment_write cannot book; the error names the status and what to do', async () => {
		const readOnly = patientToken(sb, 'pt-00001', ['profile_read', 'appointment_read']);
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[0];
		const err = await run(sb, readOnly, {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			availabilityId: slot.id,
		}).catch((e: Error & { description?: string }) => e);
		expect(err).toBeInstanceOf(Error);
		expect((err as Error).message).toBe(
			'Book Appointment failed (HTTP 403): insufficient_scope: The access token does not grant the scope this request needs.',
		);
		expect((err as { description?: string }).description).toMatch(/scope/);
		expect((err as Error).message).not.toContain(readOnly);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
	});

	it('lost answer after the booking was committed: one appointment, reported as booked, one POST', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[3];
		await armFault(sb, {
			surface: 'mpp',
			kind: 'lost-response',
			pathContains: '/booking',
			method: 'POST',
		});
		const out = await runJson(sb, token, bookParams(slot.id));
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({
			status: 'booked',
			start_time: slot.start_time,
			availabilityId: slot.id,
			recoveredAfterLostResponse: true,
		});
		const all = await adminAppointments(sb, 'pt-00001');
		expect(all).toHaveLength(1);
		expect(all[0]).toMatchObject({
			id: out[0].json.id,
			availability_id: slot.id,
			status: 'booked',
		});
		expect(await bookingPosts(sb)).toBe(1);
		const fired = (await (await fetch(`${sb.url}/_admin/faults`)).json()) as {
			fired: Array<{ kind: string }>;
		};
		expect(fired.fired.map((f) => f.kind)).toEqual(['lost-response']);
	});

	it('lost answer and the appointments cannot be read: "booking state unknown", never a second POST', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[5];
		await armFault(sb, [
			{ surface: 'mpp', kind: 'lost-response', pathContains: '/booking', method: 'POST' },
			{
				surface: 'mpp',
				kind: 'unavailable',
				pathContains: `${API}/appointments`,
				method: 'GET',
				times: 50,
				retryAfter: '0',
			},
		]);
		const err = (await run(sb, token, bookParams(slot.id)).catch((e: unknown) => e)) as Error & {
			description?: string;
		};
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(
			new RegExp(
				`^Booking state unknown — check the portal before retrying: no answer to the booking of availability ${escapeRegExp(slot.id)} at ${escapeRegExp(slot.start_time)} \\(.*connection was closed.*\\); looking up the patient's appointments failed too`,
			),
		);
		expect(err.description).toContain('before booking again');
		expect(await bookingPosts(sb)).toBe(1);
		// it was in fact booked: exactly once
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.availability_id)).toEqual([
			slot.id,
		]);
	});

	it('a 503 to the booking is not retried; the node checks and reports the state as unknown', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[6];
		await armFault(sb, {
			surface: 'mpp',
			kind: 'unavailable',
			pathContains: '/booking',
			method: 'POST',
			times: 5,
			retryAfter: '0',
		});
		await expect(run(sb, token, bookParams(slot.id))).rejects.toThrow(
			`Booking state unknown — check the portal before retrying: no answer to the booking of availability ${slot.id} at ${slot.start_time} (the portal answered HTTP 503 (service_unavailable: Service temporarily unavailable)); no appointment at that time is among the patient's appointments yet`,
		);
		expect(await bookingPosts(sb)).toBe(1);
		expect(await adminAppointments(sb, 'pt-00001')).toEqual([]);
	});

	it('a 503 HTML page (a proxy) to the booking is a 503 like any other: "state unknown", not "check the base URL"', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[10];
		await armFault(sb, {
			surface: 'mpp',
			kind: 'html-500',
			status: 503,
			pathContains: '/booking',
			method: 'POST',
		});
		await expect(run(sb, token, bookParams(slot.id))).rejects.toThrow(
			`Booking state unknown — check the portal before retrying: no answer to the booking of availability ${slot.id} at ${slot.start_time} (the portal answered HTTP 503); no appointment at that time is among the patient's appointments yet`,
		);
		expect(await bookingPosts(sb)).toBe(1);
	});

	it('lost answer while the patient already has an appointment at the same time: the NEW appointment is reported, not the old one', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[2];
		const twinId = addTwinSlot(sb, slot.id);
		const older = (await runJson(sb, token, bookParams(slot.id)))[0].json;
		expect(older).toMatchObject({
			status: 'booked',
			start_time: slot.start_time,
			recoveredAfterLostResponse: false,
		});
		await armFault(sb, {
			surface: 'mpp',
			kind: 'lost-response',
			pathContains: '/booking',
			method: 'POST',
		});
		const out = (await runJson(sb, token, bookParams(twinId)))[0].json;
		const all = await adminAppointments(sb, 'pt-00001');
		const created = all.find((a) => a.availability_id === twinId)!;
		expect(created).toBeDefined();
		expect(out).toMatchObject({
			id: created.id,
			status: 'booked',
			start_time: slot.start_time,
			availabilityId: twinId,
			recoveredAfterLostResponse: true,
		});
		expect(out.id).not.toBe(older.id);
		expect(await bookingPosts(sb)).toBe(2);
	});

	it('the patient already has an appointment at that time and the booking got a 503 (nothing booked): "state unknown", never the old appointment as booked', async () => {
		const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[2];
		const twinId = addTwinSlot(sb, slot.id);
		const older = (await runJson(sb, token, bookParams(slot.id)))[0].json;
		await armFault(sb, {
			surface: 'mpp',
			kind: 'unavailable',
			pathContains: '/booking',
			method: 'POST',
			times: 5,
			retryAfter: '0',
		});
		const err = (await run(sb, token, bookParams(twinId)).catch((e: unknown) => e)) as Error;
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(
			/^Booking state unknown — check the portal before retrying: .*HTTP 503/,
		);
		expect(err.message).toContain(
			`appointment ${String(older.id)} at that time existed before this booking`,
		);
		expect(await bookingPosts(sb)).toBe(2);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.id)).toEqual([older.id]);
	});

	it('a lost answer to a new booking next to older appointments is still recovered as the new one', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const older = (await runJson(sb, token, bookParams(slots[0].id)))[0].json;
		await armFault(sb, {
			surface: 'mpp',
			kind: 'lost-response',
			pathContains: '/booking',
			method: 'POST',
		});
		const out = (await runJson(sb, token, bookParams(slots[4].id)))[0].json;
		expect(out).toMatchObject({
			status: 'booked',
			start_time: slots[4].start_time,
			recoveredAfterLostResponse: true,
		});
		expect(out.id).not.toBe(older.id);
		expect(await bookingPosts(sb)).toBe(2);
	});

	it('slot-taken race: two executions for one slot give one booking and one clear error', async () => {
		const slot = (await slotsOverHttp(sb, token, 54, 210, 136))[2];
		const other = patientToken(sb, 'pt-00007');
		const results = await Promise.allSettled([
			run(sb, token, bookParams(slot.id, '136', '54', '210')),
			run(sb, other, bookParams(slot.id, '136', '54', '210')),
		]);
		const ok = results.filter((r) => r.status === 'fulfilled');
		const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(ok).toHaveLength(1);
		expect(failed).toHaveLength(1);
		// the loser is refused by the portal (both read the slot as free) or, when it read the
		// availabilities after the winner booked, by the node before posting
		const message = (failed[0].reason as Error).message;
		const posts = await bookingPosts(sb);
		if (posts === 2) {
			expect(message).toBe(
				`Book Appointment failed (HTTP 422): availability_taken: The selected time slot is no longer available. Pick another slot (the one at ${slot.start_time} is not bookable)`,
			);
			expect((failed[0].reason as { description?: string }).description).toBe(
				'Nothing was booked. Load the availabilities again (or run Find Availabilities) and choose another slot.',
			);
		} else {
			expect(posts).toBe(1);
			expect(message).toBe(
				`Availability ${slot.id} is not a free slot of appointment type 210 in category 54 for insurance 136: pick the slot again`,
			);
		}
		const all = await adminAppointments(sb);
		expect(all.filter((a) => a.availability_id === slot.id && a.status === 'booked')).toHaveLength(
			1,
		);
	});

	it('20 concurrent Book executions for distinct slots: 20 appointments, no duplicates', async () => {
		const slots = (await slotsOverHttp(sb, token, 53, 198, 136)).slice(0, 20);
		expect(slots).toHaveLength(20);
		const outs = await Promise.all(slots.map((s) => runJson(sb, token, bookParams(s.id))));
		const ids = outs.map((o) => o[0].json.id as string);
		expect(new Set(ids).size).toBe(20);
		outs.forEach((o, k) =>
			expect(o[0].json).toMatchObject({
				start_time: slots[k].start_time,
				availabilityId: slots[k].id,
				recoveredAfterLostResponse: false,
			}),
		);
		const all = await adminAppointments(sb, 'pt-00001');
		expect(all).toHaveLength(20);
		expect(new Set(all.map((a) => a.availability_id))).toEqual(new Set(slots.map((s) => s.id)));
		expect(new Set(all.map((a) => a.id))).toEqual(new Set(ids));
		expect(await bookingPosts(sb)).toBe(20);
	});

	it('several items in one execution: each booked once, a taken slot fails only its own item', async () => {
		const slots = await slotsOverHttp(sb, token, 53, 200, 136);
		const r = await run(
			sb,
			token,
			{ ...bookParams('={{ $json.slot }}', '136', '53', '200') },
			{
				continueOnFail: true,
				items: [
					{ json: { slot: slots[0].id } },
					{ json: { slot: slots[0].id } },
					{ json: { slot: slots[1].id } },
				],
			},
		);
		const out = r.output[0];
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.start_time).toBe(slots[0].start_time);
		// item 1's slot was booked by item 0: refused before posting
		expect(String(out[1].json.error)).toBe(
			`Availability ${slots[0].id} is not a free slot of appointment type 200 in category 53 for insurance 136: pick the slot again`,
		);
		expect(await bookingPosts(sb)).toBe(2);
		expect(out[2].json.start_time).toBe(slots[1].start_time);
		expect((await adminAppointments(sb, 'pt-00001')).map((a) => a.availability_id).sort()).toEqual(
			[slots[0].id, slots[1].id].sort(),
		);
	});

	describe('n8n Retry On Fail after "Booking state unknown"', () => {
		/** try 1: the booking is committed but its answer is lost and every read after it fails */
		async function firstTryUnknown(slotId: string) {
			await armFault(sb, [
				{ surface: 'mpp', kind: 'lost-response', method: 'POST', pathContains: `${API}/booking` },
				// the read before the POST passes, every read after it fails
				{
					surface: 'mpp',
					kind: 'unavailable',
					pathContains: `${API}/appointments`,
					method: 'GET',
					after: 1,
					times: 50,
					retryAfter: '0',
				},
			]);
			await expect(run(sb, token, bookParams(slotId, '136', '53', '198'))).rejects.toThrow(
				/^Booking state unknown — check the portal before retrying/,
			);
			await fetch(`${sb.url}/_admin/faults`, { method: 'DELETE' });
			expect(await bookingPosts(sb)).toBe(1);
		}

		it('the portal shows availability ids: try 2 finds the booking (alreadyBooked) and sends no second POST', async () => {
			await fetch(`${sb.url}/_admin/mpp/settings`, {
				method: 'POST',
				body: JSON.stringify({ appointmentAvailabilityId: true }),
			});
			const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[2];
			await firstTryUnknown(slot.id);
			const [again] = await runJson(sb, token, bookParams(slot.id, '136', '53', '198'));
			const [held] = await adminAppointments(sb, 'pt-00001');
			expect(again.json).toMatchObject({
				id: held.id,
				start_time: slot.start_time,
				availabilityId: slot.id,
				alreadyBooked: true,
				recoveredAfterLostResponse: false,
			});
			expect(await bookingPosts(sb)).toBe(1);
			expect(await adminAppointments(sb, 'pt-00001')).toHaveLength(1);
		});

		it('the portal does not show them: try 2 is refused, and the error does not claim that nothing was booked', async () => {
			const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[2];
			await firstTryUnknown(slot.id);
			const err = (await run(sb, token, bookParams(slot.id, '136', '53', '198')).catch(
				(e) => e,
			)) as { message: string; description?: string };
			// the slot (taken by try 1) is not free any more: refused before a second POST, and the
			// error does not claim that nothing was booked
			expect(err.message).toBe(
				`Availability ${slot.id} is not a free slot of appointment type 198 in category 53 for insurance 136: pick the slot again`,
			);
			expect(err.description).not.toMatch(/Nothing was booked/);
			expect(err.description).toMatch(/possibly by an earlier run of this booking/);
			expect(await bookingPosts(sb)).toBe(1);
			expect(await adminAppointments(sb, 'pt-00001')).toHaveLength(1);
		});

		it('a slot that was free before the POST and is refused: "Nothing was booked" stays (the node knows it)', async () => {
			const slot = (await slotsOverHttp(sb, token, 53, 198, 136))[3];
			// another patient takes the slot between the node's read and its POST
			const other = patientToken(sb, 'pt-00002');
			const [mine, theirs] = await Promise.all([
				run(sb, token, bookParams(slot.id, '136', '53', '198')).catch(
					(e) => e as { message: string; description?: string },
				),
				runJson(sb, other, bookParams(slot.id, '136', '53', '198')).catch(
					(e) => e as { message: string; description?: string },
				),
			]);
			const failed = [mine, theirs].find((r) => r instanceof Error) as
				{ message: string; description?: string } | undefined;
			expect(failed).toBeDefined();
			expect(failed!.description).toMatch(/^Nothing was booked\./);
		});
	});
});
