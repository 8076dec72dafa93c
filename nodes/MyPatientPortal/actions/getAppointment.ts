// Get Appointment: one appointment of the patient by its ID.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { appointmentIdField, getAppointment, stringParam } from './common';

const OP = ['get'];

export const description: INodeProperties[] = [appointmentIdField(OP)];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	return await getAppointment.call(this, id, i, `Get Appointment ${id}`);
}
