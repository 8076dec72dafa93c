// ASAP Unsubscribe: take an appointment off the ASAP list.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { asapOutput } from '../../helpers/output';
import { stringParam } from '../../helpers/params';
import { asapRequest } from '../../helpers/portal';

export const description: INodeProperties[] = [
	appointmentIdField(['asapUnsubscribe'], 'The appointment to take off the ASAP list'),
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const body = await asapRequest.call(this, id, i, {
		method: 'DELETE',
		segment: 'asap_list',
		what: 'ASAP Unsubscribe',
	});
	return toItems(asapOutput(body, id, false), i);
}
