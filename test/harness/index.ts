// Node execution harness: runs a node's REAL `execute` (or a loadOptions / listSearch method)
// with an IExecuteFunctions / ILoadOptionsFunctions that behaves like n8n 2.x — parameters with
// the node's defaults (n8n-workflow's own NodeHelpers.getNodeParameters), resource-locator
// `extractValue`, real HTTP through axios the way n8n-core sends it, credentials applied the
// way n8n applies them (OAuth2 Bearer + refresh on 401, `authenticate`, `preAuthentication`),
// binary data in a temp folder like n8n's filesystem mode. See docs/DEVELOPING.md → Harness.
import {
	NodeHelpers,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeParameterResourceLocator,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type IAdditionalCredentialOptions,
	type IBinaryData,
	type NodeParameterValueType,
	type IPairedItemData,
	type IPollFunctions,
} from 'n8n-workflow';
import type { Readable } from 'node:stream';
import { CredentialRegistry, resolveExpression } from './credentials';
import { httpRequestWithAuthentication, n8nHttpRequest, type AuthContext } from './http';
import { prepareBinaryData, getBinaryStream, binaryToBuffer, readBinary } from './binary';

export { readBinary, binaryFilePath, binaryDir, setBinaryStreamMode } from './binary';
export { n8nHttpRequest } from './http';
export { CredentialRegistry } from './credentials';
export { webhookHarness, type WebhookHarness, type WebhookRequest } from './webhook';

export type NodeClass = new () => INodeType;

export interface HarnessOptions {
	/** the node's parameters as a user sets them on the canvas (defaults filled by the harness) */
	parameters: INodeParameters;
	/**
	 * Raw credential data by credential type name (what n8n stores). This object is the
	 * credential store: token refreshes and preAuthentication results are written into it.
	 */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** extra credential types (tests); the package's credentials/ are loaded automatically */
	credentialTypes?: ICredentialType[];
	/** input items (default: one empty item) */
	items?: INodeExecutionData[];
	/** the node's "On Error → Continue" setting */
	continueOnFail?: boolean;
	nodeName?: string;
	typeVersion?: number;
	/** aborts the execution (n8n's cancel button) */
	abortSignal?: AbortSignal;
}

export interface HarnessResult {
	output: INodeExecutionData[][];
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	/** auth events (e.g. `oauth2:refresh:<type>`, `preAuthentication:<type>:empty`) */
	authEvents: string[];
	/** messages the node logged */
	logs: Array<{ level: string; message: string }>;
}

export interface Context {
	node: INode;
	description: INodeTypeDescription;
	parameters: INodeParameters;
	items: INodeExecutionData[];
	registry: CredentialRegistry;
	store: Record<string, ICredentialDataDecryptedObject>;
	events: string[];
	logs: Array<{ level: string; message: string }>;
	abort: AbortController;
}

export function makeContext(
	NodeType: NodeClass,
	opts: HarnessOptions,
): { ctx: Context; nodeType: INodeType } {
	const nodeType = new NodeType();
	const description = nodeType.description;
	const typeVersion =
		opts.typeVersion ??
		(Array.isArray(description.version) ? Math.max(...description.version) : description.version);
	const store = opts.credentials ?? {};
	const node: INode = {
		id: 'harness-node-id',
		name: opts.nodeName ?? description.defaults?.name ?? description.displayName,
		type: `n8n-nodes-ehr.${description.name}`,
		typeVersion,
		position: [0, 0],
		parameters: opts.parameters,
		continueOnFail: opts.continueOnFail,
		credentials: Object.fromEntries(
			Object.keys(store).map((t) => [t, { id: `cred-${t}`, name: `${t} account` }]),
		),
	};
	const full = NodeHelpers.getNodeParameters(
		description.properties,
		opts.parameters,
		true,
		false,
		node,
		description,
	);
	const parameters = (full ?? opts.parameters) as INodeParameters;
	node.parameters = parameters;
	const abort = new AbortController();
	if (opts.abortSignal) opts.abortSignal.addEventListener('abort', () => abort.abort());
	return {
		nodeType,
		ctx: {
			node,
			description,
			parameters,
			items: opts.items ?? [{ json: {} }],
			registry: new CredentialRegistry(opts.credentialTypes),
			store,
			events: [],
			logs: [],
			abort,
		},
	};
}

function getPath(obj: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(o, k) =>
				o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined,
			obj,
		);
}

function findProperty(
	props: INodeProperties[],
	name: string,
	parameters: INodeParameters,
	node: INode,
	d: INodeTypeDescription,
): INodeProperties | undefined {
	const top = name.split('.')[0];
	const candidates = props.filter((p) => p.name === top);
	return (
		candidates.find((p) => NodeHelpers.displayParameter(parameters, p, node, d)) ?? candidates[0]
	);
}

/** Evaluates `={{ … }}` parameter expressions simply: `$json`, `$parameter`, `$itemIndex`. */
function evaluateParameter(value: unknown, ctx: Context, itemIndex: number): unknown {
	if (typeof value === 'string' && value.startsWith('=')) {
		const item = ctx.items[itemIndex] ?? { json: {} };
		const scope = {
			$json: item.json,
			$parameter: ctx.parameters,
			$itemIndex: itemIndex,
			$binary: item.binary ?? {},
		};
		const tpl = value.slice(1);
		const evalOne = (expr: string): unknown =>
			// eslint-disable-next-line @typescript-eslint/no-implied-eval
			new Function(...Object.keys(scope), `return (${expr});`)(...Object.values(scope));
		const whole = /^\{\{([\s\S]*)\}\}$/.exec(tpl.trim());
		if (whole && !whole[1].includes('}}')) return evalOne(whole[1]);
		return tpl.replace(/\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => {
			const v = evalOne(expr);
			return v === undefined || v === null
				? ''
				: typeof v === 'object'
					? JSON.stringify(v)
					: String(v);
		});
	}
	if (Array.isArray(value)) return value.map((v) => evaluateParameter(v, ctx, itemIndex));
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, evaluateParameter(v, ctx, itemIndex)]),
		);
	}
	return value;
}

/** n8n-core extractValue for resource locators (regex `extractValue` of the chosen mode). */
function extractValue(value: unknown, name: string, ctx: Context): unknown {
	if (!value || typeof value !== 'object' || !('__rl' in (value as object))) return value;
	const rl = value as INodeParameterResourceLocator;
	const prop = findProperty(
		ctx.description.properties,
		name,
		ctx.parameters,
		ctx.node,
		ctx.description,
	);
	if (!prop || prop.type !== 'resourceLocator') return rl.value;
	const mode = prop.modes?.find((m) => m.name === rl.mode);
	const ev = mode?.extractValue;
	if (!ev || ev.type !== 'regex') return rl.value;
	const match = new RegExp(ev.regex).exec(String(rl.value));
	if (!match || match.length < 2) {
		throw new NodeOperationError(
			ctx.node,
			`ERROR: ${prop.displayName} parameter's value is invalid. This is likely because the URL entered is incorrect`,
		);
	}
	return match[1];
}

export function getNodeParameter(
	ctx: Context,
	name: string,
	itemIndex: number,
	fallback?: unknown,
	options?: { extractValue?: boolean },
): NodeParameterValueType | object {
	let value = getPath(ctx.parameters, name);
	if (value === undefined) {
		if (fallback !== undefined) return fallback as NodeParameterValueType;
		throw new NodeOperationError(ctx.node, `Could not get parameter "${name}"`, { itemIndex });
	}
	value = evaluateParameter(value, ctx, itemIndex);
	if (options?.extractValue) value = extractValue(value, name, ctx);
	return value as NodeParameterValueType;
}

export async function getCredentials(
	ctx: Context,
	type: string,
): Promise<ICredentialDataDecryptedObject> {
	const declared = ctx.description.credentials ?? [];
	const decl = declared.find((c) => c.name === type);
	if (!decl) {
		throw new NodeOperationError(
			ctx.node,
			`Node type "${ctx.node.type}" does not have any credentials of type "${type}" defined`,
			{
				level: 'warning',
			},
		);
	}
	if (
		!NodeHelpers.displayParameter(ctx.parameters, decl, ctx.node, ctx.description, ctx.parameters)
	) {
		throw new NodeOperationError(
			ctx.node,
			`Credentials of type "${type}" are not shown for the node's current parameters`,
		);
	}
	const raw = ctx.store[type];
	if (!raw) {
		throw new NodeOperationError(
			ctx.node,
			`Node "${ctx.node.name}" does not have any credentials of type "${type}" set`,
			{
				level: 'warning',
			},
		);
	}
	return ctx.registry.resolve(type, raw);
}

function authContext(ctx: Context): AuthContext {
	return {
		node: ctx.node,
		registry: ctx.registry,
		store: ctx.store,
		events: ctx.events,
		getCredentials: async (t) => await getCredentials(ctx, t),
	};
}

export function logger(ctx: Context) {
	const log = (level: string) => (message: string) => ctx.logs.push({ level, message });
	return {
		debug: log('debug'),
		info: log('info'),
		warn: log('warn'),
		error: log('error'),
		verbose: log('verbose'),
	};
}

export function requestHelpers(ctx: Context) {
	return {
		httpRequest: async (o: IHttpRequestOptions) => await n8nHttpRequest(o),
		httpRequestWithAuthentication: async (
			type: string,
			o: IHttpRequestOptions,
			add?: IAdditionalCredentialOptions,
		) => await httpRequestWithAuthentication(authContext(ctx), type, o, add, ctx.abort.signal),
	};
}

function executeFunctions(ctx: Context, continueOnFail: boolean): IExecuteFunctions {
	const helpers = {
		...requestHelpers(ctx),
		returnJsonArray: (data: IDataObject | IDataObject[]): INodeExecutionData[] =>
			(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		constructExecutionMetaData: (
			inputData: INodeExecutionData[],
			options: { itemData: IPairedItemData | IPairedItemData[] },
		): INodeExecutionData[] => inputData.map((d) => ({ ...d, pairedItem: options.itemData })),
		prepareBinaryData: async (data: Buffer | Readable, filePath?: string, mimeType?: string) =>
			await prepareBinaryData(data, filePath, mimeType),
		getBinaryStream: async (id: string, chunkSize?: number) => await getBinaryStream(id, chunkSize),
		binaryToBuffer: async (b: Buffer | Readable) => await binaryToBuffer(b),
		binaryToString: async (b: Buffer | Readable, enc: BufferEncoding = 'utf8') =>
			(await binaryToBuffer(b)).toString(enc),
		assertBinaryData: (itemIndex: number, prop: string): IBinaryData => {
			const b = ctx.items[itemIndex]?.binary?.[prop];
			if (!b)
				throw new NodeOperationError(
					ctx.node,
					`No binary data property "${prop}" exists on item!`,
					{ itemIndex },
				);
			return b;
		},
		getBinaryDataBuffer: async (itemIndex: number, prop: string): Promise<Buffer> => {
			const b = ctx.items[itemIndex]?.binary?.[prop];
			if (!b)
				throw new NodeOperationError(
					ctx.node,
					`No binary data property "${prop}" exists on item!`,
					{ itemIndex },
				);
			return await readBinary(b);
		},
		normalizeItems: (items: INodeExecutionData | INodeExecutionData[]) =>
			Array.isArray(items) ? items : [items],
	};
	const fns = {
		getNodeParameter: (
			name: string,
			itemIndex: number,
			fallback?: unknown,
			options?: { extractValue?: boolean },
		) => getNodeParameter(ctx, name, itemIndex, fallback, options),
		getInputData: () => ctx.items,
		getNode: () => ctx.node,
		getCredentials: async (type: string) => await getCredentials(ctx, type),
		continueOnFail: () => continueOnFail,
		getMode: () => 'manual',
		getTimezone: () => 'UTC',
		getInstanceId: () => 'harness-instance',
		getWorkflow: () => ({ id: 'harness-workflow', name: 'Harness workflow', active: false }),
		getExecutionId: () => 'harness-execution',
		getExecutionCancelSignal: () => ctx.abort.signal,
		onExecutionCancellation: (handler: () => unknown) =>
			ctx.abort.signal.addEventListener('abort', () => handler()),
		sendMessageToUI: () => {},
		logger: logger(ctx),
		helpers,
	};
	return fns as unknown as IExecuteFunctions;
}

/** Runs the node's real `execute` like n8n runs it for one node. */
export async function runNode(NodeType: NodeClass, opts: HarnessOptions): Promise<HarnessResult> {
	const { ctx, nodeType } = makeContext(NodeType, opts);
	if (typeof nodeType.execute !== 'function')
		throw new Error(`${ctx.description.name} has no execute method`);
	const fns = executeFunctions(ctx, opts.continueOnFail ?? false);
	const output = (await nodeType.execute.call(fns)) as INodeExecutionData[][];
	return { output, credentialsStore: ctx.store, authEvents: ctx.events, logs: ctx.logs };
}

function loadOptionsFunctions(ctx: Context): ILoadOptionsFunctions {
	const fns = {
		getNodeParameter: (name: string, fallback?: unknown, options?: { extractValue?: boolean }) =>
			getNodeParameter(ctx, name, 0, fallback, options),
		getCurrentNodeParameter: (name: string, options?: { extractValue?: boolean }) => {
			const v = getPath(ctx.parameters, name);
			return options?.extractValue ? extractValue(v, name, ctx) : v;
		},
		getCurrentNodeParameters: () => ctx.parameters,
		getNode: () => ctx.node,
		getCredentials: async (type: string) => await getCredentials(ctx, type),
		getTimezone: () => 'UTC',
		getInstanceId: () => 'harness-instance',
		logger: logger(ctx),
		helpers: requestHelpers(ctx),
	};
	return fns as unknown as ILoadOptionsFunctions;
}

export interface PollOptions extends Omit<HarnessOptions, 'items' | 'continueOnFail'> {
	/**
	 * The node's workflow static data (`getWorkflowStaticData('node')`): the object the node
	 * mutates, as n8n keeps it between polls of an active workflow. Pass the same object to the
	 * next poll; default: a new empty object.
	 */
	staticData?: IDataObject;
	/** 'trigger' (an active workflow's poll, default) or 'manual' ("Fetch Test Event") */
	mode?: 'trigger' | 'manual';
	/** n8n's activation mode ('init', 'activate', 'update', 'manual'); default 'activate' */
	activationMode?: string;
}

export interface PollResult {
	/** what `poll` returned: null means "nothing new" (n8n starts no execution) */
	output: INodeExecutionData[][] | null;
	staticData: IDataObject;
	logs: Array<{ level: string; message: string }>;
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
}

function pollFunctions(ctx: Context, opts: PollOptions, staticData: IDataObject): IPollFunctions {
	const fns = {
		getNodeParameter: (name: string, fallback?: unknown, options?: { extractValue?: boolean }) =>
			getNodeParameter(ctx, name, 0, fallback, options),
		getNode: () => ctx.node,
		getCredentials: async (type: string) => await getCredentials(ctx, type),
		getMode: () => opts.mode ?? 'trigger',
		getActivationMode: () => opts.activationMode ?? 'activate',
		getWorkflowStaticData: (type: string) => {
			if (type !== 'node') throw new Error(`harness: static data "${type}" is not supported`);
			return staticData;
		},
		getTimezone: () => 'UTC',
		getInstanceId: () => 'harness-instance',
		getWorkflow: () => ({ id: 'harness-workflow', name: 'Harness workflow', active: true }),
		getExecutionCancelSignal: () => ctx.abort.signal,
		logger: logger(ctx),
		helpers: {
			...requestHelpers(ctx),
			returnJsonArray: (data: IDataObject | IDataObject[]): INodeExecutionData[] =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
		__emit: () => {
			throw new Error('harness: a polling node returns its items, it does not emit them');
		},
	};
	return fns as unknown as IPollFunctions;
}

/**
 * Runs the node's real `poll` once, like n8n's poller (mode 'trigger') or "Fetch Test Event"
 * (mode 'manual'). The static data object is mutated by the node and returned.
 */
export async function runPoll(NodeType: NodeClass, opts: PollOptions): Promise<PollResult> {
	const { ctx, nodeType } = makeContext(NodeType, opts);
	if (typeof nodeType.poll !== 'function')
		throw new Error(`${ctx.description.name} has no poll method`);
	const staticData = opts.staticData ?? {};
	const output = await nodeType.poll.call(pollFunctions(ctx, opts, staticData));
	return { output, staticData, logs: ctx.logs, credentialsStore: ctx.store };
}

/** Calls `methods.loadOptions[methodName]` (a dropdown) like the editor does. */
export async function loadOptions(
	NodeType: NodeClass,
	methodName: string,
	opts: Omit<HarnessOptions, 'items' | 'continueOnFail'>,
): Promise<INodePropertyOptions[]> {
	const { ctx, nodeType } = makeContext(NodeType, opts);
	const fn = nodeType.methods?.loadOptions?.[methodName];
	if (!fn) throw new Error(`${ctx.description.name} has no loadOptions method "${methodName}"`);
	return await fn.call(loadOptionsFunctions(ctx));
}

/** Calls `methods.listSearch[methodName]` (resource locator "From list") like the editor does. */
export async function listSearch(
	NodeType: NodeClass,
	methodName: string,
	opts: Omit<HarnessOptions, 'items' | 'continueOnFail'> & {
		filter?: string;
		paginationToken?: string;
	},
): Promise<INodeListSearchResult> {
	const { ctx, nodeType } = makeContext(NodeType, opts);
	const fn = nodeType.methods?.listSearch?.[methodName];
	if (!fn) throw new Error(`${ctx.description.name} has no listSearch method "${methodName}"`);
	return await fn.call(loadOptionsFunctions(ctx), opts.filter, opts.paginationToken);
}

/** The credential data a node would see (defaults + resolved expressions), for assertions. */
export function resolvedCredentials(
	type: string,
	raw: ICredentialDataDecryptedObject,
	extraTypes: ICredentialType[] = [],
): ICredentialDataDecryptedObject {
	return new CredentialRegistry(extraTypes).resolve(type, raw);
}

export { resolveExpression };
