// Get Profile: the portal user's (patient's) profile.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { mppRequest, unwrap, isRecord } from '../transport';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const res = await mppRequest.call(this, { method: 'GET', segments: ['me'], what: 'Get Profile', itemIndex: i });
	const me = unwrap<unknown>(res.body);
	return isRecord(me) ? me : { profile: me as IDataObject };
}
