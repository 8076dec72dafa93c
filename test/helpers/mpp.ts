// A free MyPatientPortal slot of the sandbox to book in a test, with an insurance its type takes.
import type { SandboxApp } from '../../sandbox/app';
import { mppState } from '../../sandbox/surfaces/mpp';
import type { MppSlot } from '../../sandbox/data/mpp';

/** The first free future slot (of a type with the ASAP list enabled with `asap`; the last with `late`). */
export function freeSlot(
	app: SandboxApp,
	opts: { asap?: boolean; late?: boolean } = {},
): { slot: MppSlot; insuranceId: number } {
	const st = mppState(app);
	const now = app.clock.now();
	const free = st.data.slots.filter(
		(s) =>
			s.startMs > now &&
			!st.taken.has(s.id) &&
			(!opts.asap || st.typesById.get(s.appointment_type_id)!.asap_notifications_enabled),
	);
	const slot = opts.late ? free[free.length - 1] : free[0];
	if (!slot) throw new Error('no free slot in the sandbox');
	return { slot, insuranceId: st.typesById.get(slot.appointment_type_id)!.insurance_ids[0] };
}
