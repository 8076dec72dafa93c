// EHR FHIR Trigger: starts a workflow when a FHIR resource of a type is created or updated, by
// polling (`_lastUpdated=ge<cursor>` with the ids delivered at the cursor, or a snapshot of the
// list where the vendor has no `_lastUpdated` search). Same credentials, vendor profiles and
// Resource Type dropdown as the EHR FHIR node; the poll logic is in helpers/poll.ts.
import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { credentialChoices } from '../shared/credential-types';
import { smartBackendServicesApiTest } from '../shared/backend-services-test';
import { FHIR_CREDENTIAL_TYPES } from '../shared/vendors';
import { getResourceTypes, getSearchParameters } from '../EhrFhir/methods/loadOptions';
import { properties } from './helpers/description';
import { pollChanges } from './helpers/poll';

/** one main output (two lint rules disagree on how to spell it inline) */
const MAIN_ONLY = [NodeConnectionTypes.Main];

export class EhrFhirTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'EHR FHIR Trigger',
		name: 'ehrFhirTrigger',
		icon: { light: 'file:ehrFhirTrigger.svg', dark: 'file:ehrFhirTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		documentationUrl: 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#ehr-fhir-trigger',
		subtitle: '={{ "New or updated " + ($parameter["resourceType"] || "resource") }}',
		description:
			'Starts the workflow when a FHIR resource (patient, immunization, appointment, …) is created or updated on an EHR',
		defaults: { name: 'EHR FHIR Trigger' },
		polling: true,
		inputs: [],
		outputs: MAIN_ONLY,
		credentials: credentialChoices(FHIR_CREDENTIAL_TYPES),
		properties,
	};

	methods = {
		credentialTest: { smartBackendServicesApiTest },
		loadOptions: { getResourceTypes, getSearchParameters },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollChanges.call(this);
	}
}
