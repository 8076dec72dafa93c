// ASAP Unsubscribe: take an appointment off the ASAP list.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { asapOutput } from '../../helpers/output';
import { stringParam } from '../../helpers/params';
import { mppRequest } from '../../helpers/transport';

export const description: INodeProperties[] = [appointmentIdField(['asapUnsubscribe'], 'The appointment to take off the ASAP list')];

export async function execute(this: IExecuteFunctions, _ctx: OperationContext, i: number): Promise<INodeExecutionData[]> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const res = await mppRequest.call(this, {
		method: 'DELETE',
		segments: ['appointments', id, 'asap_list'],
		retry: false,
		what: `ASAP Unsubscribe ${id}`,
		itemIndex: i,
	});
	return toItems(asapOutput(res.body, id, false), i);
}
