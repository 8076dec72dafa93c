// The Patient resource locator (From List, By ID, By URL) the patient operations share.
import type { INodeProperties } from 'n8n-workflow';
import { PATIENT_URL_REGEX } from '../../shared/fhir';
import { NO_PATIENT_SEARCH } from '../../shared/vendors';

/**
 * The Patient resource locator, shown for the given operations: with "From List" for the
 * vendors that have a Patient search, without it for the others (n8n cannot hide one mode, so
 * the parameter comes twice, for mutually exclusive credential types).
 */
export function patientLocator(
	show: Record<string, string[]>,
	description: string,
): INodeProperties[] {
	const withList = locator(show, description);
	const withoutList: INodeProperties = {
		...withList,
		displayOptions: { show: { ...show, authentication: NO_PATIENT_SEARCH } },
		modes: withList.modes!.filter((m) => m.name !== 'list'),
	};
	withList.displayOptions = { show, hide: { authentication: NO_PATIENT_SEARCH } };
	return [withList, withoutList];
}

function locator(show: Record<string, string[]>, description: string): INodeProperties {
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
