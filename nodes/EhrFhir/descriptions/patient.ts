// The Patient resource locator (From List, By ID, By URL) the patient operations share.
import type { INodeProperties } from 'n8n-workflow';
import { PATIENT_URL_REGEX } from '../../shared/fhir';

/** The Patient resource locator, shown for the given operations. */
export function patientLocator(
	show: Record<string, string[]>,
	description: string,
): INodeProperties {
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
				typeOptions: {
					searchListMethod: 'searchPatients',
					searchable: true,
					searchFilterRequired: false,
				},
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. pt-00001',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[^/?#\\s]+$',
							errorMessage: 'A FHIR ID has no slash, question mark, hash or space',
						},
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
						properties: {
							regex: PATIENT_URL_REGEX,
							errorMessage: 'Not a FHIR Patient URL (…/Patient/<id>)',
						},
					},
				],
			},
		],
	};
}
