// Webhook-trigger support of the harness: a node's REAL `webhookMethods` (checkExists, create,
// delete) with an IHookFunctions, and its `webhook()` with an IWebhookFunctions, the way n8n 2.x
// calls them — parameters with the node's defaults, credentials applied like n8n applies them,
// one node static data object shared by every call (n8n keeps it on the workflow and saves it
// after activation; changes webhook() makes are dropped where n8n 2.41 drops them, see receive), `getNodeWebhookUrl` answering the URL the test gives, and an express-like
// response object that records what the node answered when it answers itself
// (`noWebhookResponse`).
import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import {
	getCredentials,
	getNodeParameter,
	logger,
	makeContext,
	requestHelpers,
	type HarnessOptions,
	type NodeClass,
} from './index';

export interface WebhookRequest {
	/** header names in any case (n8n hands them to nodes in lower case) */
	headers?: Record<string, string>;
	/** the parsed body n8n gives `getBodyData()` (default `{}`: an empty body) */
	body?: IDataObject;
	/** the raw body, when the test wants its length to count */
	rawBody?: Buffer;
}

export interface WebhookAnswer {
	/** what webhook() returned */
	result: IWebhookResponseData;
	/** items that would start an execution (undefined: none) */
	items?: INodeExecutionData[];
	/** what the node answered through the response object, if it did */
	response?: { status: number; body: unknown; headers: Record<string, string> };
}

export interface WebhookHarness {
	/** the node's static data (`getWorkflowStaticData('node')`), kept across calls */
	staticData: IDataObject;
	hook(method: 'checkExists' | 'create' | 'delete'): Promise<boolean>;
	receive(req: WebhookRequest): Promise<WebhookAnswer>;
	logs: Array<{ level: string; message: string }>;
}

export function webhookHarness(
	NodeType: NodeClass,
	opts: HarnessOptions & {
		/** what `getNodeWebhookUrl('default')` answers */
		webhookUrl: string;
		staticData?: IDataObject;
		workflow?: { id: string; name: string };
	},
): WebhookHarness {
	const { ctx, nodeType } = makeContext(NodeType, opts);
	const staticData: IDataObject = opts.staticData ?? {};
	const workflow = {
		active: true,
		...(opts.workflow ?? { id: 'harness-workflow', name: 'Harness workflow' }),
	};
	const base = {
		getNodeParameter: (name: string, fallback?: unknown, options?: { extractValue?: boolean }) =>
			getNodeParameter(ctx, name, 0, fallback, options),
		getNode: () => ctx.node,
		getCredentials: async (type: string) => await getCredentials(ctx, type),
		getWorkflowStaticData: (type: string) => {
			if (type !== 'node' && type !== 'global') throw new Error(`static data type ${type}`);
			return staticData;
		},
		getNodeWebhookUrl: (name: string) => (name === 'default' ? opts.webhookUrl : undefined),
		getWebhookName: () => 'default',
		getWebhookDescription: (name: string) => ctx.description.webhooks?.find((w) => w.name === name),
		getWorkflow: () => workflow,
		getMode: () => 'trigger',
		getActivationMode: () => 'activate',
		getTimezone: () => 'UTC',
		getInstanceId: () => 'harness-instance',
		logger: logger(ctx),
	};
	return {
		staticData,
		logs: ctx.logs,
		async hook(method) {
			const fn = nodeType.webhookMethods?.default?.[method];
			if (!fn) throw new Error(`${ctx.description.name} has no webhookMethods.default.${method}`);
			const fns = { ...base, helpers: requestHelpers(ctx) };
			return await fn.call(fns as unknown as IHookFunctions);
		},
		async receive(req) {
			if (typeof nodeType.webhook !== 'function')
				throw new Error(`${ctx.description.name} has no webhook method`);
			const headers = Object.fromEntries(
				Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
			);
			const body = req.body ?? {};
			let response: WebhookAnswer['response'];
			const res = {
				statusCode: 200,
				headers: {} as Record<string, string>,
				status(code: number) {
					this.statusCode = code;
					return this;
				},
				setHeader(k: string, v: string) {
					this.headers[k.toLowerCase()] = v;
					return this;
				},
				json(b: unknown) {
					response = { status: this.statusCode, body: b, headers: this.headers };
					return this;
				},
				send(b: unknown) {
					response = { status: this.statusCode, body: b, headers: this.headers };
					return this;
				},
				end(b?: unknown) {
					response ??= { status: this.statusCode, body: b, headers: this.headers };
					return this;
				},
				writeHead(code: number, h: Record<string, string> = {}) {
					this.statusCode = code;
					Object.assign(this.headers, h);
					return this;
				},
			};
			const request = { headers, body, rawBody: req.rawBody, method: 'POST' };
			const fns = {
				...base,
				getBodyData: () => body,
				getHeaderData: () => headers,
				getQueryData: () => ({}),
				getParamsData: () => ({}),
				getRequestObject: () => request,
				getResponseObject: () => res,
				helpers: {
					...requestHelpers(ctx),
					returnJsonArray: (data: IDataObject | IDataObject[]): INodeExecutionData[] =>
						(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
				},
			};
			const before = structuredClone(staticData);
			const result = await nodeType.webhook.call(fns as unknown as IWebhookFunctions);
			// n8n 2.41 (regular mode) loses what webhook() changed in the static data when it
			// answers the request itself and starts an execution: the execution's copy of the
			// workflow resets the "changed" mark before the save (webhook/live-webhooks.ts +
			// workflow-runner.ts). Saved: when nothing starts, or when the node answered itself.
			if (result.workflowData && !result.noWebhookResponse) {
				for (const k of Object.keys(staticData)) delete staticData[k];
				Object.assign(staticData, before);
			}
			return { result, items: result.workflowData?.[0], response };
		},
	};
}
