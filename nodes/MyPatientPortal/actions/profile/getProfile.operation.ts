// Get Profile: the portal user's (patient's) profile.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import { isRecord } from '../../../shared/values';
import type { OperationContext } from '../../helpers/context';
import { mppRequest, unwrap } from '../../helpers/transport';

export const description: INodeProperties[] = [];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const res = await mppRequest.call(this, {
		method: 'GET',
		segments: ['me'],
		what: 'Get Profile',
		itemIndex: i,
	});
	const me = unwrap<unknown>(res.body);
	return toItems(isRecord(me) ? me : { profile: me as IDataObject }, i);
}
