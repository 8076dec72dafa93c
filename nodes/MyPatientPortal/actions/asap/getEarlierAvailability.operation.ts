// Get Earlier Availability: the earlier free slot of an appointment on the ASAP list, if any.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { earlierOutput } from '../../helpers/output';
import { stringParam } from '../../helpers/params';
import { asapRequest } from '../../helpers/portal';

export const description: INodeProperties[] = [
	appointmentIdField(['getEarlierAvailability'], 'An appointment on the ASAP list'),
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const body = await asapRequest.call(this, id, i, {
		method: 'GET',
		segment: 'earlier_availability',
		what: 'Get Earlier Availability',
	});
	return toItems(earlierOutput(body), i);
}
