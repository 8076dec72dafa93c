// The credential test of SMART Backend Services (the editor's Test button), run by n8n through a
// node's `methods.credentialTest` (`testedBy`): it signs a fresh assertion and gets a new token
// every time (a stored token proves nothing), then reads `GET <FHIR Base URL>/metadata` with it
// when the server has one. It reads no resource: a bulk-only server, or a token with only the
// Bulk Data scopes, may refuse `Patient` reads and still be a working credential.
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { backendServicesToken } from '../../credentials/SmartBackendServicesApi.credentials';
import { safeUrl, withoutSecrets } from './credentials-util';
import { redact } from './errors';

export const SMART_BACKEND_SERVICES_TEST = 'smartBackendServicesApiTest';

/** `httpRequest` on top of the credential test's only helper, the legacy `request`. */
function requestHelper(fn: ICredentialTestFunctions): IHttpRequestHelper {
	const httpRequest = async (o: IHttpRequestOptions) =>
		(await fn.helpers.request({
			method: o.method ?? 'GET',
			uri: o.url,
			qs: o.qs,
			headers: o.headers,
			body: o.body,
			json: o.json === true,
			resolveWithFullResponse: o.returnFullResponse === true,
			simple: !o.ignoreHttpStatusErrors,
			followRedirect: o.disableFollowRedirect !== true,
			followAllRedirects: false,
			timeout: o.timeout,
		})) as unknown;
	return { helpers: { httpRequest } } as unknown as IHttpRequestHelper;
}

export async function smartBackendServicesApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as ICredentialDataDecryptedObject;
	const helper = requestHelper(this);
	let token: string;
	let expiresIn: number;
	try {
		const out = await withoutSecrets(data, async () => await backendServicesToken(helper, data));
		token = String(out.accessToken);
		expiresIn = Math.max(0, Number(out.expiresAt) - Math.floor(Date.now() / 1000));
	} catch (e) {
		return { status: 'Error', message: (e as Error).message };
	}
	const got = `The server issued an access token (valid ${expiresIn} s)`;
	const metadata = `${String(data.fhirBaseUrl).trim().replace(/\/+$/, '')}/metadata`;
	let res: { statusCode?: number };
	try {
		res = (await helper.helpers.httpRequest({
			method: 'GET',
			url: metadata,
			headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${token}` },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
		})) as { statusCode?: number };
	} catch (e) {
		const reason = redact(
			(e as { code?: string }).code ?? (e as Error).message ?? 'network error',
			[token],
		);
		return {
			status: 'Error',
			message: `${got}, but ${safeUrl(metadata)} could not be reached (${reason}). Check the FHIR Base URL.`,
		};
	}
	const status = Number(res.statusCode);
	if (status >= 200 && status < 300)
		return { status: 'OK', message: `${got}, and ${safeUrl(metadata)} answered.` };
	if (status === 401 || status === 403) {
		return {
			status: 'Error',
			message: `${got}, but ${safeUrl(metadata)} refused it (HTTP ${status}). Check that the FHIR Base URL belongs to the server of the Token URL.`,
		};
	}
	// no CapabilityStatement (404, 405, a redirect…): the token is what this test proves
	return {
		status: 'OK',
		message: `${got}. ${safeUrl(metadata)} answered HTTP ${status}, so the FHIR Base URL was not checked.`,
	};
}
