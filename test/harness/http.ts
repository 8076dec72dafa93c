// The HTTP half of the harness: n8n-core's `helpers.httpRequest` (IHttpRequestOptions → axios)
// and `helpers.httpRequestWithAuthentication` (OAuth2 signing + refresh on 401, generic
// `authenticate`, `preAuthentication` with an expirable hidden field), reproduced from n8n 2.x
// (packages/core/.../request-helper-functions.ts, request-helpers/oauth.ts, authentication.ts and
// packages/cli/src/credentials-helper.ts). Real HTTP, no mocks.
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { ClientOAuth2, type ClientOAuth2TokenData } from '@n8n/client-oauth2';
import {
	NodeApiError,
	NodeOperationError,
	type IAdditionalCredentialOptions,
	type ICredentialDataDecryptedObject,
	type IHttpRequestOptions,
	type INode,
} from 'n8n-workflow';
import { CredentialRegistry } from './credentials';

// One axios instance with n8n-core's global defaults (request-helpers/axios-config.ts), so the
// harness never changes the process-wide axios other code may use.
const client = axios.create({ timeout: 300000, proxy: false });
client.defaults.headers.post = {};
client.defaults.headers.put = {};
client.defaults.headers.patch = {};
client.interceptors.request.use((config) => {
	if (config.data === undefined) config.headers.setContentType(false, false);
	return config;
});
// n8n uses keep-alive agents per request; a shared keep-alive agent is the closest equivalent.
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

function findHeader(
	headers: Record<string, unknown> | undefined,
	name: string,
): string | undefined {
	if (!headers) return undefined;
	const lower = name.toLowerCase();
	return Object.keys(headers).find((k) => k.toLowerCase() === lower);
}

function isEmptyObject(v: unknown): boolean {
	return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && Object.keys(v).length === 0;
}

/** n8n-core convertN8nRequestToAxios, condensed. */
export function toAxiosConfig(o: IHttpRequestOptions): AxiosRequestConfig {
	const headers: Record<string, unknown> = { ...(o.headers ?? {}) };
	const cfg: AxiosRequestConfig = {
		headers: headers as AxiosRequestConfig['headers'],
		method: o.method ?? 'GET',
		timeout: o.timeout,
		auth: o.auth,
		url: o.url,
		baseURL: o.baseURL,
		params: o.qs,
		maxBodyLength: Infinity,
		maxContentLength: Infinity,
		httpAgent,
		httpsAgent,
	};
	if (o.abortSignal) cfg.signal = o.abortSignal as AbortSignal;
	if (o.disableFollowRedirect === true) cfg.maxRedirects = 0;
	if (o.encoding !== undefined) cfg.responseType = o.encoding as AxiosRequestConfig['responseType'];
	if (o.arrayFormat !== undefined) {
		const fmt = o.arrayFormat;
		cfg.paramsSerializer = { serialize: (p: Record<string, unknown>) => serializeQs(p, fmt) };
	} else {
		cfg.paramsSerializer = { serialize: (p: Record<string, unknown>) => serializeQs(p, 'indices') };
	}
	const body = o.body;
	if (body) {
		const ctKey = findHeader(headers, 'content-type');
		if (ctKey === undefined) {
			if (body instanceof URLSearchParams)
				headers['Content-Type'] = 'application/x-www-form-urlencoded';
		} else if (
			headers[ctKey] === 'application/x-www-form-urlencoded' &&
			!(body instanceof URLSearchParams)
		) {
			cfg.data = new URLSearchParams(body as Record<string, string>);
		}
		if (
			cfg.data === undefined &&
			(typeof body === 'string' || (typeof body === 'object' && !isEmptyObject(body)))
		) {
			cfg.data = body;
		}
	}
	if (o.json && !findHeader(headers, 'accept')) headers.Accept = 'application/json';
	if (!findHeader(headers, 'user-agent')) headers['User-Agent'] = 'n8n';
	const ignore = o.ignoreHttpStatusErrors;
	if (ignore) {
		if (typeof ignore === 'object' && ignore.ignore === true) {
			const except = ignore.except ?? [];
			cfg.validateStatus = (s) => !except.includes(s);
		} else {
			cfg.validateStatus = () => true;
		}
	}
	if ((cfg.method ?? 'GET').toUpperCase() === 'GET') delete cfg.data;
	return cfg;
}

function serializeQs(
	params: Record<string, unknown>,
	fmt: 'indices' | 'brackets' | 'repeat' | 'comma',
): string {
	const out = new URLSearchParams();
	const add = (key: string, value: unknown) => {
		if (value === undefined) return;
		if (Array.isArray(value)) {
			if (fmt === 'comma') return out.append(key, value.join(','));
			value.forEach((v, i) =>
				add(fmt === 'indices' ? `${key}[${i}]` : fmt === 'brackets' ? `${key}[]` : key, v),
			);
		} else if (value !== null && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
		} else {
			out.append(key, value === null ? '' : String(value));
		}
	};
	if (params instanceof URLSearchParams) return params.toString();
	for (const [k, v] of Object.entries(params ?? {})) add(k, v);
	return out.toString();
}

/** n8n-core `httpRequest`: returns the body (or the full response), throws the AxiosError. */
export async function n8nHttpRequest(o: IHttpRequestOptions): Promise<unknown> {
	const options = { ...o };
	const method = options.method ?? 'GET';
	if (
		['GET', 'HEAD'].includes(method) &&
		(options.body === undefined || isEmptyObject(options.body) || options.body === '')
	) {
		delete options.body;
	}
	const result: AxiosResponse = await client.request(toAxiosConfig(options));
	if (options.returnFullResponse) {
		return {
			body: result.data,
			headers: { ...(result.headers as Record<string, unknown>) },
			statusCode: result.status,
			statusMessage: result.statusText,
		};
	}
	return result.data;
}

export interface AuthContext {
	node: INode;
	registry: CredentialRegistry;
	/** mutable store of raw credential data, by type; refreshes are written back here */
	store: Record<string, ICredentialDataDecryptedObject>;
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
	/** log of what the auth layer did (refresh, preAuthentication), for assertions */
	events: string[];
}

/** n8n-core httpRequestWithAuthentication (oAuth2 parent → requestOAuth2; else preAuth + authenticate). */
export async function httpRequestWithAuthentication(
	ctx: AuthContext,
	credentialsType: string,
	requestOptions: IHttpRequestOptions,
	additional?: IAdditionalCredentialOptions,
	abortSignal?: AbortSignal,
): Promise<unknown> {
	let options: IHttpRequestOptions = {
		...requestOptions,
		headers: { ...(requestOptions.headers ?? {}) },
	};
	if (abortSignal) options.abortSignal = abortSignal;
	let decrypted: ICredentialDataDecryptedObject | undefined;
	try {
		if (ctx.registry.isOAuth2(credentialsType)) {
			return await requestOAuth2(ctx, credentialsType, options, additional);
		}
		decrypted = additional?.credentialsDecrypted
			? { ...additional.credentialsDecrypted.data }
			: await ctx.getCredentials(credentialsType);
		const data = await preAuthentication(ctx, decrypted, credentialsType, false);
		if (data) Object.assign(decrypted, data);
		options = await ctx.registry.authenticate(credentialsType, decrypted, options);
		return await n8nHttpRequest(options);
	} catch (error) {
		if (
			error?.response?.status === 401 &&
			decrypted !== undefined &&
			ctx.registry.expirableField(credentialsType)
		) {
			try {
				const data = await preAuthentication(ctx, decrypted, credentialsType, true);
				if (data) Object.assign(decrypted, data);
				options = await ctx.registry.authenticate(credentialsType, decrypted, options);
				return await n8nHttpRequest(options);
			} catch (err2) {
				throw nodeApiError(ctx.node, err2);
			}
		}
		throw nodeApiError(ctx.node, error);
	}
}

/**
 * `new NodeApiError(node, error)`. n8n 2.41's n8n-workflow keeps the wrapped error as `cause`; the
 * one these tests compile against drops an Error cause. The errors of the auth layer itself (a
 * failed preAuthentication, the OAuth2 client's AuthError) are kept, as in 2.41; an AxiosError
 * is not (yet), as before.
 */
function nodeApiError(node: INode, error: unknown): NodeApiError {
	const wrapped = new NodeApiError(node, error as never);
	if (
		wrapped.cause === undefined &&
		error instanceof Error &&
		!(error as { isAxiosError?: boolean }).isAxiosError
	)
		wrapped.cause = error;
	return wrapped;
}

/** credentials-helper.ts preAuthentication: runs when the expirable field is empty or after a 401. */
async function preAuthentication(
	ctx: AuthContext,
	credentials: ICredentialDataDecryptedObject,
	type: string,
	expired: boolean,
): Promise<ICredentialDataDecryptedObject | undefined> {
	const credType = ctx.registry.get(type);
	const field = ctx.registry.expirableField(type);
	if (!field || typeof credType?.preAuthentication !== 'function') return undefined;
	if (!(credentials[field] === '' || expired)) return undefined;
	ctx.events.push(`preAuthentication:${type}:${expired ? 'expired' : 'empty'}`);
	const output = (await credType.preAuthentication.call(
		{ helpers: { httpRequest: async (o: IHttpRequestOptions) => await n8nHttpRequest(o) } },
		credentials,
	)) as ICredentialDataDecryptedObject;
	if (output?.[field] === undefined) return undefined;
	// persist like updateCredentials: onto the raw stored data
	const stored = ctx.store[type] ?? {};
	for (const [k, v] of Object.entries(output)) {
		if (k === field || !(typeof stored[k] === 'string' && (stored[k] as string).startsWith('=')))
			stored[k] = v;
	}
	ctx.store[type] = stored;
	return Object.assign(credentials, output);
}

interface OAuth2Data {
	grantType?: string;
	clientId: string;
	clientSecret?: string;
	accessTokenUrl: string;
	scope?: string;
	authentication?: 'header' | 'body';
	oauthTokenData?: ClientOAuth2TokenData;
	additionalBodyProperties?: string;
}

async function requestOAuth2(
	ctx: AuthContext,
	type: string,
	options: IHttpRequestOptions,
	additional?: IAdditionalCredentialOptions,
): Promise<unknown> {
	const oauth2 = additional?.oauth2;
	const credentials = (await ctx.getCredentials(type)) as unknown as OAuth2Data;
	const grantType = credentials.grantType ?? 'authorizationCode';
	if (grantType === 'authorizationCode' && credentials.oauthTokenData === undefined) {
		throw new NodeOperationError(ctx.node, 'OAuth credentials not connected');
	}
	const scopes = credentials.scope
		?.split(' ')
		.map((s) => s.trim())
		.filter(Boolean);
	const oAuthClient = new ClientOAuth2({
		clientId: credentials.clientId,
		clientSecret: credentials.clientSecret,
		accessTokenUri: credentials.accessTokenUrl,
		scopes: scopes?.length ? scopes : undefined,
		authentication: credentials.authentication ?? 'header',
		...(credentials.additionalBodyProperties
			? {
					additionalBodyProperties: JSON.parse(credentials.additionalBodyProperties) as Record<
						string,
						unknown
					>,
				}
			: {}),
	});
	let tokenData = credentials.oauthTokenData as ClientOAuth2TokenData;
	if (
		grantType === 'clientCredentials' &&
		(!tokenData || Object.keys(tokenData).length === 0 || tokenData.access_token === '')
	) {
		const { data } = await oAuthClient.credentials.getToken();
		tokenData = data;
		saveTokenData(ctx, type, data);
		ctx.events.push(`oauth2:clientCredentials:${type}`);
	}
	const makeToken = (d: ClientOAuth2TokenData) => {
		const accessToken =
			(oauth2?.property ? getPath(d, oauth2.property) : undefined) ?? d.access_token;
		return oAuthClient.createToken(
			{ ...d, access_token: accessToken as string },
			oauth2?.tokenType || d.token_type,
		);
	};
	const sign = (token: ReturnType<typeof makeToken>): IHttpRequestOptions => {
		const signed = token.sign({
			...(options as object),
			headers: { ...(options.headers as object) },
		} as never) as unknown as IHttpRequestOptions;
		const h = (signed.headers = (signed.headers ?? {}) as Record<string, string>) as Record<
			string,
			string
		>;
		if (oauth2?.keepBearer === false && typeof h.Authorization === 'string')
			h.Authorization = h.Authorization.split(' ')[1];
		if (oauth2?.keyToIncludeInAccessTokenHeader)
			h[oauth2.keyToIncludeInAccessTokenHeader] = token.accessToken;
		return signed;
	};
	const token = makeToken(tokenData);
	const expiredCode = oauth2?.tokenExpiredStatusCode ?? 401;
	try {
		return await n8nHttpRequest(sign(token));
	} catch (error) {
		if (error?.response?.status !== expiredCode) throw error;
		ctx.events.push(`oauth2:refresh:${type}`);
		let newToken;
		if (grantType === 'clientCredentials') {
			newToken = await token.client.credentials.getToken();
		} else {
			const refreshOpts: Record<string, unknown> = {};
			if (oauth2?.includeCredentialsOnRefreshOnBody) {
				refreshOpts.body = {
					client_id: credentials.clientId,
					...(grantType === 'authorizationCode' ? { client_secret: credentials.clientSecret } : {}),
				};
				refreshOpts.headers = { Authorization: '' };
			}
			newToken = await token.refresh(refreshOpts as never);
		}
		const merged = { ...token.data, ...newToken.data } as ClientOAuth2TokenData;
		const expiresIn = Number(merged.expires_in);
		if (Number.isFinite(expiresIn) && expiresIn > 0)
			merged.n8n_expires_at = String(Date.now() + expiresIn * 1000);
		saveTokenData(ctx, type, merged);
		return await n8nHttpRequest(sign(makeToken(merged)));
	}
}

function saveTokenData(ctx: AuthContext, type: string, data: ClientOAuth2TokenData): void {
	const stored = ctx.store[type] ?? (ctx.store[type] = {});
	stored.oauthTokenData = data as unknown as ICredentialDataDecryptedObject['oauthTokenData'];
}

function getPath(obj: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
			obj,
		);
}
