// Dispatches each input item to its operation through the shared per-item runner. The node has no
// Resource parameter: each operation value belongs to one resource folder, found in OPERATIONS.
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { runPerItem, type OperationTable } from '../../shared/runner';
import * as book from './appointment/book.operation';
import * as cancel from './appointment/cancel.operation';
import * as reschedule from './appointment/reschedule.operation';
import * as getAppointment from './appointment/get.operation';
import * as listAppointments from './appointment/list.operation';
import * as findAvailabilities from './availability/findAvailabilities.operation';
import * as getProfile from './profile/getProfile.operation';
import * as asapSubscribe from './asap/asapSubscribe.operation';
import * as asapUnsubscribe from './asap/asapUnsubscribe.operation';
import * as getEarlierAvailability from './asap/getEarlierAvailability.operation';
import { operationContext, type OperationContext } from '../helpers/context';

const OPERATIONS: OperationTable<OperationContext> = {
	appointment: {
		book: book.execute,
		cancel: cancel.execute,
		reschedule: reschedule.execute,
		get: getAppointment.execute,
		list: listAppointments.execute,
	},
	availability: { findAvailabilities: findAvailabilities.execute },
	profile: { getProfile: getProfile.execute },
	asap: {
		asapSubscribe: asapSubscribe.execute,
		asapUnsubscribe: asapUnsubscribe.execute,
		getEarlierAvailability: getEarlierAvailability.execute,
	},
};

/** The resource folder of an operation value. */
function resourceOf(this: IExecuteFunctions, itemIndex: number, operation: string): string {
	for (const [resource, operations] of Object.entries(OPERATIONS)) {
		if (Object.prototype.hasOwnProperty.call(operations, operation)) return resource;
	}
	throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
		itemIndex,
	});
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runPerItem(this, {
		operations: OPERATIONS,
		resource: resourceOf,
		context: operationContext,
	});
}
