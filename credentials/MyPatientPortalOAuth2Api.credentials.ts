import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * MyPatientPortal (samedi patient portal): OAuth2 authorization code against the practice's own
 * portal host. Authorize <Portal URL>/oauth/authorize, token <Portal URL>/oauth/token; the
 * token endpoint accepts the client secret with HTTP Basic or in the body.
 */
export class MyPatientPortalOAuth2Api implements ICredentialType {
	name = 'myPatientPortalOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'MyPatientPortal OAuth2 API';

	documentationUrl = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#mypatientportal';

	icon = {
		light: 'file:icons/mypatientportal.svg',
		dark: 'file:icons/mypatientportal.dark.svg',
	} as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Portal URL',
			name: 'portalUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://your-practice.your-patient-portal.com',
			description:
				"The practice's patient portal address (https). Authorize URL = <Portal URL>/oauth/authorize, token URL = <Portal URL>/oauth/token, API = <Portal URL>/api/portal/v1.",
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{String($self["portalUrl"]).replace(/\\/+$/, "")}}/oauth/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{String($self["portalUrl"]).replace(/\\/+$/, "")}}/oauth/token',
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: 'profile_read appointment_read appointment_write',
			description:
				'Space-separated. profile_read (profile), appointment_read (list and view appointments), appointment_write (book, reschedule, cancel, ASAP list).',
		},
		{
			displayName: 'Sign In with OpenID Connect',
			name: 'includeOpenId',
			type: 'boolean',
			default: false,
			description:
				'Whether to add the openid scope, so the portal also returns an ID token and allows its userinfo endpoint',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: '={{($self["includeOpenId"] ? "openid " : "") + ($self["scopes"] || "")}}',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Client Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'HTTP Basic (client_secret_basic)',
					value: 'header',
					description: 'Send the client ID and secret as an HTTP Basic Authorization header',
				},
				{
					name: 'Form Body (client_secret_post)',
					value: 'body',
					description: 'Send the client ID and secret as form fields',
				},
			],
			default: 'header',
			description:
				'How the token request proves your client ID and secret. The portal accepts both.',
		},
	];
}
