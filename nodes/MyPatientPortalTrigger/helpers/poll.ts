// One poll of the MyPatientPortal Trigger: the connected patient's appointment list (every page)
// compared with the snapshot in the node's static data (appointment id → start time + status,
// ../../shared/trigger-state), and, for appointments on the ASAP list, the portal's earlier
// availability, each (appointment, slot) pair delivered once. The first poll only remembers.
import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';
import { paginate } from '../../shared/pagination';
import { diffList, type Snapshot } from '../../shared/trigger-state';
import { isRecord, str } from '../../shared/values';
import {
	CREDENTIAL_TYPE,
	mppRequest,
	portalApiBase,
	unwrap,
} from '../../MyPatientPortal/helpers/transport';
import { isCancelled } from '../../MyPatientPortal/helpers/portal';

export const EVENTS = {
	booked: 'appointmentBooked',
	cancelled: 'appointmentCancelled',
	rescheduled: 'appointmentRescheduled',
	statusChanged: 'appointmentStatusChanged',
	earlier: 'earlierAvailabilityFound',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** appointments a snapshot keeps (one patient's list; far more than a patient has) */
export const APPOINTMENT_CAP = 5000;
/** (appointment, earlier slot) pairs remembered as delivered */
export const EARLIER_CAP = 2000;
const MAX_PAGES = 200;

interface State {
	/** the portal the snapshot belongs to */
	config?: string;
	appointments?: Snapshot;
	earlier?: string[];
}

const WHAT = 'Check the appointments';

/** Every appointment of the connected patient, all pages (`{data, next}`, `{results, next}` or a list). */
async function listAll(this: IPollFunctions): Promise<IDataObject[]> {
	const base = await portalApiBase.call(this);
	const out: IDataObject[] = [];
	for await (const page of paginate(
		this,
		CREDENTIAL_TYPE,
		{ method: 'GET', url: `${base}/appointments`, what: WHAT },
		{ maxPages: MAX_PAGES },
	))
		for (const a of page.entries) if (isRecord(a) && a.id !== undefined) out.push(a);
	return out;
}

const startOf = (a: IDataObject) => str(a.start_time) ?? str(a.start) ?? '';
const statusOf = (a: IDataObject) => str(a.status) ?? str(a.state) ?? '';
const signature = (a: IDataObject) => JSON.stringify([startOf(a), statusOf(a)]);

function previousOf(sig: string | undefined): { start?: string; status?: string } {
	if (sig === undefined) return {};
	try {
		const [start, status] = JSON.parse(sig) as [string, string];
		return { start, status };
	} catch {
		return {};
	}
}

function sameStart(a: string | undefined, b: string): boolean {
	if (a === undefined) return false;
	const x = Date.parse(a);
	const y = Date.parse(b);
	return Number.isFinite(x) && Number.isFinite(y) ? x === y : a === b;
}

function appointmentItem(
	event: EventName,
	appointment: IDataObject,
	previous: { start?: string; status?: string },
): INodeExecutionData {
	return {
		json: {
			event,
			appointmentId: String(appointment.id),
			appointment,
			previousStartTime: previous.start ?? null,
			previousStatus: previous.status ?? null,
		},
	};
}

/** The events one change of an appointment means. */
function eventsOf(a: IDataObject, previousSig: string | undefined): EventName[] {
	if (previousSig === undefined) return [isCancelled(a) ? EVENTS.cancelled : EVENTS.booked];
	const prev = previousOf(previousSig);
	if (isCancelled(a) && !/cancel/i.test(prev.status ?? '')) return [EVENTS.cancelled];
	const out: EventName[] = [];
	if (!sameStart(prev.start, startOf(a))) out.push(EVENTS.rescheduled);
	if ((prev.status ?? '') !== statusOf(a)) out.push(EVENTS.statusChanged);
	return out;
}

const subscribed = (a: IDataObject) =>
	!isCancelled(a) && isRecord(a.asap_list) && a.asap_list.subscribed === true;

/** The earlier free slot of an ASAP-listed appointment (null when none, or no longer listed). */
async function earlierOf(this: IPollFunctions, id: string): Promise<IDataObject | null> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments', id, 'earlier_availability'],
		what: `Check the earlier availability of appointment ${id}`,
		// taken off the ASAP list (or cancelled) since the list was read: nothing to report
		okStatuses: [404, 422],
	});
	if (res.status >= 300) return null;
	const data = unwrap<unknown>(res.body);
	const slot = isRecord(data) ? (data.earlier_availability ?? data.availability) : undefined;
	return isRecord(slot) && slot.id !== undefined ? slot : null;
}

function selectedEvents(fn: IPollFunctions): Set<string> {
	const events = fn.getNodeParameter('events', []) as string[];
	if (!Array.isArray(events) || !events.length)
		throw new NodeOperationError(fn.getNode(), 'No event chosen', {
			description: 'Choose at least one event to watch under Events.',
		});
	return new Set(events);
}

/** "Fetch Test Event": the patient's next appointments as they are now; nothing remembered. */
async function sample(this: IPollFunctions): Promise<INodeExecutionData[][]> {
	const list = await listAll.call(this);
	const upcoming = [...list]
		.sort((a, b) => Date.parse(startOf(a)) - Date.parse(startOf(b)))
		.slice(0, 3);
	if (!upcoming.length)
		throw new NodeOperationError(
			this.getNode(),
			'The patient has no appointments to show as a test event',
			{
				description:
					'Book one (e.g. with the MyPatientPortal node) and fetch again. An active workflow starts on every change all the same.',
			},
		);
	return [
		upcoming.map((a) => {
			const item = appointmentItem(isCancelled(a) ? EVENTS.cancelled : EVENTS.booked, a, {});
			item.json.sample = true;
			return item;
		}),
	];
}

export async function pollAppointments(
	this: IPollFunctions,
): Promise<INodeExecutionData[][] | null> {
	const events = selectedEvents(this);
	if (this.getMode() === 'manual') return await sample.call(this);
	const data = this.getWorkflowStaticData('node') as State;
	const config = await portalApiBase.call(this);
	const fresh = data.config !== config || !data.appointments;
	const list = await listAll.call(this);
	const diff = diffList(fresh ? { seen: {} } : data.appointments!, list, {
		keyOf: (a) => String(a.id),
		signature,
		cap: APPOINTMENT_CAP,
	});
	const out: INodeExecutionData[] = [];
	if (!fresh)
		for (const c of diff.changes)
			for (const e of eventsOf(c.item, c.previous))
				if (events.has(e)) out.push(appointmentItem(e, c.item, previousOf(c.previous)));

	// earlier availability: each (appointment, slot) pair once
	const seenEarlier = new Set(fresh ? [] : (data.earlier ?? []));
	const newlySeen: string[] = [];
	if (events.has(EVENTS.earlier) || fresh) {
		for (const a of list.filter(subscribed)) {
			const slot = await earlierOf.call(this, String(a.id));
			if (!slot) continue;
			const key = `${String(a.id)}|${String(slot.id)}`;
			if (seenEarlier.has(key)) continue;
			seenEarlier.add(key);
			newlySeen.push(key);
			if (!fresh && events.has(EVENTS.earlier))
				out.push({
					json: {
						event: EVENTS.earlier,
						appointmentId: String(a.id),
						appointment: a,
						earlierAvailability: slot,
						previousStartTime: startOf(a) || null,
						previousStatus: null,
					},
				});
		}
	}
	data.config = config;
	data.appointments = diff.commit(new Set(diff.changes.map((c) => c.key)));
	data.earlier = [...(fresh ? [] : (data.earlier ?? [])), ...newlySeen].slice(-EARLIER_CAP);
	return out.length ? [out] : null;
}
