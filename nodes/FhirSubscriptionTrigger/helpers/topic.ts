// Topic-based Subscriptions (the Subscriptions R5 Backport IG for FHIR R4 and R4B): what the
// server declares in its CapabilityStatement (the backport, its topics — and on R4B its
// SubscriptionTopic resources —, `$events`), the Subscription
// body this node creates, and the recovery of missed events through `Subscription/{id}/$events`.
import {
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type ILoadOptionsFunctions,
	type INodePropertyOptions,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../shared/http';
import { isRecord, str } from '../../shared/values';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';
import { fetchCapabilityStatement } from '../../EhrFhir/helpers/capabilities';

export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport';
/** the CapabilityStatements a backport server instantiates (R4, and R4B's) */
const BACKPORT_SERVERS = [
	`${BACKPORT}/CapabilityStatement/backport-subscription-server-r4`,
	`${BACKPORT}/CapabilityStatement/backport-subscription-server`,
];
export const BACKPORT_SUBSCRIPTION = `${BACKPORT}/StructureDefinition/backport-subscription`;
export const EXT = {
	topicCanonical: `${BACKPORT}/StructureDefinition/capabilitystatement-subscriptiontopic-canonical`,
	filter: `${BACKPORT}/StructureDefinition/backport-filter-criteria`,
	content: `${BACKPORT}/StructureDefinition/backport-payload-content`,
	heartbeat: `${BACKPORT}/StructureDefinition/backport-heartbeat-period`,
} as const;

/** the most missed events read back through `$events` for one notification */
export const MAX_RECOVERED_EVENTS = 100;

/** the node's Payload choice → the backport-payload-content code */
export const CONTENT_CODES: Record<string, string> = {
	full: 'full-resource',
	idOnly: 'id-only',
	empty: 'empty',
};

export interface BackportDeclaration {
	/** the statement's fhirVersion, e.g. 4.0.1 */
	fhirVersion?: string;
	/** it instantiates the backport server, or declares the backport-subscription profile */
	backport: boolean;
	topics: string[];
	/** topic canonical → its title (R4B servers' SubscriptionTopic resources) */
	titles: Record<string, string>;
	/** `Subscription/{id}/$events` is declared */
	events: boolean;
	/** where it was read, for messages */
	source: string;
}

type Ctx = IHookFunctions | ILoadOptionsFunctions;

/** What the server's CapabilityStatement says about topic-based Subscriptions. */
export async function readBackportDeclaration(
	ctx: Ctx,
	type: string,
	profile: VendorProfile,
): Promise<BackportDeclaration> {
	const none = { backport: false, topics: [], titles: {}, events: false };
	if (!profile.metadata)
		return { ...none, source: `the ${profile.vendor} profile (no CapabilityStatement)` };
	const { body: cs, source } = (await fetchCapabilityStatement(ctx, type, profile)) ?? {};
	if (!isRecord(cs) || cs.resourceType !== 'CapabilityStatement')
		return { ...none, source: source ?? 'its CapabilityStatement' };
	const records = (x: unknown): IDataObject[] =>
		Array.isArray(x) ? (x as unknown[]).filter(isRecord) : [];
	const rest = records(cs.rest).find((r) => r.mode === 'server' || r.mode === undefined);
	const sub = records(rest?.resource).find((r) => r.type === 'Subscription');
	const instantiates = Array.isArray(cs.instantiates) ? (cs.instantiates as unknown[]) : [];
	const profiles = Array.isArray(sub?.supportedProfile) ? (sub.supportedProfile as unknown[]) : [];
	const topics = records(sub?.extension)
		.filter((e) => e.url === EXT.topicCanonical)
		.map((e) => str(e.valueCanonical) ?? str(e.valueUri))
		.filter((x): x is string => !!x);
	const ops = records(sub?.operation).map((o) => String(o.name ?? '').replace(/^\$/, ''));
	const backport =
		instantiates.some((u) => BACKPORT_SERVERS.includes(String(u))) ||
		profiles.includes(BACKPORT_SUBSCRIPTION);
	// R4B (4.3) has the SubscriptionTopic resource: a backport server there lists its topics as
	// SubscriptionTopic resources, not (only) as extensions on Subscription
	const titles: Record<string, string> = {};
	const searchable = records(rest?.resource).find(
		(r) => r.type === 'SubscriptionTopic',
	)?.interaction;
	if (
		backport &&
		records(searchable).some((i) => i.code === 'search-type') &&
		!str(cs.fhirVersion)?.startsWith('5')
	)
		for (const t of await listSubscriptionTopics(ctx, type, profile)) {
			if (!topics.includes(t.url)) topics.push(t.url);
			if (t.title) titles[t.url] = t.title;
		}
	return {
		fhirVersion: str(cs.fhirVersion),
		backport,
		topics,
		titles,
		events: ops.includes('events'),
		source: source ?? 'its CapabilityStatement',
	};
}

/** the most SubscriptionTopic resources read (one page) */
export const MAX_TOPICS = 200;

/** An R4B server's active SubscriptionTopic resources (one page, at most MAX_TOPICS). */
async function listSubscriptionTopics(
	ctx: Ctx,
	type: string,
	profile: VendorProfile,
): Promise<Array<{ url: string; title?: string }>> {
	const res = await apiRequest.call(ctx, type, {
		method: 'GET',
		url: joinUrl(profile.fhirBaseUrl, 'SubscriptionTopic'),
		qs: { status: 'active', _count: MAX_TOPICS },
		headers: { Accept: profile.accept },
		what: 'List the subscription topics (SubscriptionTopic search)',
	});
	const entries =
		isRecord(res.body) && Array.isArray(res.body.entry) ? (res.body.entry as unknown[]) : [];
	const out: Array<{ url: string; title?: string }> = [];
	for (const e of entries.slice(0, MAX_TOPICS)) {
		const r = isRecord(e) && isRecord(e.resource) ? e.resource : undefined;
		const url = r?.resourceType === 'SubscriptionTopic' ? str(r.url) : undefined;
		if (url && /^https?:\/\/\S+$/.test(url)) out.push({ url, title: str(r!.title) });
	}
	return out;
}

function topicName(url: string): string {
	const last = url.replace(/\/+$/, '').split('/').pop() ?? url;
	const words = last.replace(/[-_]+/g, ' ').trim();
	return words ? words[0].toUpperCase() + words.slice(1) : url;
}

/** loadOptions: the topics the server declares. */
export async function getSubscriptionTopics(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const type = this.getNodeParameter('authentication') as string;
	const profile = getVendorProfile(type, await this.getCredentials(type), this.getNode());
	const d = await readBackportDeclaration(this, type, profile);
	if (!d.topics.length)
		throw new NodeOperationError(
			this.getNode(),
			`${profile.vendor} declares no subscription topics`,
			{
				description: `${d.source} has no capabilitystatement-subscriptiontopic-canonical extension on Subscription (and no active SubscriptionTopic resources where it declares them). Choose Subscription Type "Criteria" (R4 rest-hook), or use the EHR FHIR Trigger node, which polls.`,
			},
		);
	return d.topics.map((t) => ({ name: d.titles[t] ?? topicName(t), value: t, description: t }));
}

/** Refuses a Topic Subscription on a server that does not declare the backport (or the topic). */
export function assertTopic(
	ctx: IHookFunctions,
	profile: VendorProfile,
	d: BackportDeclaration,
	topic: string,
): void {
	if (!d.backport) {
		const r5 = d.fhirVersion?.startsWith('5')
			? ` It is a FHIR ${d.fhirVersion} server: R5 native topic Subscriptions are not created by this node.`
			: '';
		throw new NodeOperationError(
			ctx.getNode(),
			`${profile.vendor} does not declare topic-based Subscriptions (Subscriptions R5 Backport): nothing was sent`,
			{
				description: `${d.source} neither instantiates backport-subscription-server-r4 nor lists the backport-subscription profile.${r5} Choose Subscription Type "Criteria" (R4 rest-hook) if the server offers Subscriptions, or use the EHR FHIR Trigger node, which polls.`,
			},
		);
	}
	if (!/^https?:\/\/\S+$/.test(topic))
		throw new NodeOperationError(ctx.getNode(), `"${topic}" is not a topic canonical URL`, {
			description: 'Pick a Topic from the list (it comes from the server).',
		});
	if (d.topics.length && !d.topics.includes(topic))
		throw new NodeOperationError(
			ctx.getNode(),
			`${profile.vendor} does not declare the topic ${topic}: nothing was sent`,
			{ description: `Its topics: ${d.topics.join(', ')}. Pick one from the Topic list.` },
		);
}

/** The backport Subscription body (R4). */
export function topicSubscriptionBody(o: {
	reason: string;
	topic: string;
	filter: string;
	payload: string;
	heartbeat: number;
	endpoint: string;
	header: string;
}): IDataObject {
	const channelExt: IDataObject[] = [];
	if (o.heartbeat > 0) channelExt.push({ url: EXT.heartbeat, valueUnsignedInt: o.heartbeat });
	return {
		resourceType: 'Subscription',
		meta: { profile: [BACKPORT_SUBSCRIPTION] },
		status: 'requested',
		reason: o.reason,
		criteria: o.topic,
		...(o.filter ? { _criteria: { extension: [{ url: EXT.filter, valueString: o.filter }] } } : {}),
		channel: {
			...(channelExt.length ? { extension: channelExt } : {}),
			type: 'rest-hook',
			endpoint: o.endpoint,
			payload: 'application/fhir+json',
			_payload: {
				extension: [{ url: EXT.content, valueCode: CONTENT_CODES[o.payload] ?? 'full-resource' }],
			},
			header: [o.header],
		},
	};
}

/** The `Type?param=value` filter, checked: its type must be a FHIR type name. */
export function filterCriteria(ctx: IHookFunctions): string {
	const f = String(ctx.getNodeParameter('filterCriteria', '') ?? '').trim();
	if (f && !/^[A-Z][A-Za-z]+\?./.test(f))
		throw new NodeOperationError(
			ctx.getNode(),
			`The Filter Criteria "${f}" is not Type?param=value`,
			{
				description:
					'Write it like a FHIR search: Patient?family=Smith (the server says which parameters a topic allows).',
			},
		);
	return f;
}

/**
 * Reads the events `from`..`to` through `$events` on the credential's server (bounded by
 * MAX_RECOVERED_EVENTS). The Bundle, or why it could not be read.
 */
export async function readMissedEvents(
	ctx: IWebhookFunctions,
	subscriptionId: string,
	fhirBaseUrl: string,
	from: number,
	to: number,
	content: string,
): Promise<{ bundle: IDataObject } | { error: string }> {
	const type = ctx.getNodeParameter('authentication') as string;
	const profile = getVendorProfile(type, await ctx.getCredentials(type), ctx.getNode());
	if (profile.fhirBaseUrl !== fhirBaseUrl)
		return { error: "The credential now points at another server than the Subscription's." };
	const q = new URLSearchParams({
		eventsSinceNumber: String(from),
		eventsUntilNumber: String(to),
		content,
	});
	try {
		const res = await apiRequest.call(ctx, type, {
			method: 'GET',
			url: `${joinUrl(profile.fhirBaseUrl, 'Subscription', subscriptionId)}/$events?${q.toString()}`,
			headers: { Accept: profile.accept },
			what: `Read the missed events ${from}-${to} (Subscription $events)`,
		});
		return isRecord(res.body) && res.body.resourceType === 'Bundle'
			? { bundle: res.body }
			: { error: '$events answered something that is not a Bundle.' };
	} catch (e) {
		return { error: (e as Error).message };
	}
}
