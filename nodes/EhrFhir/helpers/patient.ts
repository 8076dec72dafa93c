// Parameter readers for the patient an operation is about.
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

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
