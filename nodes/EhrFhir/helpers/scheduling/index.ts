// The Appointment resource's two backends behind one interface: eMedicalPractice's Standard API
// (emp.ts) and FHIR Schedule / Slot / Appointment (fhir.ts). The vendor profile's `scheduling`
// picks one; a vendor without a booking API is refused here, before any request.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { toItems } from '../../../shared/runner';
import type { OperationContext } from '../context';
import { empScheduling } from './emp';
import { fhirScheduling } from './fhir';

export interface SchedulingBackend {
	findSlots(this: IExecuteFunctions, ctx: OperationContext, i: number): Promise<IDataObject[]>;
	book(this: IExecuteFunctions, ctx: OperationContext, i: number): Promise<IDataObject>;
	cancel(this: IExecuteFunctions, ctx: OperationContext, i: number): Promise<IDataObject>;
	reschedule(this: IExecuteFunctions, ctx: OperationContext, i: number): Promise<IDataObject>;
	get(this: IExecuteFunctions, ctx: OperationContext, i: number): Promise<IDataObject>;
	list(this: IExecuteFunctions, ctx: OperationContext, i: number): Promise<IDataObject[]>;
}

export type SchedulingOperation = keyof SchedulingBackend;

/** The backend of the credential's vendor; a vendor without one is refused before any request. */
export function schedulingBackend(
	fn: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): SchedulingBackend {
	if (ctx.profile.scheduling === 'openemr-standard') return empScheduling;
	if (ctx.profile.scheduling === 'fhir') return fhirScheduling;
	throw new NodeOperationError(
		fn.getNode(),
		`${ctx.profile.vendor} has no appointment booking API this node can use: nothing was sent`,
		{
			itemIndex,
			description:
				'Appointments can be booked with an eMedicalPractice credential (Standard API) or a SMART on FHIR credential for a server that publishes Schedules and Slots. For MyPatientPortal use the MyPatientPortal node.',
		},
	);
}

/** The execute function of one Appointment operation: the backend's, its result as items. */
export function schedulingOperation(
	op: SchedulingOperation,
): (
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
) => Promise<INodeExecutionData[]> {
	return async function (this: IExecuteFunctions, ctx: OperationContext, itemIndex: number) {
		const backend = schedulingBackend(this, ctx, itemIndex);
		const run = backend[op] as (
			this: IExecuteFunctions,
			ctx: OperationContext,
			i: number,
		) => Promise<IDataObject | IDataObject[]>;
		const result = await run.call(this, ctx, itemIndex);
		return toItems(result, itemIndex);
	};
}
