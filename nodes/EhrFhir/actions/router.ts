// Dispatches each input item to its operation through the shared per-item runner.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runPerItem, type OperationTable } from '../../shared/runner';
import * as getPatient from './patient/get.operation';
import * as listImmunizations from './immunization/list.operation';
import * as patientEverything from './patient/everything.operation';
import * as resourceGet from './resource/get.operation';
import * as resourceGetVersion from './resource/get-version.operation';
import * as resourceSearch from './resource/search.operation';
import * as resourceCreate from './resource/create.operation';
import * as resourceUpdate from './resource/update.operation';
import * as resourcePatch from './resource/patch.operation';
import * as resourceDelete from './resource/delete.operation';
import * as resourceCreateIfNoneExists from './resource/create-if-none-exists.operation';
import * as resourceUpsert from './resource/upsert.operation';
import * as resourceHistory from './resource/history.operation';
import * as bundleBatch from './bundle/batch.operation';
import * as bundleTransaction from './bundle/transaction.operation';
import * as appointmentBook from './appointment/book.operation';
import * as appointmentCancel from './appointment/cancel.operation';
import * as appointmentReschedule from './appointment/reschedule.operation';
import * as appointmentFindSlots from './appointment/find-slots.operation';
import * as appointmentGet from './appointment/get.operation';
import * as appointmentList from './appointment/list.operation';
import * as customApiCall from './customApiCall/request.operation';
import { operationContext, type OperationContext } from '../helpers/context';

const OPERATIONS: OperationTable<OperationContext> = {
	patient: { get: getPatient.execute, everything: patientEverything.execute },
	immunization: { list: listImmunizations.execute },
	resource: {
		get: resourceGet.execute,
		getVersion: resourceGetVersion.execute,
		search: resourceSearch.execute,
		create: resourceCreate.execute,
		update: resourceUpdate.execute,
		patch: resourcePatch.execute,
		delete: resourceDelete.execute,
		createIfNoneExists: resourceCreateIfNoneExists.execute,
		upsert: resourceUpsert.execute,
		history: resourceHistory.execute,
	},
	bundle: { batch: bundleBatch.execute, transaction: bundleTransaction.execute },
	appointment: {
		findSlots: appointmentFindSlots.execute,
		book: appointmentBook.execute,
		cancel: appointmentCancel.execute,
		reschedule: appointmentReschedule.execute,
		get: appointmentGet.execute,
		list: appointmentList.execute,
	},
	[customApiCall.N8N_CUSTOM_API_CALL]: {},
};
// n8n adds "Custom API Call" to the Resource list and every Operation list: each runs the request
for (const ops of Object.values(OPERATIONS))
	ops[customApiCall.N8N_CUSTOM_API_CALL] = customApiCall.execute;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runPerItem(this, {
		operations: OPERATIONS,
		resource: (i) => this.getNodeParameter('resource', i) as string,
		context: operationContext,
	});
}
