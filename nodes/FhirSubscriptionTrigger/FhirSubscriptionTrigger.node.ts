// FHIR Subscription Trigger: starts the workflow when the FHIR server notifies a change. On
// activation it creates a rest-hook Subscription (R4 criteria, or topic-based: Subscriptions R5
// Backport) pointing at this node's webhook, with a random secret header; deactivation deletes it. Logic in helpers/ (subscription.ts: the
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
import {
	answer,
	bodyOf,
	isTopicNode,
	startedByTheNode,
	itemsOf,
	hasSecret,
	heartbeatShowsMissed,
	readNotification,
	tooLarge,
	topicItemsOf,
	unauthorized,
} from './helpers/notification';
import { getSubscriptionTopics } from './helpers/topic';

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
			'={{ $parameter["subscriptionType"] === "topic" ? "On topic: " + ($parameter["topic"] || "").split("/").pop() : $parameter["resourceType"] ? "On change: " + $parameter["resourceType"] : "On change" }}',
		description:
			'Starts the workflow when a FHIR server notifies a change (FHIR Subscription, rest-hook: R4 criteria or topic-based)',
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
				displayName: 'Subscription Type',
				name: 'subscriptionType',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Criteria (R4 Rest-Hook)',
						value: 'criteria',
						description:
							'An R4 Subscription whose criteria is a search on a resource type; the server must declare Subscription create and delete',
					},
					{
						name: 'Topic (R4 Backport)',
						value: 'topic',
						description:
							'A topic-based Subscription (Subscriptions R5 Backport IG for R4) on a topic the server declares in its CapabilityStatement',
					},
				],
				default: 'criteria',
			},
			{
				displayName: 'Topic Name or ID',
				name: 'topic',
				type: 'options',
				typeOptions: {
					loadOptionsMethod: 'getSubscriptionTopics',
					loadOptionsDependsOn: ['authentication'],
				},
				displayOptions: { show: { subscriptionType: ['topic'] } },
				default: '',
				required: true,
				description:
					'The subscription topic (its canonical URL) whose events start the workflow. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Filter Criteria',
				name: 'filterCriteria',
				type: 'string',
				displayOptions: { show: { subscriptionType: ['topic'] } },
				default: '',
				placeholder: 'Patient?family=Smith',
				description:
					"Only events whose resource matches this search start the workflow (the topic's filter parameters, written as Type?param=value); empty: every event of the topic",
			},
			{
				displayName: 'Resource Type Name or ID',
				name: 'resourceType',
				type: 'options',
				typeOptions: {
					loadOptionsMethod: 'getResourceTypes',
					loadOptionsDependsOn: ['authentication'],
				},
				displayOptions: { show: { subscriptionType: ['criteria'] } },
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
				displayOptions: { show: { subscriptionType: ['criteria'] } },
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
							'The notification carries only the ID; "Fetch Resource" reads it (Subscription Type Topic only)',
					},
					{
						name: 'Empty',
						value: 'empty',
						description:
							'The notification carries only the event (number, time); nothing is read (Subscription Type Topic only)',
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
					{
						displayName: 'Heartbeat Period (Seconds)',
						name: 'heartbeatPeriod',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description:
							'Topic Subscriptions: ask the server for a heartbeat after this many seconds without events (answered, starts nothing); 0: none',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { smartBackendServicesApiTest },
		loadOptions: { getResourceTypes, getSearchParameters, getSubscriptionTopics },
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
		const large = tooLarge(this);
		if (large) return large;
		const body = await bodyOf(this);
		// a chunked body (no Content-Length) is measured once read
		const late = tooLarge(this);
		if (late) return late;
		const n = body === undefined ? undefined : readNotification(body);
		// a heartbeat counting more events than were delivered (Topic): the missed ones are read
		// back and start the workflow; that needs the secret, like an event notification
		if (
			n?.kind === 'ping' &&
			n.type === 'heartbeat' &&
			isTopicNode(this) &&
			hasSecret(this) &&
			heartbeatShowsMissed(this, n)
		) {
			const items = await topicItemsOf(this, {
				kind: 'event',
				resources: [],
				ids: [],
				status: n.status,
				entries: [],
			});
			if (items.length) return startedByTheNode(this, items);
		}
		// handshakes, heartbeats and empty pings start nothing: answered with or without the secret
		if (n?.kind === 'ping') return answer(this, 200, `OK (${n.type})`);
		const refused = unauthorized(this);
		if (refused) return refused;
		if (!n) return answer(this, 400, 'The body is not JSON.');
		if (n.kind === 'invalid') return answer(this, 400, n.reason);
		if (!isTopicNode(this)) {
			const items = await itemsOf(this, n);
			if (!items.length) return answer(this, 200, 'OK (no resources)');
			return { workflowData: [this.helpers.returnJsonArray(items)] };
		}
		const items = await topicItemsOf(this, n);
		if (!items.length) return answer(this, 200, 'OK (already delivered)');
		return startedByTheNode(this, items);
	}
}
