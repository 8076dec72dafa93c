// Cancel Appointment: one DELETE, not repeated blindly. An already cancelled appointment is a
// clear error, or "done" with the option; a lost answer is settled by reading the appointment.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { apiError, vendorMessage } from '../../../shared/errors';
import { toItems } from '../../../shared/runner';
import { isRecord } from '../../../shared/values';
import { appointmentIdField } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { cancelledOutput } from '../../helpers/output';
import { stringParam } from '../../helpers/params';
import { getAppointment, isCancelled } from '../../helpers/portal';
import { unwrap } from '../../helpers/transport';
import { sendWrite } from '../../helpers/write';

const OP = ['cancel'];

export const description: INodeProperties[] = [
	appointmentIdField(OP, 'The ID of the appointment to cancel'),
	{
		displayName: 'Options',
		name: 'cancelOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: OP } },
		options: [
			{
				displayName: 'Treat Already Cancelled as Success',
				name: 'alreadyCancelledIsSuccess',
				type: 'boolean',
				default: false,
				description:
					'Whether an appointment that is already cancelled counts as done (output with alreadyCancelled: true) instead of an error. An unknown ID is always an error.',
			},
		],
	},
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const raw = this.getNodeParameter('appointmentId', i, '') as unknown;
	if (typeof raw === 'string' && !raw.trim())
		throw new NodeOperationError(
			node,
			'Appointment ID is empty: set the ID of the appointment to cancel',
			{ itemIndex: i },
		);
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const opts = this.getNodeParameter('cancelOptions', i, {}) as IDataObject;
	const alreadyOk = opts.alreadyCancelledIsSuccess === true;
	const what = `Cancel Appointment ${id}`;

	const result = await sendWrite.call(
		this,
		i,
		{ method: 'DELETE', segments: ['appointments', id], what },
		{
			unsettled: async (u) => {
				const cause = u.res
					? apiError(node, { what, status: u.res.status, body: u.res.body, itemIndex: i })
					: u.error;
				return await settle.call(this, i, id, cause, alreadyOk, true, undefined);
			},
			refused: async (res) => {
				if (res.status === 404 || res.status === 410) {
					throw apiError(node, {
						what,
						status: res.status,
						body: res.body,
						message: `${what} failed (HTTP ${res.status}): ${vendorMessage(res.body) ?? 'the appointment was not found'}`,
						hint: "Check the appointment ID (List Appointments shows the patient's appointments).",
						itemIndex: i,
					});
				}
				const refusal = apiError(node, { what, status: res.status, body: res.body, itemIndex: i });
				return await settle.call(this, i, id, refusal, alreadyOk, false, vendorMessage(res.body));
			},
			done: async (res) => {
				const answer = unwrap<unknown>(res.body);
				const appt = isRecord(answer) ? answer : {};
				return cancelledOutput(appt, appt.id !== undefined ? appt.id : id, false, false);
			},
		},
	);
	return toItems(result, i);
}

/** After a refusal or a lost answer: read the appointment to tell what is true now. */
async function settle(
	this: IExecuteFunctions,
	i: number,
	id: string,
	cause: Error,
	alreadyOk: boolean,
	lost: boolean,
	vendorText: string | undefined,
): Promise<IDataObject> {
	let appt: IDataObject;
	try {
		appt = await getAppointment.call(this, id, i, `Cancel Appointment ${id}: read the appointment`);
	} catch {
		throw cause;
	}
	if (!isCancelled(appt)) throw cause;
	if (lost) return cancelledOutput(appt, appt.id ?? id, false, true);
	if (alreadyOk) return cancelledOutput(appt, appt.id ?? id, true, false);
	const status = (cause as { httpCode?: string }).httpCode;
	throw new NodeOperationError(
		this.getNode(),
		`Cancel Appointment ${id} failed${status ? ` (HTTP ${status})` : ''}: the appointment is already cancelled${vendorText ? ` (portal: ${vendorText.slice(0, 300)})` : ''}`,
		{
			itemIndex: i,
			description:
				'Nothing changed. To treat an already cancelled appointment as done, turn on "Treat Already Cancelled as Success".',
		},
	);
}
