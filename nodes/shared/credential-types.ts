// The one list of credential labels: every node that offers a choice of credential types shows
// them with these names, so the same credential is called the same everywhere.
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

export const CREDENTIAL_LABELS: Record<string, string> = {
	onpatientOAuth2Api: 'OnPatient (Drchrono)',
	oneUpHealthApi: '1upHealth',
	eMedicalPracticeOAuth2Api: 'eMedicalPractice',
	smartOnFhirOAuth2Api: 'SMART on FHIR (User Login)',
	smartBackendServicesApi: 'SMART Backend Services (System)',
	myPatientPortalOAuth2Api: 'MyPatientPortal',
};

/** The node's `credentials`: each type required when the Authentication parameter picks it. */
export function credentialChoices(types: string[]): INodeCredentialDescription[] {
	return types.map((name) => ({ name, required: true, displayOptions: { show: { authentication: [name] } } }));
}

/** The Authentication parameter listing the given credential types with their labels. */
export function authenticationProperty(types: string[], description?: string): INodeProperties {
	return {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: types.map((value) => ({ name: CREDENTIAL_LABELS[value] ?? value, value })),
		default: types[0],
		...(description ? { description } : {}),
	};
}
