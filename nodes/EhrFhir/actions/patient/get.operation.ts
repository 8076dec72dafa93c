// Get Patient: one Patient by ID (or by a FHIR URL of the patient).
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../../shared/transport';
import { apiError } from '../../../shared/errors';
import { readPage } from '../../../shared/pagination';
import { simplifyPatient } from '../../../shared/fhir';
import { patientIdParam, patientLocator, type OperationContext } from '../common';

const show = { resource: ['patient'], operation: ['get'] };

export const description: INodeProperties[] = [
	patientLocator(show, 'The patient to get'),
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return flat fields (names, birth date, phone, email, address, MRN) instead of the full FHIR Patient',
		displayOptions: { show },
	},
];

export async function execute(this: IExecuteFunctions, ctx: OperationContext, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = patientIdParam.call(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const what = `Get Patient ${id}`;
	const res = await apiRequest.call(this, ctx.credentialType, {
		method: 'GET',
		url: joinUrl(ctx.profile.fhirBaseUrl, 'Patient', id),
		headers: { Accept: ctx.profile.accept },
		what,
		itemIndex,
	});
	let patient = res.body as IDataObject | undefined;
	// some servers answer a read with a searchset Bundle holding the one Patient
	if (patient?.resourceType === 'Bundle') {
		patient = readPage(patient).entries.find((e) => (e as IDataObject)?.resourceType === 'Patient') as IDataObject | undefined;
	}
	if (!patient || typeof patient !== 'object' || (patient.resourceType !== undefined && patient.resourceType !== 'Patient')) {
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what} failed: ${ctx.profile.vendor} answered with ${
				patient?.resourceType ? `a ${String(patient.resourceType)}` : 'something'
			} instead of a Patient`,
			hint: 'Check the base URL in the credential.',
			itemIndex,
		});
	}
	return [{ json: simplify ? simplifyPatient(patient) : patient, pairedItem: { item: itemIndex } }];
}
