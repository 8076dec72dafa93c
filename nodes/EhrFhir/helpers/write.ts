// Sending one FHIR request of a FHIR Resource operation and shaping its answer: the resource the
// server returned (or what its Location / ETag headers say), a 412 turned into a clear error, and
// a plain create whose answer was lost turned into "state unknown".
import {
	NodeApiError,
	type JsonObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { apiRequest, joinUrl, type ApiRequest, type ApiResponse } from '../../shared/http';
import { apiError, vendorMessage } from '../../shared/errors';
import { isRecord } from '../../shared/values';
import { simplifyResource } from '../../shared/fhir-simplify';
import type { OperationContext } from './context';
import { requestLimits } from './limits';

export type FhirRequest = Omit<ApiRequest, 'url'> & {
	what: string;
	itemIndex: number;
	path: string[];
	rawPath?: string;
};

/** The request on the credential's FHIR server (`path` segments encoded; `rawPath` appended as is). */
export async function fhirRequest(
	this: IExecuteFunctions,
	ctx: OperationContext,
	req: FhirRequest,
): Promise<ApiResponse> {
	const { path, rawPath, ...rest } = req;
	const url = `${path.length ? joinUrl(ctx.profile.fhirBaseUrl, ...path) : ctx.profile.fhirBaseUrl}${rawPath ?? ''}`;
	return await apiRequest.call(this, ctx.credentialType, {
		...requestLimits(this, req.itemIndex),
		...rest,
		url,
		headers: {
			Accept: ctx.profile.accept,
			...(req.body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}),
			...(req.headers ?? {}),
		},
	});
}

/** The HTTP status of a NodeApiError of the transport (undefined: no answer arrived). */
function statusOf(error: unknown): number | undefined {
	const code = (error as NodeApiError)?.httpCode;
	return typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : undefined;
}

/**
 * A plain create (POST, not repeated automatically): when no answer arrived (connection lost,
 * timeout, gateway error) the resource may or may not have been created.
 */
export async function createOnce(
	this: IExecuteFunctions,
	ctx: OperationContext,
	req: FhirRequest,
	written = `the ${req.path[0]} may or may not have been created`,
): Promise<ApiResponse> {
	try {
		return await fhirRequest.call(this, ctx, { ...req, retry: false });
	} catch (error) {
		const status = statusOf(error);
		const answered =
			!(error instanceof NodeApiError) ||
			/ was cancelled$/.test(error.message) ||
			(status !== undefined && status !== 502 && status !== 504);
		if (answered)
			throw error instanceof NodeApiError
				? error
				: new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: req.itemIndex });
		const err = apiError(this.getNode(), {
			what: req.what,
			status,
			message: `${req.what}: state unknown — the request was sent but its answer was lost (${error.message}); ${written}`,
			hint: `Check on the server before running this again (it was not repeated automatically, to avoid a duplicate). To make this step safe to repeat, use "Create If None Exists" with a search that identifies the resource (e.g. identifier=…).`,
			itemIndex: req.itemIndex,
		});
		throw err;
	}
}

/** A 412 (the resource changed, or several match a conditional request) as a clear error. */
export function preconditionFailed(
	this: IExecuteFunctions,
	res: ApiResponse,
	what: string,
	reason: string,
	hint: string,
	itemIndex: number,
): NodeApiError {
	const vendor = vendorMessage(res.body);
	return apiError(this.getNode(), {
		what,
		status: res.status,
		message: `${what} failed: ${reason}; nothing was written${vendor ? ` (the server said: ${vendor})` : ''}`,
		hint,
		itemIndex,
	});
}

function header(res: ApiResponse, name: string): string | undefined {
	return res.headers[name] ?? undefined;
}

/** The version in an ETag (`W/"3"` → 3). */
export function versionOfEtag(etag: string | undefined): string | undefined {
	return etag ? etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1') || undefined : undefined;
}

/**
 * The resource a write answered with; when the server answered without a body (Prefer:
 * return=minimal), what its Location and ETag say (`{ resourceType, id, versionId, location }`).
 */
export function writtenResource(res: ApiResponse, type: string): IDataObject {
	if (isRecord(res.body) && res.body.resourceType === type) return res.body;
	const location = header(res, 'location') ?? header(res, 'content-location');
	const m = location
		? /([A-Za-z]+)\/([^/?#]+)(?:\/_history\/([^/?#]+))?\/?(?:[?#].*)?$/.exec(location)
		: null;
	const versionId =
		(m?.[3] ? decodeURIComponent(m[3]) : undefined) ?? versionOfEtag(header(res, 'etag'));
	return {
		resourceType: type,
		...(m ? { id: decodeURIComponent(m[2]) } : {}),
		...(versionId ? { versionId } : {}),
		...(location ? { location } : {}),
	};
}

/** One output item of a resource, simplified when asked. */
export function resourceItem(
	resource: IDataObject,
	itemIndex: number,
	simplify: boolean,
): INodeExecutionData {
	return {
		json: simplify ? simplifyResource(resource) : resource,
		pairedItem: { item: itemIndex },
	};
}

/** Prefer the resource in the answer of a write. */
export const RETURN_REPRESENTATION = { Prefer: 'return=representation' };

/**
 * A write that may be refused with 412 (If-Match of an old version; several matches of a
 * conditional write): sent, the 412 turned into `conflict`, the answer as the output item.
 */
export async function guardedWrite(
	this: IExecuteFunctions,
	ctx: OperationContext,
	type: string,
	req: FhirRequest,
	conflict: { reason: string; hint: string },
): Promise<INodeExecutionData[]> {
	const res = await fhirRequest.call(this, ctx, {
		...req,
		headers: { ...RETURN_REPRESENTATION, ...(req.headers ?? {}) },
		okStatuses: [412],
	});
	if (res.status === 412)
		throw preconditionFailed.call(
			this,
			res,
			req.what,
			conflict.reason,
			conflict.hint,
			req.itemIndex,
		);
	return [
		resourceItem(
			writtenResource(res, type),
			req.itemIndex,
			this.getNodeParameter('simplify', req.itemIndex, false) as boolean,
		),
	];
}
