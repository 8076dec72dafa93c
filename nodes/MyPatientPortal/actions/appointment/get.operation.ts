// Get Appointment: one appointment of the patient by its ID.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { stringParam } from '../../helpers/params';
import { getAppointment } from '../../helpers/portal';

const OP = ['get'];

export const description: INodeProperties[] = [appointmentIdField(OP)];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	return toItems(await getAppointment.call(this, id, i, `Get Appointment ${id}`), i);
}
