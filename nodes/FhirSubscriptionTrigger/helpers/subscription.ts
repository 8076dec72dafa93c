// The Subscription this trigger keeps on the FHIR server: created on activation (n8n calls
// `checkExists` first, `create` when it answers false), read by `checkExists`, deleted on
// deactivation. Its id, the FHIR base it lives on and the secret the server sends back in a
// header are kept in the node's workflow static data (n8n saves it for active workflows).
// Two kinds: Criteria (an R4 rest-hook Subscription whose `criteria` is a search) and Topic (the
// Subscriptions R5 Backport IG for R4: `criteria` is a topic canonical the server declares, see
// topic.ts); a Topic Subscription also keeps the last event number delivered.
import { randomBytes } from 'node:crypto';
import { NodeOperationError, type IDataObject, type IHookFunctions } from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../shared/http';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';
import { isRecord, str } from '../../shared/values';
import { loadCapabilities } from '../../EhrFhir/helpers/capabilities';
import {
	CONTENT_CODES,
	assertTopic,
	filterCriteria,
	readBackportDeclaration,
	topicSubscriptionBody,
} from './topic';

/** the header the FHIR server sends back on every notification */
export const SECRET_HEADER = 'X-Ehr-Webhook-Secret';

export interface SubscriptionStaticData extends IDataObject {
	subscriptionId?: string;
	/** the FHIR base the Subscription was created on */
	fhirBaseUrl?: string;
	/** hex; compared with the header of each notification */
	secret?: string;
	/** 'topic': a backport Subscription (absent: criteria, as before topics existed) */
	subscriptionType?: string;
	topic?: string;
	/** the backport-payload-content code asked for */
	content?: string;
	/** the highest event number delivered (topic); 0 right after create */
	lastEventNumber?: number;
	/** the server declares `Subscription/{id}/$events` */
	eventsSupported?: boolean;
}

/** The node's Subscription Type ('criteria' for workflows saved before it existed). */
export function subscriptionType(ctx: { getNodeParameter(n: string, d: unknown): unknown }) {
	return ctx.getNodeParameter('subscriptionType', 'criteria') === 'topic' ? 'topic' : 'criteria';
}

const TOPIC_KEYS = [
	'subscriptionType',
	'topic',
	'content',
	'lastEventNumber',
	'eventsSupported',
] as const;

export function staticData(ctx: { getWorkflowStaticData(type: string): IDataObject }) {
	return ctx.getWorkflowStaticData('node') as SubscriptionStaticData;
}

async function profileOf(ctx: IHookFunctions): Promise<{ type: string; profile: VendorProfile }> {
	const type = ctx.getNodeParameter('authentication') as string;
	return { type, profile: getVendorProfile(type, await ctx.getCredentials(type), ctx.getNode()) };
}

function subscriptionUrl(base: string, id: string): string {
	return joinUrl(base, 'Subscription', id);
}

/** The search the Subscription's `criteria` carries: `Type?param=value&…`. */
export function criteriaOf(ctx: IHookFunctions): string {
	const type = String(ctx.getNodeParameter('resourceType', '')).trim();
	if (!/^[A-Z][A-Za-z]+$/.test(type))
		throw new NodeOperationError(ctx.getNode(), `"${type}" is not a FHIR resource type`, {
			description: 'Pick a Resource Type from the list (it comes from the server).',
		});
	const filters = (ctx.getNodeParameter('filters.filter', []) as IDataObject[]) ?? [];
	const q = new URLSearchParams();
	for (const f of filters) {
		const name = str(f.name)?.trim();
		if (name) q.append(name, String(f.value ?? ''));
	}
	return `${type}?${q.toString()}`;
}

/** `checkExists`: the Subscription in static data is there and not off / in error. */
export async function subscriptionExists(this: IHookFunctions): Promise<boolean> {
	const data = staticData(this);
	if (!data.subscriptionId || !data.fhirBaseUrl || !data.secret) return false;
	const { type, profile } = await profileOf(this);
	// the credential now points at another server: the old Subscription is not ours to use
	if (profile.fhirBaseUrl !== data.fhirBaseUrl) return false;
	// made for another Subscription Type or topic than the node now says: a new one is needed
	const kind = subscriptionType(this);
	if ((data.subscriptionType ?? 'criteria') !== kind) return false;
	if (kind === 'topic' && data.topic !== String(this.getNodeParameter('topic', '')).trim())
		return false;
	const res = await apiRequest.call(this, type, {
		method: 'GET',
		url: subscriptionUrl(profile.fhirBaseUrl, data.subscriptionId),
		headers: { Accept: profile.accept },
		okStatuses: [404, 410],
		what: 'Read the Subscription',
	});
	if (res.status === 404 || res.status === 410) return false;
	const status = isRecord(res.body) ? str(res.body.status) : undefined;
	return status === 'requested' || status === 'active';
}

/** Refuses a server whose CapabilityStatement does not declare Subscription create and delete. */
async function assertSubscriptions(
	ctx: IHookFunctions,
	type: string,
	profile: VendorProfile,
): Promise<void> {
	const caps = await loadCapabilities(ctx, type, profile);
	const sub = caps.types.get('Subscription');
	if (caps.known && sub?.interactions.has('create') && sub.interactions.has('delete')) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`${profile.vendor} does not offer FHIR Subscriptions: nothing was sent`,
		{
			description: caps.known
				? `Its capability list (${caps.source}) has no Subscription resource with create and delete. Use the EHR FHIR Trigger node instead: it polls the server for new and updated resources.`
				: `The server has no CapabilityStatement that declares Subscriptions. Use the EHR FHIR Trigger node instead: it polls the server for new and updated resources.`,
		},
	);
}

/** `create`: POSTs the Subscription with n8n's webhook URL and a fresh secret; keeps id + secret. */
export async function createSubscription(this: IHookFunctions): Promise<boolean> {
	const { type, profile } = await profileOf(this);
	const payload = this.getNodeParameter('payload', 'full') as string;
	const kind = subscriptionType(this);
	if (kind === 'criteria' && payload !== 'full')
		throw new NodeOperationError(
			this.getNode(),
			`${profile.vendor}: ${payload === 'empty' ? 'Empty' : 'ID Only'} notifications need a topic-based Subscription`,
			{
				description:
					'Choose Subscription Type "Topic" (the server must declare the Subscriptions R5 Backport), or Payload "Full Resource": an R4 criteria notification then carries the resource.',
			},
		);
	let criteria: string;
	let topicBody: ((endpoint: string, header: string, reason: string) => IDataObject) | undefined;
	let eventsSupported = false;
	if (kind === 'topic') {
		const topic = String(this.getNodeParameter('topic', '') ?? '').trim();
		const filter = filterCriteria(this);
		const heartbeat = Number(this.getNodeParameter('options.heartbeatPeriod', 0) ?? 0);
		if (!Number.isInteger(heartbeat) || heartbeat < 0)
			throw new NodeOperationError(
				this.getNode(),
				'Heartbeat Period must be a whole number of seconds',
				{
					description: 'Use 0 for no heartbeats.',
				},
			);
		await assertSubscriptions(this, type, profile);
		const declared = await readBackportDeclaration(this, type, profile);
		assertTopic(this, profile, declared, topic);
		eventsSupported = declared.events;
		criteria = filter ? `${topic} (${filter})` : topic;
		topicBody = (endpoint, header, reason) =>
			topicSubscriptionBody({ reason, topic, filter, payload, heartbeat, endpoint, header });
	} else {
		criteria = criteriaOf(this);
		await assertSubscriptions(this, type, profile);
	}
	const endpoint = this.getNodeWebhookUrl('default');
	if (!endpoint)
		throw new NodeOperationError(this.getNode(), 'n8n gave no webhook URL for this node', {
			description: 'Save the workflow and activate it again.',
		});
	// the one this node made before (in error, off, or for other settings) goes first; a failure
	// to delete it does not stop the new one (the old one cannot pass the new secret check)
	const old = staticData(this);
	if (old.subscriptionId && old.fhirBaseUrl === profile.fhirBaseUrl)
		await deleteSubscription.call(this).catch(() => undefined);
	const secret = randomBytes(32).toString('hex');
	const workflow = this.getWorkflow();
	const reason = `n8n workflow "${workflow.name ?? workflow.id}" (FHIR Subscription Trigger)`;
	const body = topicBody
		? topicBody(endpoint, `${SECRET_HEADER}: ${secret}`, reason)
		: {
				resourceType: 'Subscription',
				status: 'requested',
				reason,
				criteria,
				channel: {
					type: 'rest-hook',
					endpoint,
					payload: 'application/fhir+json',
					header: [`${SECRET_HEADER}: ${secret}`],
				},
			};
	const res = await apiRequest.call(this, type, {
		method: 'POST',
		url: joinUrl(profile.fhirBaseUrl, 'Subscription'),
		body,
		headers: { Accept: profile.accept, 'Content-Type': 'application/fhir+json' },
		what: `Create the Subscription (${criteria})`,
	});
	const id = isRecord(res.body) ? str(res.body.id) : undefined;
	const fromLocation = /\/Subscription\/([^/]+)/.exec(res.headers.location ?? '')?.[1];
	const subscriptionId = id ?? fromLocation;
	if (!subscriptionId)
		throw new NodeOperationError(
			this.getNode(),
			`${profile.vendor} answered ${res.status} to the Subscription create without an id`,
			{
				description:
					'The server may hold a Subscription this node cannot find again: look for one whose reason names this workflow, delete it, and activate again.',
			},
		);
	const data = staticData(this);
	data.subscriptionId = subscriptionId;
	data.fhirBaseUrl = profile.fhirBaseUrl;
	data.secret = secret;
	if (kind === 'topic') {
		data.subscriptionType = 'topic';
		data.topic = String(body.criteria);
		data.content = CONTENT_CODES[payload] ?? 'full-resource';
		data.lastEventNumber = 0;
		data.eventsSupported = eventsSupported;
	} else {
		for (const k of TOPIC_KEYS) delete data[k];
	}
	return true;
}

/** `delete`: DELETEs the Subscription (404 / 410: already gone) and clears static data. */
export async function deleteSubscription(this: IHookFunctions): Promise<boolean> {
	const data = staticData(this);
	if (data.subscriptionId && data.fhirBaseUrl) {
		const { type, profile } = await profileOf(this);
		// only on the server it was made on (the credential may point elsewhere now)
		if (profile.fhirBaseUrl === data.fhirBaseUrl) {
			await apiRequest.call(this, type, {
				method: 'DELETE',
				url: subscriptionUrl(profile.fhirBaseUrl, data.subscriptionId),
				headers: { Accept: profile.accept },
				okStatuses: [404, 410],
				what: 'Delete the Subscription',
			});
		}
	}
	delete data.subscriptionId;
	delete data.fhirBaseUrl;
	delete data.secret;
	for (const k of TOPIC_KEYS) delete data[k];
	return true;
}
