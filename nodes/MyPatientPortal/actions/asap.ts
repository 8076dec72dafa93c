// ASAP list: subscribe (email required), unsubscribe, and the earlier availability of a
// subscribed appointment.
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { mppRequest, unwrap, isRecord } from '../transport';
import { appointmentIdField, stringParam } from './common';

export const subscribeDescription: INodeProperties[] = [
	appointmentIdField(['asapSubscribe'], 'The appointment to put on the ASAP list'),
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		description: 'Where the portal sends a notice when an earlier time becomes free',
		displayOptions: { show: { operation: ['asapSubscribe'] } },
	},
];

export const unsubscribeDescription: INodeProperties[] = [
	appointmentIdField(['asapUnsubscribe'], 'The appointment to take off the ASAP list'),
];

export const earlierDescription: INodeProperties[] = [
	appointmentIdField(['getEarlierAvailability'], 'An appointment on the ASAP list'),
];

export async function subscribe(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const email = String(this.getNodeParameter('email', i, '') ?? '').trim();
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
		throw new NodeOperationError(
			this.getNode(),
			email ? `Email "${email}" is not a valid email address` : 'Email is empty: the ASAP list needs an email address',
			{ itemIndex: i },
		);
	}
	const res = await mppRequest.call(this, {
		method: 'POST',
		segments: ['appointments', id, 'asap_list'],
		body: { email },
		retry: false,
		what: `ASAP Subscribe ${id}`,
		itemIndex: i,
	});
	return answer(res.body, id, true);
}

export async function unsubscribe(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const res = await mppRequest.call(this, {
		method: 'DELETE',
		segments: ['appointments', id, 'asap_list'],
		retry: false,
		what: `ASAP Unsubscribe ${id}`,
		itemIndex: i,
	});
	return answer(res.body, id, false);
}

export async function earlier(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = stringParam(this, 'appointmentId', 'Appointment ID', i);
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['appointments', id, 'earlier_availability'],
		what: `Get Earlier Availability ${id}`,
		itemIndex: i,
	});
	const data = unwrap<unknown>(res.body);
	const out: IDataObject = isRecord(data) ? { ...data } : {};
	const slot = out.earlier_availability ?? out.availability ?? null;
	return { ...out, earlier_availability: slot as IDataObject | null, hasEarlierAvailability: isRecord(slot) };
}

function answer(body: unknown, id: string, subscribed: boolean): IDataObject {
	const data = unwrap<unknown>(body);
	const out: IDataObject = isRecord(data) ? { ...data } : {};
	if (out.id === undefined) out.id = id;
	if (!isRecord(out.asap_list)) out.asap_list = { subscribed };
	return out;
}
