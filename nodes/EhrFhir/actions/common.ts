// What every EHR FHIR operation needs: the credential type the user picked and its vendor profile.
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';
import { PATIENT_URL_REGEX } from '../../shared/fhir';

export interface OperationContext {
	credentialType: string;
	profile: VendorProfile;
}

/** Reads the chosen credential once per execution and builds the vendor profile. */
export async function operationContext(this: IExecuteFunctions): Promise<OperationContext> {
	const credentialType = this.getNodeParameter('authentication', 0) as string;
	const credentials = await this.getCredentials(credentialType);
	return { credentialType, profile: getVendorProfile(credentialType, credentials, this.getNode()) };
}

/** The patient id from the resource locator (By ID, or By URL through its regex). */
export function patientIdParam(this: IExecuteFunctions, itemIndex: number): string {
	const id = String(this.getNodeParameter('patientId', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!id) {
		throw new NodeOperationError(this.getNode(), 'No patient ID given: enter the ID of the patient (or a FHIR URL of the patient)', {
			itemIndex,
		});
	}
	// `.` and `..` are path navigation (even percent-encoded, URL parsers resolve them): the
	// request would read the FHIR base or a patient search instead of one patient
	if (id === '.' || id === '..') {
		throw new NodeOperationError(this.getNode(), `"${id}" is not a patient ID: enter the ID of the patient (or a FHIR URL of the patient)`, {
			itemIndex,
		});
	}
	return id;
}

/** A patient id for messages: an absurdly long one is shortened (the whole id stays in the request). */
export function shownId(id: string): string {
	return id.length > 80 ? `${id.slice(0, 80)}… (${id.length} characters)` : id;
}

/** The Patient resource locator, shown for the given operations. */
export function patientLocator(show: Record<string, string[]>, description: string): INodeProperties {
	return {
		displayName: 'Patient',
		name: 'patientId',
		type: 'resourceLocator',
		default: { mode: 'id', value: '' },
		required: true,
		description,
		displayOptions: { show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a patient…',
				typeOptions: { searchListMethod: 'searchPatients', searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. pt-00001',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^[^/?#\\s]+$', errorMessage: 'A FHIR ID has no slash, question mark, hash or space' },
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://fhir.example.org/r4/Patient/123',
				extractValue: { type: 'regex', regex: PATIENT_URL_REGEX },
				validation: [
					{
						type: 'regex',
						properties: { regex: PATIENT_URL_REGEX, errorMessage: 'Not a FHIR Patient URL (…/Patient/<id>)' },
					},
				],
			},
		],
	};
}
