// The editor's "Test" button of a credential, as n8n 2.41's CredentialsTester runs it
// (packages/cli/src/services/credentials-tester.service.ts): the credential type's `test` request
// when it has one (through httpRequestWithAuthentication, so preAuthentication runs only when the
// expirable field is empty or after a 401), else the `methods.credentialTest` function a node
// names in `testedBy`, called with a CredentialTestContext whose only helper is the legacy
// `request` (@n8n/backend-network legacy-request.js semantics, condensed).
import axios, { type AxiosRequestConfig } from 'axios';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunction,
	ICredentialTestFunctions,
	IHttpRequestOptions,
	INode,
	INodeCredentialTestResult,
	INodeType,
} from 'n8n-workflow';
import { CredentialRegistry, resolveExpression } from './credentials';
import { httpRequestWithAuthentication } from './http';

const NODE = {
	id: 'temp',
	name: 'Temp-Node',
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
} as INode;

interface LegacyOptions {
	method?: string;
	uri: string;
	qs?: Record<string, unknown>;
	headers?: Record<string, string>;
	body?: unknown;
	json?: boolean;
	resolveWithFullResponse?: boolean;
	simple?: boolean;
	followRedirect?: boolean;
	followAllRedirects?: boolean;
	timeout?: number;
}

/** CredentialTestContext.helpers.request */
export async function legacyRequest(o: LegacyOptions): Promise<unknown> {
	const headers: Record<string, string> = { ...(o.headers ?? {}) };
	const ct = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
	const method = (o.method ?? 'GET').toUpperCase();
	const cfg: AxiosRequestConfig = {
		url: o.uri,
		method,
		params: o.qs,
		headers,
		timeout: o.timeout,
		proxy: false,
	};
	if (o.body !== undefined) {
		cfg.data =
			ct === 'application/x-www-form-urlencoded' && typeof o.body === 'object'
				? new URLSearchParams(o.body as Record<string, string>).toString()
				: o.body;
	}
	if (o.json === true && !Object.keys(headers).some((k) => k.toLowerCase() === 'accept'))
		headers.Accept = 'application/json';
	if (o.json !== true) cfg.transformResponse = (r: unknown) => r;
	cfg.maxRedirects =
		(o.followRedirect !== false && (method === 'GET' || method === 'HEAD')) || o.followAllRedirects
			? 5
			: 0;
	if (o.simple === false) cfg.validateStatus = () => true;
	const r = await axios.request(cfg);
	return o.resolveWithFullResponse
		? { body: r.data, headers: { ...r.headers }, statusCode: r.status, statusMessage: r.statusText }
		: r.data;
}

type NodeClass = new () => INodeType;

/** Runs the credential test of `type` for the stored `data`, as the editor's Test button does. */
export async function testCredential(
	type: string,
	data: ICredentialDataDecryptedObject,
	nodes: NodeClass[],
): Promise<INodeCredentialTestResult> {
	const registry = new CredentialRegistry();
	const credType = registry.get(type);
	if (!credType) throw new Error(`credential type ${type} not found`);
	const resolved = registry.resolve(type, data);
	if (credType.test) {
		const req = credType.test.request;
		const r = (v: unknown) =>
			resolveExpression(v, { ...resolved, $credentials: resolved }) as string;
		const store = { [type]: { ...data } };
		const options: IHttpRequestOptions = {
			method: req.method ?? 'GET',
			url: `${r(req.baseURL ?? '')}${r(req.url ?? '')}`,
			qs: req.qs as IHttpRequestOptions['qs'],
			headers: req.headers as IHttpRequestOptions['headers'],
		};
		try {
			await httpRequestWithAuthentication(
				{
					node: NODE,
					registry,
					store,
					events: [],
					getCredentials: async (t) => registry.resolve(t, store[t] ?? {}),
				},
				type,
				options,
			);
		} catch (error) {
			const response = (error as { cause?: { response?: { status: number; statusText?: string } } })
				.cause?.response;
			if (response)
				return {
					status: 'Error',
					message: response.statusText || `Received HTTP status code: ${response.status}`,
				};
			const code = Number((error as { httpCode?: unknown }).httpCode);
			if (code >= 300) return { status: 'Error', message: `Received HTTP status code: ${code}` };
			return { status: 'Error', message: String((error as Error).message) };
		}
		return { status: 'OK', message: 'Connection successful!' };
	}
	for (const NodeType of nodes) {
		const node = new NodeType();
		const decl = node.description.credentials?.find(
			(c) => c.name === type && typeof c.testedBy === 'string',
		);
		const fn = decl
			? (node.methods?.credentialTest?.[decl.testedBy as string] as
					ICredentialTestFunction | undefined)
			: undefined;
		if (!fn) continue;
		const context = {
			helpers: { request: legacyRequest },
			logger: console,
		} as unknown as ICredentialTestFunctions;
		return await fn.call(context, { id: 'cred-1', name: 'Test credential', type, data: resolved });
	}
	return { status: 'Error', message: 'No testing function found for this credential.' };
}
