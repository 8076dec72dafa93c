// FHIR Subscription Trigger: starts the workflow when the FHIR server notifies a change. On
// activation it creates an R4 rest-hook Subscription pointing at this node's webhook, with a
// random secret header; deactivation deletes it. Logic in helpers/ (subscription.ts: the
// webhook methods; notification.ts: what arrives).
import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { authenticationProperty, credentialChoices } from '../shared/credential-types';
import { smartBackendServicesApiTest } from '../shared/backend-services-test';
import { FHIR_CREDENTIAL_TYPES } from '../shared/vendors';
import { getResourceTypes, getSearchParameters } from '../EhrFhir/methods/loadOptions';
import { searchParameterValues } from '../EhrFhir/actions/resource/search.operation';
import { createSubscription, deleteSubscription, subscriptionExists } from './helpers/subscription';
import { answer, bodyOf, itemsOf, readNotification, refusal } from './helpers/notification';

/** one main output (two lint rules disagree on how to spell it inline) */
const MAIN_ONLY = [NodeConnectionTypes.Main];

export class FhirSubscriptionTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'FHIR Subscription Trigger',
		name: 'fhirSubscriptionTrigger',
		icon: {
			light: 'file:fhirSubscriptionTrigger.svg',
			dark: 'file:fhirSubscriptionTrigger.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		documentationUrl: 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#fhir-subscription-trigger',
		subtitle:
			'={{ $parameter["resourceType"] ? "On change: " + $parameter["resourceType"] : "On change" }}',
		description:
			'Starts the workflow when a FHIR server notifies a change (FHIR Subscription, rest-hook)',
		defaults: { name: 'FHIR Subscription Trigger' },
		inputs: [],
		outputs: MAIN_ONLY,
		credentials: credentialChoices(FHIR_CREDENTIAL_TYPES),
		webhooks: [
			{ name: 'default', httpMethod: 'POST', path: 'webhook', responseMode: 'onReceived' },
		],
		properties: [
			authenticationProperty(
				FHIR_CREDENTIAL_TYPES,
				'The FHIR server to subscribe on, by its kind of credential; the server must offer FHIR Subscriptions',
			),
			{
				displayName: 'Resource Type Name or ID',
				name: 'resourceType',
				type: 'options',
				typeOptions: {
					loadOptionsMethod: 'getResourceTypes',
					loadOptionsDependsOn: ['authentication'],
				},
				default: '',
				required: true,
				description:
					'Changes to resources of this type start the workflow. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Filter',
				default: {},
				description:
					'Search parameters the changed resource must match (the Subscription criteria), e.g. code = http://loinc.org|8867-4',
				options: [
					{
						name: 'filter',
						displayName: 'Filter',
						values: searchParameterValues,
					},
				],
			},
			{
				displayName: 'Payload',
				name: 'payload',
				type: 'options',
				options: [
					{
						name: 'Full Resource',
						value: 'full',
						description: 'The notification carries the changed resource',
					},
					{
						name: 'ID Only',
						value: 'idOnly',
						description:
							'The notification carries only the ID (topic-based Subscriptions; not yet created by this node)',
					},
				],
				default: 'full',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: false,
				description:
					'Whether to return a flat summary of each resource instead of the full FHIR JSON',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Fetch Resource',
						name: 'fetchResource',
						type: 'boolean',
						default: true,
						description:
							"Whether to read each resource of an ID-only notification from the server (the credential's server only)",
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { smartBackendServicesApiTest },
		loadOptions: { getResourceTypes, getSearchParameters },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await createSubscription.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await deleteSubscription.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const refused = refusal(this);
		if (refused) return refused;
		const body = await bodyOf(this);
		// a chunked body (no Content-Length) is measured once read
		const late = refusal(this);
		if (late) return late;
		if (body === undefined) return answer(this, 400, 'The body is not JSON.');
		const n = readNotification(body);
		if (n.kind === 'invalid') return answer(this, 400, n.reason);
		if (n.kind === 'ping') return answer(this, 200, `OK (${n.type})`);
		const items = await itemsOf(this, n);
		if (!items.length) return answer(this, 200, 'OK (no resources)');
		return { workflowData: [this.helpers.returnJsonArray(items)] };
	}
}
