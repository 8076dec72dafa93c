// What every MyPatientPortal operation gets from the per-item runner: nothing made once per
// execution (each request reads the credential's Portal URL through helpers/transport.ts).
export type OperationContext = undefined;

export async function operationContext(): Promise<OperationContext> {
	return undefined;
}
