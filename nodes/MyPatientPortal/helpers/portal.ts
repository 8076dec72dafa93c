// The portal reads several operations share (an appointment, the patient's appointments, the free
// slots of a type) and the predicates over what they return.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { isRecord } from '../../shared/values';
import { mppRequest, unwrap, unwrapList, type Ctx, type MppRequest } from './transport';

/** A free slot as the portal lists it. */
export interface SlotInfo {
	id: string;
	start_time?: string;
	end_time?: string;
	appointment_type_id?: number | string;
	appointment_category_id?: number | string;
}

/** The insurance → category → type choice the availabilities are listed for. */
export interface BookingChoice {
	insuranceId: string;
	categoryId: string;
	typeId: string;
	from?: string;
	to?: string;
}

export async function getAppointment(
	this: IExecuteFunctions,
	appointmentId: string,
	itemIndex: number,
	what: string,
): Promise<IDataObject> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments', appointmentId],
		what,
		itemIndex,
	});
	const appt = unwrap<unknown>(res.body);
	if (!isRecord(appt)) {
		throw new NodeOperationError(
			this.getNode(),
			`${what}: the portal's answer has no appointment in it`,
			{ itemIndex },
		);
	}
	return appt;
}

export async function listAppointments(
	this: IExecuteFunctions,
	itemIndex: number,
	what: string,
	status?: string,
): Promise<IDataObject[]> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments'],
		qs: status ? { status } : undefined,
		what,
		itemIndex,
	});
	return unwrapList(res.body);
}

/** The free slots of an appointment type (within from/to when given). */
export async function listAvailabilities(
	this: Ctx,
	c: BookingChoice,
	what: string,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['availabilities'],
		qs: {
			appointment_category_id: c.categoryId,
			appointment_type_id: c.typeId,
			insurance_id: c.insuranceId,
			from: c.from,
			to: c.to,
		},
		what,
		itemIndex,
	});
	return unwrapList(res.body);
}

export function sameInstant(a: unknown, b: unknown): boolean {
	if (typeof a !== 'string' || typeof b !== 'string') return false;
	const x = Date.parse(a);
	const y = Date.parse(b);
	return Number.isFinite(x) && x === y;
}

export function typeIdOf(appt: IDataObject): string | undefined {
	const t = appt.appointment_type;
	if (isRecord(t) && t.id !== undefined) return String(t.id);
	if (appt.appointment_type_id !== undefined) return String(appt.appointment_type_id);
	return undefined;
}

export function isCancelled(appt: IDataObject): boolean {
	return /cancel/i.test(String(appt.status ?? appt.state ?? ''));
}

/** A request about one appointment's ASAP list (`asap_list`, `earlier_availability`); writes are never retried. */
export async function asapRequest(
	this: IExecuteFunctions,
	appointmentId: string,
	itemIndex: number,
	req: { method: 'GET' | 'POST' | 'DELETE'; segment: string; what: string; body?: IDataObject },
): Promise<unknown> {
	const request: MppRequest = {
		method: req.method,
		segments: ['appointments', appointmentId, req.segment],
		what: `${req.what} ${appointmentId}`,
		itemIndex,
	};
	if (req.body) request.body = req.body;
	if (req.method !== 'GET') request.retry = false;
	return (await mppRequest.call(this, request)).body;
}
