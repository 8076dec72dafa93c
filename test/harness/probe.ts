// A minimal node and credential types for testing nodes/shared code through the harness:
// `TransportProbe` calls `apiRequest` once per item with the request given as parameters and
// returns `{status, body, url, headers}`; `paginate: true` iterates pages instead.
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IExecuteFunctions,
	IHttpRequestHelper,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { apiRequest, type ApiRequest } from '../../nodes/shared/http';
import { paginate, type PaginateOptions } from '../../nodes/shared/pagination';

export class ProbeBearerApi implements ICredentialType {
	name = 'probeBearerApi';
	displayName = 'Probe Bearer';
	properties = [{ displayName: 'Token', name: 'token', type: 'string' as const, default: '' }];
	authenticate = {
		type: 'generic' as const,
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	};
}

export class ProbeOAuth2Api implements ICredentialType {
	name = 'probeOAuth2Api';
	extends = ['oAuth2Api'];
	displayName = 'Probe OAuth2';
	properties = [
		{ displayName: 'Host', name: 'host', type: 'string' as const, default: '' },
		{
			displayName: 'Grant',
			name: 'grantType',
			type: 'hidden' as const,
			default: 'authorizationCode',
		},
		{
			displayName: 'Token URL',
			name: 'accessTokenUrl',
			type: 'hidden' as const,
			default: '={{$self["host"]}}/t/token',
		},
		{ displayName: 'Auth', name: 'authentication', type: 'hidden' as const, default: 'body' },
	];
}

/** preAuthentication + expirable hidden field, like the 1upHealth / SMART Backend credentials. */
export class ProbeExpiringApi implements ICredentialType {
	name = 'probeExpiringApi';
	displayName = 'Probe Expiring';
	properties = [
		{ displayName: 'Host', name: 'host', type: 'string' as const, default: '' },
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden' as const,
			typeOptions: { expirable: true },
			default: '',
		},
		{ displayName: 'Expires At', name: 'expiresAt', type: 'hidden' as const, default: '' },
	];
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const res = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.host as string}/t/token`,
			body: new URLSearchParams({ grant_type: 'client_credentials' }),
			json: true,
		})) as { access_token: string; expires_in: number };
		return { accessToken: res.access_token, expiresAt: Date.now() + res.expires_in * 1000 };
	}
	authenticate = {
		type: 'generic' as const,
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};
}

export const PROBE_CREDENTIAL_TYPES: ICredentialType[] = [
	new ProbeBearerApi(),
	new ProbeOAuth2Api(),
	new ProbeExpiringApi(),
];

export class TransportProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Transport Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'probeBearerApi', displayOptions: { show: { authentication: ['probeBearerApi'] } } },
			{ name: 'probeOAuth2Api', displayOptions: { show: { authentication: ['probeOAuth2Api'] } } },
			{
				name: 'probeExpiringApi',
				displayOptions: { show: { authentication: ['probeExpiringApi'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Bearer', value: 'probeBearerApi' },
					{ name: 'OAuth2', value: 'probeOAuth2Api' },
					{ name: 'Expiring', value: 'probeExpiringApi' },
				],
				default: 'probeBearerApi',
			},
			{ displayName: 'Request', name: 'request', type: 'json', default: '{}' },
			{ displayName: 'Paginate', name: 'paginate', type: 'boolean', default: false },
			{ displayName: 'Paginate Options', name: 'paginateOptions', type: 'json', default: '{}' },
		],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const auth = this.getNodeParameter('authentication', i) as string;
			const raw = this.getNodeParameter('request', i) as string | ApiRequest;
			const req = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ApiRequest;
			try {
				if (this.getNodeParameter('paginate', i) as boolean) {
					const rawOpts = this.getNodeParameter('paginateOptions', i) as string | PaginateOptions;
					const opts = (
						typeof rawOpts === 'string' ? JSON.parse(rawOpts) : rawOpts
					) as PaginateOptions;
					const pages: unknown[] = [];
					for await (const page of paginate(this, auth, req, opts)) {
						pages.push({ url: page.url, entries: page.entries });
					}
					out.push({ json: { pages } as never, pairedItem: { item: i } });
				} else {
					const res = await apiRequest.call(this, auth, req);
					let body = res.body;
					if (req.stream) {
						const chunks: Buffer[] = [];
						for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
						body = Buffer.concat(chunks).toString('utf8');
					}
					out.push({
						json: { status: res.status, body, url: res.url, headers: res.headers } as never,
						pairedItem: { item: i },
					});
				}
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}
