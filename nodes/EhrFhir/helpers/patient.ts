// Parameter readers for the patient an operation is about.
import { NodeOperationError, type IExecuteFunctions, type INodeParameterResourceLocator } from 'n8n-workflow';
import { hasDotSegment } from '../../shared/http';

/**
 * The patient id from the resource locator (By ID, or By URL through its regex). A URL must be
 * on the credential's FHIR server (`fhirBaseUrl`): only the id is sent, so a URL of another
 * server would silently read the same id from this one.
 */
export function patientIdParam(this: IExecuteFunctions, itemIndex: number, fhirBaseUrl: string): string {
	const locator = this.getNodeParameter('patientId', itemIndex, undefined, { extractValue: false }) as INodeParameterResourceLocator | undefined;
	if (locator && typeof locator === 'object' && locator.mode === 'url') assertOnServer.call(this, String(locator.value ?? '').trim(), fhirBaseUrl, itemIndex);
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

function baseOf(url: string): { origin: string; path: string } | undefined {
	try {
		const u = new URL(url);
		return { origin: u.origin, path: u.pathname.replace(/\/+$/, '') };
	} catch {
		return undefined;
	}
}

/** Refuses a patient URL that is not under the credential's FHIR base URL, naming both servers. */
function assertOnServer(this: IExecuteFunctions, url: string, fhirBaseUrl: string, itemIndex: number): void {
	const given = baseOf(url);
	const base = baseOf(fhirBaseUrl);
	// not a URL: the locator's own regex reports it; a "." or ".." segment: the id check does
	if (!given || !base || hasDotSegment(url)) return;
	if (given.origin === base.origin && given.path.startsWith(`${base.path}/`)) return;
	const server = `${given.origin}${given.path.replace(/\/[Pp]atient\/[^/]*(?:\/_history\/[^/]*)?$/, '')}`;
	throw new NodeOperationError(this.getNode(), `The patient URL is on ${server}, but the credential's FHIR server is ${fhirBaseUrl}: nothing was sent`, {
		itemIndex,
		description: `Use a URL of the credential's server (${fhirBaseUrl}/Patient/<id>), enter the ID with "By ID", or choose a credential for the other server.`,
	});
}
