import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { usePkceProperty } from '../nodes/shared/pkce';

/**
 * eMedicalPractice (an OpenEMR derivative), SMART on FHIR / OIDC user login.
 * Confidential clients authenticate with HTTP Basic only (a secret in the body is refused);
 * public clients send client_id in the body and must use PKCE (S256); confidential ones send
 * PKCE too unless Use PKCE is off (n8n 2.41 reads usePkce for grantType authorizationCode).
 * `aud` = the FHIR base URL is sent on authorize. A refresh token is only issued with offline_access.
 * The password grant is deliberately not offered (off by default at the vendor, discouraged).
 */
export class EMedicalPracticeOAuth2Api implements ICredentialType {
	name = 'eMedicalPracticeOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'eMedicalPractice OAuth2 API';

	documentationUrl = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#emedicalpractice';

	icon = {
		light: 'file:icons/emedicalpractice.svg',
		dark: 'file:icons/emedicalpractice.dark.svg',
	} as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Server URL',
			name: 'serverUrl',
			type: 'string',
			default: 'https://fhirbackup.emedpractice.com:8443',
			required: true,
			description:
				'Your eMedicalPractice site address (SiteAdmin → Fhir Setup → Site Address). Authorize = <Server URL>/connect/authorize, token = <Server URL>/connect/token, FHIR R4 = <Server URL>/fhir/r4.',
		},
		{
			displayName: 'Client Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Confidential (Client Secret, HTTP Basic)',
					value: 'authorizationCode',
					description:
						'Registered as a confidential app: the client secret is sent with HTTP Basic',
				},
				{
					name: 'Public (PKCE, No Secret)',
					value: 'pkce',
					description:
						'Registered as a public app: client_id in the body and a PKCE S256 code verifier',
				},
			],
			default: 'authorizationCode',
			description: 'How your app was registered at eMedicalPractice',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			displayOptions: { show: { grantType: ['authorizationCode'] } },
			default: '',
			description: 'The client secret of a confidential app. Public apps have none.',
		},
		usePkceProperty(
			'eMedicalPractice advertises S256 in code_challenge_methods_supported and encourages confidential apps to use PKCE; SMART App Launch 2 servers expect it.',
		),
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{String($self["serverUrl"]).replace(/\\/+$/, "")}}/connect/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{String($self["serverUrl"]).replace(/\\/+$/, "")}}/connect/token',
		},
		{
			displayName: 'Access',
			name: 'scopePreset',
			type: 'options',
			options: [
				{
					name: 'Patient (Patient/ Scopes, One Patient Chosen at Login)',
					value: 'patient',
				},
				{
					name: 'User (User/ Scopes, What the Logged-in User May See)',
					value: 'user',
				},
				{
					name: 'Staff Scheduling (Standard API Appointments, Patients, Providers, Facilities)',
					value: 'scheduling',
				},
				{
					name: 'Custom Scopes',
					value: 'custom',
				},
			],
			default: 'patient',
			description: 'Which SMART scopes to request',
		},
		{
			displayName: 'SMART Scope Style',
			name: 'smartVersion',
			type: 'options',
			options: [
				{ name: 'SMART v1 (.read)', value: 'v1' },
				{ name: 'SMART v2 (.rs)', value: 'v2' },
			],
			default: 'v1',
			displayOptions: { show: { scopePreset: ['patient', 'user'] } },
			description: 'SMART App Launch 2 servers use .rs instead of .read',
		},
		{
			displayName: 'Offline Access (Refresh Token)',
			name: 'offlineAccess',
			type: 'boolean',
			default: true,
			displayOptions: { show: { scopePreset: ['patient', 'user', 'scheduling'] } },
			description:
				'Whether to request offline_access. eMedicalPractice issues a refresh token only with it; without it the credential must be reconnected when the 1-hour token expires.',
		},
		{
			displayName: 'Custom Scopes',
			name: 'customScopes',
			type: 'string',
			default: 'openid fhirUser offline_access launch/patient patient/*.read',
			displayOptions: { show: { scopePreset: ['custom'] } },
			description: 'Space-separated scopes. Include offline_access to get a refresh token.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default:
				'={{$self["scopePreset"] === "custom" ? ($self["customScopes"] || "") : "openid fhirUser " + ($self["offlineAccess"] ? "offline_access " : "online_access ") + ($self["scopePreset"] === "scheduling" ? "api:oemr user/appointment.read user/appointment.write user/patient.read user/practitioner.read user/facility.read" : ($self["scopePreset"] === "user" ? "api:fhir api:oemr user/*." : "launch/patient patient/*.") + ($self["smartVersion"] === "v2" ? "rs" : "read"))}}',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '={{"aud=" + String($self["serverUrl"]).replace(/\\/+$/, "") + "/fhir/r4"}}',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			// confidential: HTTP Basic only. For PKCE n8n sends client_id in the body (no secret).
			default: 'header',
		},
	];
}
