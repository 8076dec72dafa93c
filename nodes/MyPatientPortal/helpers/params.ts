// Parameter readers of the MyPatientPortal operations: ids, dates, and the insurance id as the
// portal writes it.
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { parseDate } from '../../shared/values';

/** A numeric id parameter (dropdown value or expression), as a string of digits. */
export function idParam(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const v = typeof raw === 'number' ? String(raw) : String(raw ?? '').trim();
	if (!v)
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} is empty: choose one from the list or set its ID`,
			{ itemIndex },
		);
	if (!/^[A-Za-z0-9_-]+$/.test(v)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} "${v.slice(0, 60)}" is not a valid ID: choose one from the list or set the ID the portal uses`,
			{ itemIndex },
		);
	}
	return v;
}

/** A free-text id (appointment or availability): used exactly as given, only outer whitespace removed. */
export function stringParam(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (
		raw !== undefined &&
		raw !== null &&
		typeof raw !== 'string' &&
		!(typeof raw === 'number' && Number.isFinite(raw))
	) {
		const kind = Array.isArray(raw)
			? 'a list'
			: typeof raw === 'object'
				? 'an object'
				: `a ${typeof raw}`;
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} must be text or a number, but the expression gave ${kind}: pick the ID field itself (e.g. {{ $json.id }})`,
			{
				itemIndex,
			},
		);
	}
	const v = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (!v)
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} is empty: set it (from the list or with an expression)`,
			{ itemIndex },
		);
	return v;
}

/** An optional date parameter as an ISO 8601 instant; undefined when empty. */
export function dateParam(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string | undefined {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const parsed = parseDate(raw);
	if (parsed === null) {
		const shown = typeof raw === 'string' ? raw.trim() : String(raw);
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} "${shown.slice(0, 40)}" is not a valid date: use an ISO 8601 date such as 2026-03-01T09:00:00Z`,
			{
				itemIndex,
			},
		);
	}
	return parsed?.iso;
}

/** The insurance id as the portal writes it: a number when it is all digits. */
export function insuranceValue(insuranceId: string): string | number {
	return /^\d+$/.test(insuranceId) ? Number(insuranceId) : insuranceId;
}

/** The insurance → category → type choice of Book Appointment and Find Availabilities. */
export function bookingChoiceParams(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { insuranceId: string; categoryId: string; typeId: string } {
	return {
		insuranceId: idParam(ctx, 'insuranceId', 'Insurance', itemIndex),
		categoryId: idParam(ctx, 'appointmentCategoryId', 'Appointment Category', itemIndex),
		typeId: idParam(ctx, 'appointmentTypeId', 'Appointment Type', itemIndex),
	};
}
