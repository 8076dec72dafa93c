// MyPatientPortal's use of the shared transport: the portal API base URL from the credential,
// the `{data: ...}` envelope, and the classification of failures that the writes need
// (an answer from the portal vs. no answer at all).
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
} from 'n8n-workflow';
import {
	apiRequest,
	encodePathSegment,
	type ApiRequest,
	type ApiResponse,
} from '../../shared/http';
import { ExecutionMemo } from '../../shared/execution-memo';
import { credentialBaseUrl } from '../../shared/vendors';

export const CREDENTIAL_TYPE = 'myPatientPortalOAuth2Api';
/** the portal API lives under this path of the practice's portal URL */
export const API_PATH = '/api/portal/v1';

export type Ctx = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/**
 * The API base, per execution (execution-memo.ts: nothing outlives or is shared between
 * executions): the credential is read once per execution, not once per request.
 */
const apiBases = new ExecutionMemo<string>();

export async function portalApiBase(this: Ctx): Promise<string> {
	const known = apiBases.get(this, CREDENTIAL_TYPE);
	if (known !== undefined) return known;
	let creds;
	try {
		creds = await this.getCredentials(CREDENTIAL_TYPE);
	} catch (error) {
		// a dropdown loaded before a credential is chosen: say what to do, not n8n's internals
		const chosen = !/does not have any credentials set/i.test((error as Error).message ?? '');
		throw new NodeOperationError(
			this.getNode(),
			chosen
				? (error as Error)
				: 'No MyPatientPortal credential is chosen yet: pick one in Credential above, then open the list again',
		);
	}
	const portalUrl = credentialBaseUrl(
		creds.portalUrl,
		'Portal URL',
		CREDENTIAL_TYPE,
		this.getNode(),
	);
	// accept a portal URL that already ends with the API path
	const base = portalUrl.endsWith(API_PATH) ? portalUrl : portalUrl + API_PATH;
	apiBases.set(this, CREDENTIAL_TYPE, base);
	return base;
}

export interface MppRequest extends Omit<ApiRequest, 'url'> {
	/** path segments under the API base, each encoded */
	segments: Array<string | number>;
}

export async function mppRequest<T = unknown>(this: Ctx, req: MppRequest): Promise<ApiResponse<T>> {
	const base = await portalApiBase.call(this);
	const { segments, ...rest } = req;
	const url = `${base}/${segments.map((s) => encodePathSegment(String(s))).join('/')}`;
	return (await apiRequest.call(this, CREDENTIAL_TYPE, { ...rest, url })) as ApiResponse<T>;
}

/** The payload of a portal answer: `{data: X}` → X; a bare object or array as it is. */
export function unwrap<T = unknown>(body: unknown): T {
	if (body && typeof body === 'object' && !Array.isArray(body) && 'data' in (body as IDataObject)) {
		return (body as { data: T }).data;
	}
	return body as T;
}

/** A list from a portal answer, whatever the envelope (`{data: []}`, `[]`, `{results: []}`). */
export function unwrapList(body: unknown): IDataObject[] {
	const inner = unwrap<unknown>(body);
	if (Array.isArray(inner)) return inner as IDataObject[];
	if (inner && typeof inner === 'object') {
		for (const key of ['results', 'items', 'appointments', 'availabilities']) {
			const v = (inner as IDataObject)[key];
			if (Array.isArray(v)) return v as IDataObject[];
		}
	}
	return [];
}

export {
	neverSent,
	operationError,
	statusOfError,
	WRITE_ANSWER_STATUSES,
} from '../../shared/writes';
