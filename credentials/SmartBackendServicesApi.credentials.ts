import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';
import {
	CredentialFieldError,
	checkBaseUrl,
	postForm,
	safeUrl,
	tokenErrorMessage,
	withoutSecrets,
} from '../nodes/shared/credentials-util';
import {
	CLIENT_ASSERTION_TYPE,
	assertKeyMatchesAlgorithm,
	parsePrivateKey,
	signClientAssertion,
} from '../nodes/shared/jwt';
import { TokenRequestError, backendScope, tokenHint } from '../nodes/shared/token-failures';

/**
 * SMART Backend Services (system-to-system, e.g. FHIR Bulk Data): client_credentials with a
 * JWT client assertion signed by the app's private key (RS384 or ES384). Each token request
 * signs a fresh assertion (new jti, exp ≤ 5 minutes). Tokens may live only 60 s and have no
 * refresh token: n8n calls preAuthentication when the token field is empty or after a 401,
 * and the package's transport blanks the field shortly before `expiresAt` to renew early.
 * The Test button runs nodes/shared/backend-services-test.ts (a node's credentialTest): a fresh
 * token, then `<FHIR Base URL>/metadata` if the server has it; no resource is read.
 */
export class SmartBackendServicesApi implements ICredentialType {
	name = 'smartBackendServicesApi';

	displayName = 'SMART Backend Services API';

	documentationUrl = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#smart-backend-services';

	icon = { light: 'file:icons/smart.svg', dark: 'file:icons/smart.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Expires At',
			name: 'expiresAt',
			type: 'hidden',
			default: 0,
			description: 'Epoch seconds when the access token expires',
		},
		{
			displayName: 'FHIR Base URL',
			name: 'fhirBaseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://fhirbackup.emedpractice.com:8443/fhir/r4',
			description:
				'FHIR R4 base of the server (https). For eMedicalPractice: <Server URL>/fhir/r4.',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://fhirbackup.emedpractice.com:8443/connect/token',
			description:
				'Leave empty to read token_endpoint from <FHIR Base URL>/.well-known/smart-configuration. It is also the aud of every client assertion.',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'The client ID the server gave your backend app when you registered its JWKS',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 5 },
			default: '',
			required: true,
			description:
				'The private key whose public half you registered (JWKS) at the server: a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or a private JWK in JSON. Never shared; only used to sign assertions.',
		},
		// a key id (kid) is public: it names the key in the JWKS, it is not the key
		{
			displayName: 'Key ID',
			name: 'keyId',
			type: 'string',
			default: '',
			required: true,
			description: 'The kid of that key in the JWKS you registered',
		},
		{
			displayName: 'Algorithm',
			name: 'algorithm',
			type: 'options',
			options: [
				{ name: 'RS384 (RSA Key)', value: 'RS384' },
				{ name: 'ES384 (EC P-384 Key)', value: 'ES384' },
			],
			default: 'RS384',
			description: 'Signature algorithm of the client assertion; it must fit the key type',
		},
		{
			displayName: 'Scope Preset',
			name: 'scopePreset',
			type: 'options',
			options: [
				{
					name: 'Custom (Scope Below)',
					value: 'custom',
					description: 'The scopes typed in Scope (by default SMART v1 read plus Bulk Data export)',
				},
				{
					name: 'eMedicalPractice Style Bulk Export',
					value: 'bulkExport',
					description: 'System/*.$export system/*.$bulkdata-status system/Binary.read',
				},
				{
					name: 'SMART V1 Read',
					value: 'v1Read',
					description: 'System/*.read',
				},
				{
					name: 'SMART V2 Read',
					value: 'v2Read',
					description: 'System/*.rs',
				},
			],
			default: 'custom',
			description:
				'Which system/ scopes to ask for. Servers differ: some grant only the Bulk Data operations, some only system/*.read (SMART v1) or system/*.rs (SMART v2).',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'system/*.read system/*.$export system/*.$bulkdata-status',
			displayOptions: { show: { scopePreset: ['custom'] } },
			description:
				'Space-separated system/ scopes. The default allows FHIR Bulk Data export; SMART v2 servers may expect system/*.rs.',
		},
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		return await withoutSecrets(
			credentials,
			async () => await backendServicesToken(this, credentials),
		);
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};
}

function text(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

/** Finds the token URL: the field, or token_endpoint of the server's smart-configuration. */
export async function resolveTokenUrl(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	const fhirBase = checkBaseUrl(credentials.fhirBaseUrl, 'FHIR Base URL');
	const configured = text(credentials.tokenUrl);
	if (configured) {
		checkBaseUrl(configured.replace(/\/+$/, ''), 'Token URL');
		return configured;
	}
	const wellKnown = `${fhirBase}/.well-known/smart-configuration`;
	let doc: IDataObject;
	try {
		const res = (await helper.helpers.httpRequest({
			method: 'GET',
			url: wellKnown,
			headers: { Accept: 'application/json' },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		if (res.statusCode !== 200) {
			throw new CredentialFieldError(
				'Token URL',
				`Token URL is empty and ${safeUrl(wellKnown)} answered HTTP ${res.statusCode}. Enter the Token URL, or check the FHIR Base URL.`,
			);
		}
		doc = (typeof res.body === 'string' ? JSON.parse(res.body) : res.body) as IDataObject;
	} catch (e) {
		if (e instanceof CredentialFieldError) throw e;
		throw new CredentialFieldError(
			'Token URL',
			`Token URL is empty and ${safeUrl(wellKnown)} could not be read (${(e as Error).message}). Enter the Token URL.`,
		);
	}
	const endpoint = typeof doc?.token_endpoint === 'string' ? doc.token_endpoint : '';
	if (!endpoint) {
		throw new CredentialFieldError(
			'Token URL',
			`Token URL is empty and ${safeUrl(wellKnown)} has no token_endpoint. Enter the Token URL.`,
		);
	}
	checkBaseUrl(endpoint.replace(/\/+$/, ''), 'Token URL (discovered token_endpoint)');
	return endpoint;
}

/** Validates the fields, signs a fresh assertion and fetches a client-credentials token. */
export async function backendServicesToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
	checkBaseUrl(credentials.fhirBaseUrl, 'FHIR Base URL');
	const clientId = text(credentials.clientId);
	const keyId = text(credentials.keyId);
	const scope = backendScope(credentials);
	if (!clientId)
		throw new CredentialFieldError(
			'Client ID',
			'Client ID is empty. Enter the client ID the server gave your backend app.',
		);
	if (!keyId)
		throw new CredentialFieldError(
			'Key ID',
			'Key ID is empty. Enter the kid of the key you registered in the JWKS.',
		);
	if (!scope)
		throw new CredentialFieldError(
			'Scope',
			'Scope is empty. Enter system/ scopes, e.g. system/*.read system/*.$export, or choose a Scope Preset.',
		);
	const key = parsePrivateKey(credentials.privateKey, 'Private Key');
	const algorithm = assertKeyMatchesAlgorithm(
		key,
		text(credentials.algorithm) || 'RS384',
		'Private Key',
		'Algorithm',
	);
	const tokenUrl = await resolveTokenUrl(helper, credentials);
	const assertion = signClientAssertion({ clientId, tokenUrl, privateKey: key, keyId, algorithm });
	const r = await postForm(
		helper,
		tokenUrl,
		{
			grant_type: 'client_credentials',
			scope,
			client_assertion_type: CLIENT_ASSERTION_TYPE,
			client_assertion: assertion,
		},
		{},
		{ field: 'Token URL' },
	);
	if (r.status === 200 && typeof r.body.access_token === 'string') {
		const expiresIn = Number(r.body.expires_in);
		return {
			accessToken: r.body.access_token,
			expiresAt:
				Math.floor(Date.now() / 1000) +
				(Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 60),
		};
	}
	const code = typeof r.body.error === 'string' ? r.body.error : undefined;
	throw new TokenRequestError(
		`SMART Backend Services token request to ${safeUrl(tokenUrl)} failed (HTTP ${r.status}: ${tokenErrorMessage(r.body)}).`,
		tokenHint('backend', code, r.status, scope),
		r.status,
		code,
	);
}
