// List Appointments: the patient's appointments, one item each.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { applyLimit, limitFields, listAppointments } from './common';

const OP = ['list'];

export const description: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'All', value: 'all' },
			{ name: 'Booked', value: 'booked' },
			{ name: 'Cancelled', value: 'cancelled' },
		],
		default: 'all',
		description: 'Which appointments to return',
		displayOptions: { show: { operation: OP } },
	},
	...limitFields(OP),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const status = this.getNodeParameter('status', i, 'all') as string;
	const list = await listAppointments.call(this, i, 'List Appointments', status === 'all' ? undefined : status);
	return applyLimit(this, list, i);
}
