// Parameters and helpers several MyPatientPortal actions share.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { mppRequest, unwrap, unwrapList, isRecord } from '../transport';

export type ActionResult = IDataObject | IDataObject[];

export interface Action {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<ActionResult>;
}


/** insurance → category → type dropdowns, each depending on the ones above it */
export function bookingChoiceFields(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName: 'Insurance Name or ID',
			name: 'insuranceId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getInsurances' },
			required: true,
			default: '',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: show,
		},
		{
			displayName: 'Appointment Category Name or ID',
			name: 'appointmentCategoryId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getAppointmentCategories', loadOptionsDependsOn: ['insuranceId'] },
			required: true,
			default: '',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: show,
		},
		{
			displayName: 'Appointment Type Name or ID',
			name: 'appointmentTypeId',
			type: 'options',
			typeOptions: {
				loadOptionsMethod: 'getAppointmentTypes',
				loadOptionsDependsOn: ['insuranceId', 'appointmentCategoryId'],
			},
			required: true,
			default: '',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: show,
		},
	];
}

export function windowFields(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName: 'Search From',
			name: 'from',
			type: 'dateTime',
			default: '',
			description: 'Only availabilities starting at or after this time (empty: from now)',
			displayOptions: show,
		},
		{
			displayName: 'Search To',
			name: 'to',
			type: 'dateTime',
			default: '',
			description: 'Only availabilities starting at or before this time (empty: no limit)',
			displayOptions: show,
		},
	];
}

export function appointmentIdField(operations: string[], description = 'The ID of the appointment, as returned by Book Appointment or List Appointments'): INodeProperties {
	return {
		displayName: 'Appointment ID',
		name: 'appointmentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. xbCuVVTNU6rT6E5m8p6Y8h7opzfo',
		description,
		displayOptions: { show: { operation: operations } },
	};
}

export function limitFields(operations: string[]): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show: { operation: operations } },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { operation: operations, returnAll: [false] } },
		},
	];
}

/** A numeric id parameter (dropdown value or expression), as a string of digits. */
export function idParam(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const v = typeof raw === 'number' ? String(raw) : String(raw ?? '').trim();
	if (!v) throw new NodeOperationError(ctx.getNode(), `${label} is empty: choose one from the list or set its ID`, { itemIndex });
	if (!/^[A-Za-z0-9_-]+$/.test(v)) {
		throw new NodeOperationError(ctx.getNode(), `${label} "${v.slice(0, 60)}" is not a valid ID: choose one from the list or set the ID the portal uses`, { itemIndex });
	}
	return v;
}

/** A free-text id (appointment or availability): used exactly as given, only outer whitespace removed. */
export function stringParam(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (raw !== undefined && raw !== null && typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
		const kind = Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
		throw new NodeOperationError(ctx.getNode(), `${label} must be text or a number, but the expression gave ${kind}: pick the ID field itself (e.g. {{ $json.id }})`, {
			itemIndex,
		});
	}
	const v = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (!v) throw new NodeOperationError(ctx.getNode(), `${label} is empty: set it (from the list or with an expression)`, { itemIndex });
	return v;
}

/** An optional date parameter as an ISO 8601 instant, or undefined. */
export function dateParam(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): string | undefined {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	return toIsoOrUndefined(raw, label, (msg) => new NodeOperationError(ctx.getNode(), msg, { itemIndex }));
}

export function toIsoOrUndefined(raw: unknown, label: string, err: (msg: string) => Error): string | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const s = typeof raw === 'string' ? raw.trim() : raw instanceof Date ? raw.toISOString() : String(raw);
	if (!s) return undefined;
	const ms = Date.parse(s);
	if (!Number.isFinite(ms)) throw err(`${label} "${s.slice(0, 40)}" is not a valid date: use an ISO 8601 date such as 2026-03-01T09:00:00Z`);
	return new Date(ms).toISOString();
}

export function sameInstant(a: unknown, b: unknown): boolean {
	if (typeof a !== 'string' || typeof b !== 'string') return false;
	const x = Date.parse(a);
	const y = Date.parse(b);
	return Number.isFinite(x) && x === y;
}

export interface SlotInfo {
	id: string;
	start_time?: string;
	end_time?: string;
	appointment_type_id?: number | string;
	appointment_category_id?: number | string;
}

export async function getAppointment(this: IExecuteFunctions, appointmentId: string, itemIndex: number, what: string): Promise<IDataObject> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments', appointmentId],
		what,
		itemIndex,
	});
	const appt = unwrap<unknown>(res.body);
	if (!isRecord(appt)) {
		throw new NodeOperationError(this.getNode(), `${what}: the portal's answer has no appointment in it`, { itemIndex });
	}
	return appt;
}

export async function listAppointments(this: IExecuteFunctions, itemIndex: number, what: string, status?: string): Promise<IDataObject[]> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments'],
		qs: status ? { status } : undefined,
		what,
		itemIndex,
	});
	return unwrapList(res.body);
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

export function toItems(result: ActionResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

export function applyLimit<T>(ctx: IExecuteFunctions, list: T[], itemIndex: number): T[] {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	if (returnAll) return list;
	const limit = Number(ctx.getNodeParameter('limit', itemIndex, 50));
	return list.slice(0, Math.max(1, Math.floor(limit) || 50));
}
