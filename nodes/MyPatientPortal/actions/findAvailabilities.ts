// Find Availabilities: one item per free slot, for workflows (or AI agents) that pick a slot.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { mppRequest, unwrapList } from '../transport';
import { applyLimit, bookingChoiceFields, dateParam, idParam, limitFields, windowFields } from './common';

const OP = ['findAvailabilities'];

export const description: INodeProperties[] = [...bookingChoiceFields(OP), ...windowFields(OP), ...limitFields(OP)];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const insuranceId = idParam(this, 'insuranceId', 'Insurance', i);
	const categoryId = idParam(this, 'appointmentCategoryId', 'Appointment Category', i);
	const typeId = idParam(this, 'appointmentTypeId', 'Appointment Type', i);
	const from = dateParam(this, 'from', 'Search From', i);
	const to = dateParam(this, 'to', 'Search To', i);
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['availabilities'],
		qs: { appointment_category_id: categoryId, appointment_type_id: typeId, insurance_id: insuranceId, from, to },
		what: 'Find Availabilities',
		itemIndex: i,
	});
	return applyLimit(this, unwrapList(res.body), i).map((slot) => ({ ...slot, insurance_id: /^\d+$/.test(insuranceId) ? Number(insuranceId) : insuranceId }));
}
