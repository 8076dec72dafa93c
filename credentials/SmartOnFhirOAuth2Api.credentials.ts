import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { usePkceProperty } from '../nodes/shared/pkce';

/**
 * Any SMART on FHIR server, standalone user login (authorization code, confidential or PKCE).
 * A confidential client sends PKCE too unless Use PKCE is off: n8n 2.41 adds the S256 challenge
 * and the code_verifier for grantType authorizationCode when the credential's usePkce is true.
 * The authorize and token URLs come from <FHIR Base URL>/.well-known/smart-configuration
 * (authorization_endpoint, token_endpoint). `aud` = the FHIR base URL is sent on authorize.
 */
export class SmartOnFhirOAuth2Api implements ICredentialType {
	name = 'smartOnFhirOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'SMART on FHIR OAuth2 API';

	documentationUrl = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#smart-on-fhir';

	icon = { light: 'file:icons/smart.svg', dark: 'file:icons/smart.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'FHIR Base URL',
			name: 'fhirBaseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://fhir.example.org/r4',
			description:
				'The FHIR R4 base of the server (https). It is also sent as aud on the authorize request.',
		},
		{
			displayName:
				'Open <FHIR Base URL>/.well-known/smart-configuration in a browser and copy authorization_endpoint and token_endpoint into the two fields below',
			name: 'discoveryNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://auth.example.org/authorize',
			description:
				'The authorization_endpoint from <FHIR Base URL>/.well-known/smart-configuration',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://auth.example.org/token',
			description: 'The token_endpoint from <FHIR Base URL>/.well-known/smart-configuration',
		},
		{
			displayName: 'Client Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Confidential (Client Secret)',
					value: 'authorizationCode',
				},
				{
					name: 'Public (PKCE, No Secret)',
					value: 'pkce',
				},
			],
			default: 'authorizationCode',
			description: 'How your app was registered at the server',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			displayOptions: { show: { grantType: ['authorizationCode'] } },
			default: '',
		},
		usePkceProperty(
			'SMART App Launch 2 servers expect PKCE from every app, and a server that lists S256 in code_challenge_methods_supported of <FHIR Base URL>/.well-known/smart-configuration supports it; a server without PKCE ignores it.',
		),
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: 'openid fhirUser offline_access launch/patient patient/*.read',
			description: 'Space-separated SMART scopes. offline_access asks for a refresh token.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			// n8n drops a stored `scope` of non-generic OAuth2 types on connect; derive it instead
			default: '={{$self["scopes"] || ""}}',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '={{"aud=" + String($self["fhirBaseUrl"]).replace(/\\/+$/, "")}}',
		},
		{
			displayName: 'Client Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'HTTP Basic (client_secret_basic)', value: 'header' },
				{ name: 'Form Body (client_secret_post)', value: 'body' },
			],
			displayOptions: { show: { grantType: ['authorizationCode'] } },
			default: 'header',
			description:
				"How the token request sends the client secret; see token_endpoint_auth_methods_supported in the server's smart-configuration",
		},
	];
}
