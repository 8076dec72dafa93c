// Get Patient: one Patient by ID (or by a FHIR URL of the patient).
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../../shared/http';
import { apiError, vendorMessage } from '../../../shared/errors';
import { readPage } from '../../../shared/pagination';
import { simplifyPatient } from '../../../shared/fhir';
import { patientIdParam, shownId } from '../../helpers/patient';
import { patientLocator } from '../../descriptions/patient';
import type { OperationContext } from '../../helpers/context';
import { requestLimits } from '../../helpers/limits';

const show = { resource: ['patient'], operation: ['get'] };

export const description: INodeProperties[] = [
	...patientLocator(show, 'The patient to get'),
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return flat fields (names, birth date, phone, email, address, MRN) instead of the full FHIR Patient',
		displayOptions: { show },
	},
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = patientIdParam.call(this, itemIndex, ctx.profile.fhirBaseUrl);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const what = `Get Patient ${shownId(id)}`;
	const res = await apiRequest.call(this, ctx.credentialType, {
		method: 'GET',
		url: joinUrl(ctx.profile.fhirBaseUrl, 'Patient', id),
		headers: { Accept: ctx.profile.accept },
		what,
		itemIndex,
		...requestLimits(this, itemIndex),
	});
	let patient = res.body as IDataObject | undefined;
	// some servers answer a read with a searchset Bundle holding the one Patient: take the Patient
	// with the asked id (or the only Patient), never just the first of several
	let found = 'something';
	if (patient?.resourceType === 'Bundle') {
		const patients = readPage(patient).entries.filter(
			(e) => (e as IDataObject)?.resourceType === 'Patient',
		) as IDataObject[];
		const same = patients.find((p) => p.id === id);
		found = patients.length
			? `a Bundle of ${patients.length} patients without patient ${id}`
			: 'a Bundle without a Patient';
		patient =
			same ??
			(patients.length === 1 && (patients[0].id === undefined || patients[0].id === id)
				? patients[0]
				: undefined);
	} else if (patient && typeof patient === 'object' && patient.resourceType !== undefined) {
		found = `${/^[AEIOU]/.test(String(patient.resourceType)) ? 'an' : 'a'} ${String(patient.resourceType)}`;
	}
	if (
		!patient ||
		typeof patient !== 'object' ||
		(patient.resourceType !== undefined && patient.resourceType !== 'Patient')
	) {
		const vendor =
			patient?.resourceType === 'OperationOutcome' ? vendorMessage(patient) : undefined;
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what} failed: ${ctx.profile.vendor} answered with ${found} instead of a Patient${vendor ? `: ${vendor}` : ''}`,
			hint: 'Check the base URL in the credential.',
			itemIndex,
		});
	}
	return [{ json: simplify ? simplifyPatient(patient) : patient, pairedItem: { item: itemIndex } }];
}
