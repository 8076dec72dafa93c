// Parameter readers for the patient an operation is about.
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeParameterResourceLocator,
} from 'n8n-workflow';
import { assertUrlOnServer } from './url';

/**
 * The patient id from the resource locator (By ID, or By URL through its regex). A URL must be
 * on the credential's FHIR server (`fhirBaseUrl`): only the id is sent, so a URL of another
 * server would silently read the same id from this one.
 */
export function patientIdParam(
	this: IExecuteFunctions,
	itemIndex: number,
	fhirBaseUrl: string,
): string {
	const locator = this.getNodeParameter('patientId', itemIndex, undefined, {
		extractValue: false,
	}) as INodeParameterResourceLocator | undefined;
	if (locator && typeof locator === 'object' && locator.mode === 'url')
		assertOnServer.call(this, String(locator.value ?? '').trim(), fhirBaseUrl, itemIndex);
	const id = String(
		this.getNodeParameter('patientId', itemIndex, '', { extractValue: true }) ?? '',
	).trim();
	if (!id) {
		throw new NodeOperationError(
			this.getNode(),
			'No patient ID given: enter the ID of the patient (or a FHIR URL of the patient)',
			{
				itemIndex,
			},
		);
	}
	// `.` and `..` are path navigation (even percent-encoded, URL parsers resolve them): the
	// request would read the FHIR base or a patient search instead of one patient
	if (id === '.' || id === '..') {
		throw new NodeOperationError(
			this.getNode(),
			`"${id}" is not a patient ID: enter the ID of the patient (or a FHIR URL of the patient)`,
			{
				itemIndex,
			},
		);
	}
	return id;
}

/** A patient id for messages: an absurdly long one is shortened (the whole id stays in the request). */
export function shownId(id: string): string {
	return id.length > 80 ? `${id.slice(0, 80)}… (${id.length} characters)` : id;
}

/** Refuses a patient URL that is not under the credential's FHIR base URL, naming both servers. */
function assertOnServer(
	this: IExecuteFunctions,
	url: string,
	fhirBaseUrl: string,
	itemIndex: number,
): void {
	assertUrlOnServer(this.getNode(), url, fhirBaseUrl, itemIndex, {
		noun: 'patient URL',
		tail: /\/[Pp]atient\/[^/]*(?:\/_history\/[^/]*)?$/,
		example: `${fhirBaseUrl}/Patient/<id>`,
	});
}
