// Scheduling on a store surface whose profile has `scheduling` (SMART): seeded Practitioners,
// Schedules (one per practitioner) and Slots (sandbox/data/scheduling.ts, from the day after the
// reset), and real Slot state kept by the server:
//   - an Appointment whose status holds time (pending, booked, arrived, fulfilled, checked-in;
//     not proposed or waitlist) and that references a Slot takes it: the Slot must be `free`, and
//     becomes `busy` in the same step as the Appointment is written;
//   - a Slot that is not free (busy, or taken by another Appointment) refuses the write with
//     409 Conflict and an OperationOutcome (issue code `conflict`), as HAPI FHIR answers a write
//     that collides with another one (ResourceVersionConflictException → 409); nothing is written;
//   - a Slot the Appointment references that does not exist: 422 (`processing`);
//   - cancelling (status cancelled / noshow / entered-in-error, by update or patch), moving to
//     other Slots (update), or deleting the Appointment frees the Slots it no longer holds.
// The store is single-threaded and each write runs start to end without a pause, so of two
// concurrent bookings of one Slot exactly one wins. Inside a transaction the Slot writes are
// journalled with the Appointment and undone with it.
import { fail, type Result } from './access';
import type { OpCtx } from './context';
import type { FhirStore, Res } from './store';
import { PRACTITIONERS, sandboxSlots, schedulingStartDay } from '../data/scheduling';

/** Appointment statuses that hold their Slots. */
const HOLDS = new Set(['pending', 'booked', 'arrived', 'fulfilled', 'checked-in']);

/** Seeds the Practitioners, Schedules and Slots (version 1, not counted as writes). */
export function seedScheduling(store: FhirStore, nowMs: number): void {
	const day = schedulingStartDay(nowMs);
	const lastUpdated = new Date(nowMs).toISOString();
	const meta = { versionId: '1', lastUpdated };
	const slots = sandboxSlots(day);
	const end = slots.reduce((m, s) => (s.end > m ? s.end : m), `${day}T00:00:00Z`);
	for (const p of PRACTITIONERS) {
		store.seed({
			resourceType: 'Practitioner',
			id: p.uuid,
			meta,
			active: true,
			identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: p.npi }],
			name: [{ family: p.lname, given: [p.fname], ...(p.title ? { prefix: [p.title] } : {}) }],
			qualification: [{ code: { text: p.specialty } }],
		});
		store.seed({
			resourceType: 'Schedule',
			id: `sch-${p.uuid}`,
			meta,
			active: true,
			serviceType: [{ text: p.specialty }],
			actor: [
				{
					reference: `Practitioner/${p.uuid}`,
					display: `${p.title ? `${p.title} ` : ''}${p.fname} ${p.lname}`,
				},
			],
			planningHorizon: { start: `${day}T00:00:00Z`, end },
		});
	}
	for (const s of slots) {
		store.seed({
			resourceType: 'Slot',
			id: s.id,
			meta,
			schedule: { reference: `Schedule/sch-${s.practitioner.uuid}` },
			serviceType: [{ text: s.practitioner.specialty }],
			status: 'free',
			start: s.start,
			end: s.end,
		});
	}
}

function slotIds(r: Res | null | undefined): string[] {
	if (!r || r.resourceType !== 'Appointment' || !HOLDS.has(String(r.status))) return [];
	const list = Array.isArray(r.slot) ? r.slot : [];
	return list
		.map((s) =>
			s && typeof s === 'object' ? String((s as { reference?: unknown }).reference ?? '') : '',
		)
		.map((ref) => /(?:^|\/)Slot\/([^/]+)$/.exec(ref)?.[1])
		.filter((id): id is string => !!id);
}

/**
 * Before an Appointment is written (`next`; null = deleted) over `old`: the Slots it newly holds
 * must be free (else 409 / 422, nothing written). Returns the refusal, or the function that
 * updates the Slots once the Appointment is written.
 */
export function appointmentSlots(
	ctx: OpCtx,
	type: string,
	next: Res | null,
	old: Res | null | undefined,
): Result | (() => void) | undefined {
	if (type !== 'Appointment' || !ctx.profile.scheduling) return undefined;
	const held = new Set(slotIds(old));
	const wanted = new Set(slotIds(next));
	const take = [...wanted].filter((id) => !held.has(id));
	const free = [...held].filter((id) => !wanted.has(id));
	for (const id of take) {
		const slot = ctx.store.current('Slot', id)?.resource;
		if (!slot)
			return fail(422, 'processing', `Slot/${id} referenced by the Appointment does not exist.`);
		if (slot.status !== 'free')
			return fail(409, 'conflict', `Slot/${id} is ${String(slot.status)}: it cannot be booked.`);
	}
	if (!take.length && !free.length) return undefined;
	return () => {
		const set = (id: string, status: string) => {
			const slot = ctx.store.current('Slot', id)?.resource;
			if (slot && slot.status !== status) ctx.store.write('Slot', id, { ...slot, status }, 'PUT');
		};
		for (const id of take) set(id, 'busy');
		for (const id of free) set(id, 'free');
	};
}
