// Dispatches each input item to its operation, by resource and operation, through the shared
// per-item runner.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runPerItem, type OperationTable } from '../../shared/runner';
import { operationContext, type OperationContext } from '../helpers/context';
import * as bulkExport from './export/bulkExport.operation';
import * as cancelExport from './export/cancelExport.operation';
import * as checkStatus from './export/checkStatus.operation';
import * as downloadFiles from './export/downloadFiles.operation';
import * as startExport from './export/startExport.operation';
import * as getPublicJwks from './key/getPublicJwks.operation';

const OPERATIONS: OperationTable<OperationContext> = {
	export: {
		bulkExport: bulkExport.execute,
		startExport: startExport.execute,
		checkStatus: checkStatus.execute,
		downloadFiles: downloadFiles.execute,
		cancelExport: cancelExport.execute,
	},
	key: { getPublicJwks: getPublicJwks.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runPerItem(this, {
		operations: OPERATIONS,
		resource: (i) => this.getNodeParameter('resource', i) as string,
		context: operationContext,
	});
}
