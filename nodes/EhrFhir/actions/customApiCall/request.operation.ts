// Custom API Call: any request on the credential's FHIR server (a path under its FHIR base, or a
// URL on it), with the credential's authentication and the transport's rules. n8n adds this option
// (`__CUSTOM_API_CALL__`) to the Resource list and to every Operation list of a node with such
// credentials; each of them runs this. A POST / PATCH is not repeated
// automatically: a lost answer is "state unknown".
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { hasDotSegment } from '../../../shared/http';
import { isRecord } from '../../../shared/values';
import { parseJson, parseQuery } from '../../helpers/resource';
import { assertUrlOnServer, pathUnderBase } from '../../helpers/url';
import { createOnce, fhirRequest } from '../../helpers/write';
import type { OperationContext } from '../../helpers/context';

/** the option value n8n gives the "Custom API Call" it adds to an Operation dropdown */
export const N8N_CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const WITH_BODY: Method[] = ['POST', 'PUT', 'PATCH'];

function requestProperties(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Method',
			name: 'method',
			type: 'options',
			options: (['DELETE', 'GET', 'PATCH', 'POST', 'PUT'] as Method[]).map((m) => ({
				name: m,
				value: m,
			})),
			default: 'GET',
			description: 'The HTTP method of the request',
			displayOptions: { show },
		},
		{
			displayName: 'Path',
			name: 'path',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Patient/123/$everything',
			description:
				"Relative to the credential's FHIR base URL (e.g. metadata, Patient/123/$everything, Observation?code=1234-5), or a full URL on that FHIR server; anything else is refused before sending",
			displayOptions: { show },
		},
		{
			displayName: 'Query Parameters',
			name: 'queryParameters',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Parameter',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Parameter',
					name: 'parameter',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: 'Body',
			name: 'requestBody',
			type: 'json',
			default: '',
			description:
				'The JSON body (a FHIR resource, a Parameters resource, a JSON Patch list…); empty sends none',
			displayOptions: { show: { ...show, method: WITH_BODY } },
		},
	];
}

export const description: INodeProperties[] = requestProperties({
	operation: [N8N_CUSTOM_API_CALL],
});

function fail(ctx: IExecuteFunctions, itemIndex: number, message: string, description: string) {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/** The path under the FHIR base (with its query string) the Path parameter names, checked. */
function requestPath(this: IExecuteFunctions, itemIndex: number, fhirBaseUrl: string): string {
	const given = String(this.getNodeParameter('path', itemIndex, '') ?? '').trim();
	const base = fhirBaseUrl.replace(/\/+$/, '');
	let url: string;
	if (/^https?:\/\//i.test(given)) {
		assertUrlOnServer(this.getNode(), given, fhirBaseUrl, itemIndex, {
			noun: 'URL',
			tail: /\/.*$/,
			example: `${base}/metadata`,
		});
		url = given;
	} else {
		url = `${base}/${given.replace(/^\/+/, '')}`;
	}
	const [where, query] = [url.replace(/[?#].*$/, ''), /\?([^#]*)/.exec(url)?.[1]];
	const path = where.replace(/\/+$/, '') === base ? '' : pathUnderBase(where, fhirBaseUrl);
	if (path === undefined || hasDotSegment(url)) {
		throw fail(
			this,
			itemIndex,
			`The path "${given.slice(0, 200)}" is not under the credential's FHIR server ${fhirBaseUrl}: nothing was sent`,
			'Give a path relative to the FHIR base URL, such as Patient/123 or metadata, without "." or ".." segments.',
		);
	}
	return `${path}${query ? `?${query}` : ''}`;
}

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const method = this.getNodeParameter('method', itemIndex, 'GET') as Method;
	const path = requestPath.call(this, itemIndex, ctx.profile.fhirBaseUrl);
	const pairs = this.getNodeParameter('queryParameters.parameter', itemIndex, []) as Array<{
		name?: string;
		value?: string;
	}>;
	const qs = parseQuery(
		new URLSearchParams(
			pairs.filter((p) => p.name).map((p): [string, string] => [p.name!, p.value ?? '']),
		).toString(),
	);
	let body: unknown;
	if (WITH_BODY.includes(method)) {
		const raw = this.getNodeParameter('requestBody', itemIndex, '');
		if (typeof raw !== 'string' || raw.trim() !== '')
			body = parseJson(this, itemIndex, raw, 'body');
	}
	const what = `${method} ${path.replace(/\?.*$/, '') || '(FHIR base)'}`;
	const req = {
		method,
		path: [],
		rawPath: `/${path}`,
		qs,
		body,
		headers:
			method === 'PATCH' && Array.isArray(body)
				? { 'Content-Type': 'application/json-patch+json' }
				: undefined,
		what,
		itemIndex,
	};
	const res =
		method === 'POST' || method === 'PATCH'
			? await createOnce.call(
					this,
					ctx,
					req,
					`the ${method} may or may not have taken effect on the server`,
				)
			: await fhirRequest.call(this, ctx, req);
	const json: IDataObject = isRecord(res.body)
		? (res.body as IDataObject)
		: { statusCode: res.status, body: (res.body ?? null) as IDataObject };
	return [{ json, pairedItem: { item: itemIndex } }];
}
