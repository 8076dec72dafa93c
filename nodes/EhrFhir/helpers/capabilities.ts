// What the FHIR server can do: its CapabilityStatement (`GET [base]/metadata`, read once per
// execution or dropdown load), or the vendor profile's list for a server without one. An
// interaction the server does not declare is refused before any request.
import {
	NodeOperationError,
	type IExecuteFunctions,
	type IHookFunctions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../shared/http';
import { isRecord, str } from '../../shared/values';
import type { VendorProfile } from '../../shared/vendors';

export interface TypeCapability {
	interactions: Set<string>;
	searchParams: Array<{ name: string; type?: string }>;
	/** the `_include` / `_revinclude` values it declares (undefined: the statement does not say) */
	includes?: string[];
	revIncludes?: string[];
	operations: Set<string>;
	conditionalCreate?: boolean;
	conditionalUpdate?: boolean;
}

export interface Capabilities {
	/** false: the server says nothing (no statement, no profile list): every request is sent */
	known: boolean;
	/** where the list comes from, for messages */
	source: string;
	types: Map<string, TypeCapability>;
	/** system interactions (batch, transaction) */
	system: Set<string>;
}

type Ctx = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

const UNKNOWN: Capabilities = {
	known: false,
	source: 'nothing',
	types: new Map(),
	system: new Set(),
};

function names(list: unknown, key: string): string[] {
	return (Array.isArray(list) ? list : [])
		.map((x) => (isRecord(x) ? str(x[key]) : str(x)))
		.filter((x): x is string => !!x);
}

/** The capabilities in a CapabilityStatement body (undefined when it is not one). */
export function readCapabilityStatement(body: unknown, source: string): Capabilities | undefined {
	if (
		!isRecord(body) ||
		(body.resourceType !== 'CapabilityStatement' && body.resourceType !== 'Conformance')
	)
		return undefined;
	const rest = (Array.isArray(body.rest) ? body.rest.filter(isRecord) : []).find(
		(r) => r.mode === 'server' || r.mode === undefined,
	);
	if (!rest) return undefined;
	const types = new Map<string, TypeCapability>();
	for (const r of Array.isArray(rest.resource) ? rest.resource.filter(isRecord) : []) {
		const type = str(r.type);
		if (!type) continue;
		types.set(type, {
			interactions: new Set(names(r.interaction, 'code')),
			searchParams: (Array.isArray(r.searchParam)
				? (r.searchParam as unknown[]).filter(isRecord)
				: []
			)
				.filter((p) => str(p.name))
				.map((p) => ({ name: String(p.name), type: str(p.type) })),
			includes: Array.isArray(r.searchInclude) ? names(r.searchInclude, '') : undefined,
			revIncludes: Array.isArray(r.searchRevInclude) ? names(r.searchRevInclude, '') : undefined,
			operations: new Set(names(r.operation, 'name').map((n) => n.replace(/^\$/, ''))),
			conditionalCreate: typeof r.conditionalCreate === 'boolean' ? r.conditionalCreate : undefined,
			conditionalUpdate: typeof r.conditionalUpdate === 'boolean' ? r.conditionalUpdate : undefined,
		});
	}
	return { known: true, source, types, system: new Set(names(rest.interaction, 'code')) };
}

/** The vendor profile's list, for a server without a CapabilityStatement. */
function fromProfile(profile: VendorProfile): Capabilities {
	if (!profile.declared) return UNKNOWN;
	const types = new Map<string, TypeCapability>();
	for (const [type, interactions] of Object.entries(profile.declared)) {
		types.set(type, {
			interactions: new Set(interactions),
			searchParams: [],
			operations: new Set(),
		});
	}
	return {
		known: true,
		source: `the ${profile.vendor} profile of this node (the server has no CapabilityStatement)`,
		types,
		system: new Set(),
	};
}

/**
 * `GET [base]/metadata`: the answer's body when it is a 2xx, and how to name where it came from.
 * Errors (network, 5xx after retries) are thrown.
 */
export async function fetchCapabilityStatement(
	ctx: Ctx,
	credentialType: string,
	profile: VendorProfile,
): Promise<{ body: unknown; source: string } | undefined> {
	const url = joinUrl(profile.fhirBaseUrl, 'metadata');
	const res = await apiRequest.call(ctx, credentialType, {
		method: 'GET',
		url,
		headers: { Accept: profile.accept },
		what: 'Read the CapabilityStatement',
		okStatuses: [400, 404, 405, 410, 501],
	});
	const source = `its CapabilityStatement (GET ${url})`;
	return res.status < 300 ? { body: res.body, source } : { body: undefined, source };
}

/** Reads the capabilities of the server once (a server that has no statement: unknown, allow all). */
export async function loadCapabilities(
	ctx: Ctx,
	credentialType: string,
	profile: VendorProfile,
): Promise<Capabilities> {
	if (!profile.metadata) return fromProfile(profile);
	try {
		const cs = await fetchCapabilityStatement(ctx, credentialType, profile);
		return (cs && readCapabilityStatement(cs.body, cs.source)) ?? fromProfile(profile);
	} catch {
		// a failing /metadata says nothing: the request itself gets the server's answer
		return fromProfile(profile);
	}
}

/** Per-execution cache: the statement is read at the first operation that needs it. */
export class CapabilityCache {
	private loaded?: Promise<Capabilities>;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly credentialType: string,
		private readonly profile: VendorProfile,
	) {}

	get(): Promise<Capabilities> {
		this.loaded ??= loadCapabilities(this.ctx, this.credentialType, this.profile);
		return this.loaded;
	}
}

/** The interaction as a user reads it in a message. */
const LABEL: Record<string, string> = {
	read: 'read',
	vread: 'reading a version (vread)',
	'search-type': 'search',
	create: 'create',
	update: 'update',
	patch: 'patch',
	delete: 'delete',
	'history-instance': 'the history of a resource',
	'history-type': 'the history of a type',
	'conditional-create': 'conditional create (If-None-Exist)',
	'conditional-update': 'conditional update (create or update by a search)',
};

function declares(cap: TypeCapability | undefined, interaction: string): boolean {
	if (!cap) return false;
	if (interaction === 'conditional-create')
		return cap.interactions.has('create') && cap.conditionalCreate !== false;
	if (interaction === 'conditional-update')
		return cap.interactions.has('update') && cap.conditionalUpdate !== false;
	if (interaction.startsWith('$')) return cap.operations.has(interaction.slice(1));
	return cap.interactions.has(interaction);
}

function refusal(
	ctx: IExecuteFunctions,
	caps: Capabilities,
	what: string,
	type: string | undefined,
	itemIndex: number,
	also: string,
): NodeOperationError {
	const on = type ? ` on ${type}` : '';
	return new NodeOperationError(
		ctx.getNode(),
		`This server does not support ${what}${on}: nothing was sent`,
		{
			itemIndex,
			description: `The list comes from ${caps.source}. ${also}`,
		},
	);
}

/**
 * Refuses, before any request, an interaction the server does not declare on a type (`$name` for
 * an operation such as `$everything`); allows everything when the server says nothing.
 */
export async function assertSupports(
	this: IExecuteFunctions,
	cache: CapabilityCache,
	type: string,
	interaction: string,
	itemIndex: number,
): Promise<void> {
	const caps = await cache.get();
	if (!caps.known) return;
	const cap = caps.types.get(type);
	if (declares(cap, interaction)) return;
	const what =
		LABEL[interaction] ??
		(interaction.startsWith('$') ? `the ${interaction} operation` : interaction);
	const supported = cap ? [...cap.interactions].map((i) => LABEL[i] ?? i) : [];
	const also = !cap
		? `It does not list ${type} at all; it lists: ${[...caps.types.keys()].slice(0, 40).join(', ') || 'nothing'}.`
		: `On ${type} it supports: ${supported.join(', ') || 'nothing'}. Use one of those, or a credential for a server that supports this.`;
	throw refusal(this, caps, what, type, itemIndex, also);
}

/** Refuses a Batch or Transaction the server does not declare. */
export async function assertSystemSupports(
	this: IExecuteFunctions,
	cache: CapabilityCache,
	interaction: 'batch' | 'transaction',
	itemIndex: number,
): Promise<void> {
	const caps = await cache.get();
	if (!caps.known || caps.system.has(interaction)) return;
	const other =
		interaction === 'transaction' && caps.system.has('batch')
			? 'It supports Batch (not atomic): use that, or '
			: 'Send ';
	throw refusal(
		this,
		caps,
		`a ${interaction === 'batch' ? 'Batch' : 'Transaction'} Bundle`,
		undefined,
		itemIndex,
		`${other}the entries as single requests (one per item).`,
	);
}

/**
 * Refuses, before any request, an `_include` / `_revinclude` value the statement's list for the
 * type leaves out (a statement without such a list: allowed).
 */
export async function assertIncludes(
	this: IExecuteFunctions,
	cache: CapabilityCache,
	type: string,
	which: '_include' | '_revinclude',
	values: string[],
	itemIndex: number,
): Promise<void> {
	const caps = await cache.get();
	const cap = caps.types.get(type);
	const declared = which === '_include' ? cap?.includes : cap?.revIncludes;
	if (!caps.known || !declared) return;
	const missing = values.find((v) => !declared.includes(v) && !declared.includes('*'));
	if (missing === undefined) return;
	const also = declared.length
		? `On ${type} it declares: ${declared.join(', ')}.`
		: `It declares no ${which} on ${type}: search without it, and get the related resources with a second search.`;
	throw refusal(this, caps, `${which}=${missing}`, type, itemIndex, also);
}
