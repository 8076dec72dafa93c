// The one list of credential labels: every node that offers a choice of credential types shows
// them with these names, so the same credential is called the same everywhere.
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { SMART_BACKEND_SERVICES_TEST } from './backend-services-test';

export const CREDENTIAL_LABELS: Record<string, string> = {
	onpatientOAuth2Api: 'onpatient (drchrono)',
	oneUpHealthApi: '1upHealth',
	eMedicalPracticeOAuth2Api: 'eMedicalPractice',
	smartOnFhirOAuth2Api: 'SMART on FHIR (User Login)',
	smartBackendServicesApi: 'SMART Backend Services (System)',
	myPatientPortalOAuth2Api: 'MyPatientPortal',
};

/** Credential types tested by a node's `methods.credentialTest` function (its name). */
export const CREDENTIAL_TESTS: Record<string, string> = {
	smartBackendServicesApi: SMART_BACKEND_SERVICES_TEST,
};

/** The node's `credentials`: each type required when the Authentication parameter picks it. */
export function credentialChoices(types: string[]): INodeCredentialDescription[] {
	return types.map((name) => ({
		name,
		required: true,
		displayOptions: { show: { authentication: [name] } },
		...(CREDENTIAL_TESTS[name] ? { testedBy: CREDENTIAL_TESTS[name] } : {}),
	}));
}

/** The Authentication parameter listing the given credential types with their labels. */
export function authenticationProperty(types: string[], description?: string): INodeProperties {
	const property: INodeProperties = {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: types.map((value) => ({ name: CREDENTIAL_LABELS[value] ?? value, value })),
		default: '',
		...(description ? { description } : {}),
	};
	// the first type listed is the default
	property.default = types[0];
	return property;
}
