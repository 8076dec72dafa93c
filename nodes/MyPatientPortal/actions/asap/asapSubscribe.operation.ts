// ASAP Subscribe: put an appointment on the ASAP list (an email address is required).
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import { isEmail } from '../../../shared/values';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { asapOutput } from '../../helpers/output';
import { stringParam } from '../../helpers/params';
import { asapRequest } from '../../helpers/portal';

const OP = ['asapSubscribe'];

export const description: INodeProperties[] = [
	appointmentIdField(OP, 'The appointment to put on the ASAP list'),
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		description: 'Where the portal sends a notice when an earlier time becomes free',
		displayOptions: { show: { operation: OP } },
	},
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const email = String(this.getNodeParameter('email', i, '') ?? '').trim();
	if (!isEmail(email)) {
		throw new NodeOperationError(
			this.getNode(),
			email
				? `Email "${email}" is not a valid email address`
				: 'Email is empty: the ASAP list needs an email address',
			{ itemIndex: i },
		);
	}
	const body = await asapRequest.call(this, id, i, {
		method: 'POST',
		segment: 'asap_list',
		body: { email },
		what: 'ASAP Subscribe',
	});
	return toItems(asapOutput(body, id, true), i);
}
