// Dispatches each input item to its operation through the shared per-item runner.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runPerItem, type OperationTable } from '../../shared/runner';
import * as getPatient from './patient/get.operation';
import * as listImmunizations from './immunization/list.operation';
import { operationContext, type OperationContext } from '../helpers/context';

const OPERATIONS: OperationTable<OperationContext> = {
	patient: { get: getPatient.execute },
	immunization: { list: listImmunizations.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runPerItem(this, {
		operations: OPERATIONS,
		resource: (i) => this.getNodeParameter('resource', i) as string,
		context: operationContext,
	});
}
