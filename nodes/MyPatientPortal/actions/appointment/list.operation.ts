// List Appointments: the patient's appointments, one item each.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { returnAllLimitProperties } from '../../../shared/descriptions';
import { toItems } from '../../../shared/runner';
import { readLimit } from '../../../shared/values';
import type { OperationContext } from '../../helpers/context';
import { listAppointments } from '../../helpers/portal';

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
	...returnAllLimitProperties({ operation: OP }),
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const status = this.getNodeParameter('status', i, 'all') as string;
	const limit = readLimit(this, i, 'appointments');
	const list = await listAppointments.call(
		this,
		i,
		'List Appointments',
		status === 'all' ? undefined : status,
	);
	return toItems(list.slice(0, limit), i);
}
