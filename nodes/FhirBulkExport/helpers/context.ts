// What every FHIR Bulk Export operation needs: the credential type the user picked.
import type { IExecuteFunctions } from 'n8n-workflow';

export interface OperationContext {
	credentialType: string;
}

/** Reads the Authentication parameter once per execution (at the first item that runs). */
export async function operationContext(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<OperationContext> {
	return { credentialType: this.getNodeParameter('authentication', itemIndex) as string };
}
