import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
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
	type FormResponse,
} from '../nodes/shared/credentials-util';
import { TokenRequestError } from '../nodes/shared/token-failures';

/**
 * 1upHealth: an app-driven flow, no browser consent. The app creates (or looks up) its user in
 * 1upHealth's user management, gets an authorization code for that user, and exchanges it at
 * <Auth Host>/oauth2/token with the client id and secret in the form body. Access tokens last
 * 7200 s; every refresh returns a NEW refresh token and the used one stops working, so the
 * rotated token is stored. When a refresh is refused (or there is no refresh token), a fresh
 * code is obtained from user management instead.
 */
export class OneUpHealthApi implements ICredentialType {
	name = 'oneUpHealthApi';

	displayName = '1upHealth API';

	documentationUrl = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#1uphealth';

	icon = { light: 'file:icons/oneup.svg', dark: 'file:icons/oneup.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'hidden',
			typeOptions: { password: true },
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
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'From your application in the 1upHealth developer console',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'App User ID',
			name: 'appUserId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'patient-42',
			description:
				"Your application's own id for the user whose data this credential reads (1upHealth's app_user_id)",
		},
		{
			displayName: 'Create User If Missing',
			name: 'createUserIfMissing',
			type: 'boolean',
			default: true,
			description:
				'Whether to create the user in 1upHealth when no user with this App User ID exists yet',
		},
		{
			displayName: 'FHIR Version',
			name: 'fhirVersion',
			type: 'options',
			options: [
				{ name: 'R4', value: 'r4' },
				{ name: 'STU3', value: 'stu3' },
				{ name: 'DSTU2', value: 'dstu2' },
			],
			default: 'r4',
			description: 'FHIR version of the API paths (<API Host>/r4/…, /stu3/…, /dstu2/…)',
		},
		{
			displayName: 'Auth Host',
			name: 'authHost',
			type: 'string',
			default: 'https://auth.1up.health',
			required: true,
			description: 'Token URL = <Auth Host>/oauth2/token. Change it only for a test server.',
		},
		{
			displayName: 'API Host',
			name: 'apiHost',
			type: 'string',
			default: 'https://api.1up.health',
			required: true,
			description: 'User management (<API Host>/user-management/v1/…) and FHIR (<API Host>/r4/…)',
		},
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		return await withoutSecrets(
			credentials,
			async () => await oneUpAuthenticate(this, credentials),
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

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{String($credentials.apiHost).replace(/\\/+$/, "")}}',
			url: '={{"/" + $credentials.fhirVersion + "/Patient"}}',
			qs: { _count: 1 },
		},
	};
}

/** where the token and user management requests go (a redirect names the field to check) */
const AUTH_HOST = { field: 'Auth Host' };
const USER_MANAGEMENT = { endpoint: '1upHealth user management', field: 'API Host' };

function text(v: unknown): string {
	return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

/** Whole 1upHealth chain: refresh (rotating) → else auth code (create user) → code exchange. */
export async function oneUpAuthenticate(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
	const authHost = checkBaseUrl(credentials.authHost, 'Auth Host');
	const apiHost = checkBaseUrl(credentials.apiHost, 'API Host');
	const clientId = text(credentials.clientId);
	const clientSecret = text(credentials.clientSecret);
	const appUserId = text(credentials.appUserId);
	if (!clientId)
		throw new CredentialFieldError(
			'Client ID',
			'Client ID is empty. Copy it from your 1upHealth developer console.',
		);
	if (!clientSecret)
		throw new CredentialFieldError(
			'Client Secret',
			'Client Secret is empty. Copy it from your 1upHealth developer console.',
		);
	if (!appUserId)
		throw new CredentialFieldError(
			'App User ID',
			"App User ID is empty. Enter your application's id for the user.",
		);
	const tokenUrl = `${authHost}/oauth2/token`;
	const client = { client_id: clientId, client_secret: clientSecret };

	const refreshToken = text(credentials.refreshToken);
	if (refreshToken) {
		const r = await postForm(
			helper,
			tokenUrl,
			{ grant_type: 'refresh_token', refresh_token: refreshToken, ...client },
			{},
			AUTH_HOST,
		);
		if (r.status === 200 && typeof r.body.access_token === 'string')
			return tokensFrom(r.body, refreshToken);
		if (r.status === 401 || r.body.error === 'invalid_client') throw clientRefused(tokenUrl, r);
		if (r.status >= 500 || r.status === 429 || r.status === 0) {
			throw new Error(
				`1upHealth token refresh at ${safeUrl(tokenUrl)} failed (HTTP ${r.status}: ${tokenErrorMessage(r.body)}). Try again later.`,
			);
		}
		// refused (used or revoked refresh token): fall back to a fresh authorization code
	}

	const code = await authorizationCode(
		helper,
		apiHost,
		appUserId,
		client,
		credentials.createUserIfMissing !== false,
	);
	const t = await postForm(
		helper,
		tokenUrl,
		{ grant_type: 'authorization_code', code, ...client },
		{},
		AUTH_HOST,
	);
	if (t.status === 200 && typeof t.body.access_token === 'string') return tokensFrom(t.body, '');
	if (t.status === 401 || t.body.error === 'invalid_client') throw clientRefused(tokenUrl, t);
	throw new Error(
		`1upHealth refused the code exchange at ${safeUrl(tokenUrl)} (HTTP ${t.status}: ${tokenErrorMessage(t.body)}). Check the credential's Client ID, Client Secret and App User ID, then reconnect the credential (save it again).`,
	);
}

function tokensFrom(body: IDataObject, previousRefresh: string): IDataObject {
	const expiresIn = Number(body.expires_in);
	return {
		accessToken: String(body.access_token),
		// 1upHealth rotates refresh tokens: keep the new one; the used one no longer works
		refreshToken:
			typeof body.refresh_token === 'string' && body.refresh_token
				? body.refresh_token
				: previousRefresh,
		expiresAt:
			Math.floor(Date.now() / 1000) +
			(Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 7200),
	};
}

function clientRefused(url: string, r: FormResponse): Error {
	return new TokenRequestError(
		`1upHealth refused the client credentials at ${safeUrl(url)} (HTTP ${r.status}: ${tokenErrorMessage(r.body)}).`,
		'Check Client ID and Client Secret in the credential.',
		r.status,
		typeof r.body.error === 'string' ? r.body.error : undefined,
	);
}

function looksMissing(r: FormResponse): boolean {
	const msg = tokenErrorMessage(r.body).toLowerCase();
	return r.status === 404 || /not (exist|found)|no such user|unknown user|does not exist/.test(msg);
}

async function authorizationCode(
	helper: IHttpRequestHelper,
	apiHost: string,
	appUserId: string,
	client: { client_id: string; client_secret: string },
	createIfMissing: boolean,
): Promise<string> {
	const base = `${apiHost}/user-management/v1`;
	// Older 1upHealth docs send the client id/secret as form fields, newer ones as headers: send both.
	const ask = async () =>
		await postForm(
			helper,
			`${base}/user/auth-code`,
			{ app_user_id: appUserId, ...client },
			client,
			USER_MANAGEMENT,
		);
	let r = await ask();
	if (r.status === 200 && r.body.success !== false && typeof r.body.code === 'string')
		return r.body.code;
	if (r.status === 401 || r.status === 403) throw clientRefused(`${base}/user/auth-code`, r);
	if (!looksMissing(r)) {
		throw new Error(
			`1upHealth user management (auth-code) failed (HTTP ${r.status}: ${tokenErrorMessage(r.body)}). Try again later or check the API Host.`,
		);
	}
	if (!createIfMissing) {
		throw new CredentialFieldError(
			'App User ID',
			`1upHealth has no user with App User ID "${appUserId}" for this client. Turn on "Create User If Missing" or create the user first.`,
		);
	}
	const created = await postForm(
		helper,
		`${base}/user`,
		{ app_user_id: appUserId, ...client },
		client,
		USER_MANAGEMENT,
	);
	if (
		created.status === 200 &&
		created.body.success !== false &&
		typeof created.body.code === 'string'
	)
		return created.body.code;
	if (/exist/i.test(tokenErrorMessage(created.body))) {
		// created meanwhile by a parallel run: ask for a code again
		r = await ask();
		if (r.status === 200 && typeof r.body.code === 'string') return r.body.code;
	}
	if (created.status === 401 || created.status === 403)
		throw clientRefused(`${base}/user`, created);
	throw new Error(
		`1upHealth could not create the user "${appUserId}" (HTTP ${created.status}: ${tokenErrorMessage(created.body)}).`,
	);
}
