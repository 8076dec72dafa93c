// Dropdowns: each loads the real options from the portal given the choices above it.
import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { parseDate } from '../../shared/values';
import { listAvailabilities } from '../helpers/portal';
import { mppRequest, unwrapList } from '../helpers/transport';

/** a parameter's current value when it is a plain value (not an unresolved expression) */
function current(ctx: ILoadOptionsFunctions, name: string): string | undefined {
	let v: unknown;
	try {
		v = ctx.getCurrentNodeParameter(name);
	} catch {
		return undefined;
	}
	if (v === undefined || v === null) return undefined;
	const s = String(v).trim();
	if (!s || s.startsWith('=')) return undefined;
	return s;
}

function byName(a: INodePropertyOptions, b: INodePropertyOptions): number {
	return a.name.localeCompare(b.name);
}

function slotLabel(start: unknown, end: unknown, timeZone: string): string {
	const s = Date.parse(String(start));
	if (!Number.isFinite(s)) return String(start);
	const fmt = (ms: number, opts: Intl.DateTimeFormatOptions) => {
		try {
			return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone }).format(ms);
		} catch {
			return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' }).format(ms);
		}
	};
	const day = fmt(s, { weekday: 'short', day: '2-digit', month: 'short', year: 'numeric' });
	const from = fmt(s, { hour: '2-digit', minute: '2-digit', hour12: false });
	const e = Date.parse(String(end));
	const to = Number.isFinite(e)
		? `–${fmt(e, { hour: '2-digit', minute: '2-digit', hour12: false })}`
		: '';
	return `${day}, ${from}${to}`;
}

function timezone(ctx: ILoadOptionsFunctions): string {
	try {
		return ctx.getTimezone() || 'UTC';
	} catch {
		return 'UTC';
	}
}

/** free slots as options: a readable time in the instance's time zone, the slot id as value */
function slotOptions(ctx: ILoadOptionsFunctions, slots: IDataObject[]): INodePropertyOptions[] {
	const tz = timezone(ctx);
	return slots.map((x) => ({
		name: slotLabel(x.start_time, x.end_time, tz),
		value: String(x.id),
		description: String(x.start_time ?? ''),
	}));
}

/** the Search From/To window as ISO instants; a value that is not a date narrows nothing */
function windowOf(ctx: ILoadOptionsFunctions): { from?: string; to?: string } {
	return { from: parseDate(current(ctx, 'from'))?.iso, to: parseDate(current(ctx, 'to'))?.iso };
}

export async function getInsurances(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['insurances'],
		what: 'Load insurances',
	});
	return unwrapList(res.body)
		.map((x) => ({ name: String(x.name ?? x.id), value: String(x.id) }))
		.sort(byName);
}

export async function getAppointmentCategories(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const insuranceId = current(this, 'insuranceId');
	if (!insuranceId) return [];
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointment_categories'],
		qs: { insurance_id: insuranceId },
		what: 'Load appointment categories',
	});
	return unwrapList(res.body)
		.map((x) => ({
			name: String(x.name ?? x.id),
			value: String(x.id),
			description: typeof x.description === 'string' ? x.description : undefined,
		}))
		.sort(byName);
}

export async function getAppointmentTypes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const insuranceId = current(this, 'insuranceId');
	const categoryId = current(this, 'appointmentCategoryId');
	if (!insuranceId || !categoryId) return [];
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointment_types'],
		qs: { appointment_category_id: categoryId, insurance_id: insuranceId },
		what: 'Load appointment types',
	});
	return unwrapList(res.body)
		.map((x) => {
			const parts: string[] = [];
			if (x.duration_minutes !== undefined) parts.push(`${String(x.duration_minutes)} min`);
			parts.push(x.asap_notifications_enabled === true ? 'ASAP list available' : 'no ASAP list');
			return { name: String(x.name ?? x.id), value: String(x.id), description: parts.join(', ') };
		})
		.sort(byName);
}

export async function getAvailabilities(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const insuranceId = current(this, 'insuranceId');
	const categoryId = current(this, 'appointmentCategoryId');
	const typeId = current(this, 'appointmentTypeId');
	if (!insuranceId || !categoryId || !typeId) return [];
	const slots = await listAvailabilities.call(
		this,
		{ insuranceId, categoryId, typeId, ...windowOf(this) },
		'Load availabilities',
	);
	return slotOptions(this, slots);
}

export async function getRescheduleAvailabilities(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const appointmentId = current(this, 'appointmentId');
	if (!appointmentId) return [];
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments', appointmentId, 'availabilities'],
		what: `Load availabilities for appointment ${appointmentId}`,
	});
	return slotOptions(this, unwrapList(res.body));
}
