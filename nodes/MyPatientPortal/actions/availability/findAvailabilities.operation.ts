// Find Availabilities: one item per free slot, for workflows (or AI agents) that pick a slot.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { returnAllLimitProperties } from '../../../shared/descriptions';
import { toItems } from '../../../shared/runner';
import { readLimit } from '../../../shared/values';
import { bookingChoiceFields, windowFields } from '../../descriptions/appointment';
import type { OperationContext } from '../../helpers/context';
import { bookingChoiceParams, dateParam, insuranceValue } from '../../helpers/params';
import { listAvailabilities } from '../../helpers/portal';

const OP = ['findAvailabilities'];

export const description: INodeProperties[] = [
	...bookingChoiceFields(OP),
	...windowFields(OP),
	...returnAllLimitProperties({ operation: OP }),
];

export async function execute(
	this: IExecuteFunctions,
	_ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	const choice = bookingChoiceParams(this, i);
	const from = dateParam(this, 'from', 'Search From', i);
	const to = dateParam(this, 'to', 'Search To', i);
	const limit = readLimit(this, i, 'availabilities');
	const slots = await listAvailabilities.call(
		this,
		{ ...choice, from, to },
		'Find Availabilities',
		i,
	);
	const insurance_id = insuranceValue(choice.insuranceId);
	return toItems(
		slots.slice(0, limit).map((slot) => ({ ...slot, insurance_id })),
		i,
	);
}
