import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * onpatient (drchrono's patient side): OAuth2 authorization code, client id and secret in the
 * form body (onpatient refuses HTTP Basic), access tokens for 48 h with a refresh token.
 * The authorize and token URLs are derived from the Auth Host; the API lives on the API Host.
 */
export class OnpatientOAuth2Api implements ICredentialType {
	name = 'onpatientOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'OnPatient (DrChrono) OAuth2 API';

	documentationUrl = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr#onpatient';

	icon = { light: 'file:icons/onpatient.svg', dark: 'file:icons/onpatient.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Auth Host',
			name: 'authHost',
			type: 'string',
			default: 'https://onpatient.com',
			required: true,
			description:
				'Where onpatient users log in and approve your app. The authorize URL is <Auth Host>/o/authorize/ and the token URL <Auth Host>/o/token/. Change it only for a test server.',
		},
		{
			displayName: 'API Host',
			name: 'apiHost',
			type: 'string',
			default: 'https://drchrono.com',
			required: true,
			description:
				'Host of the onpatient FHIR API (/onpatient_api/fhir/…). It differs from the Auth Host.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{String($self["authHost"]).replace(/\\/+$/, "")}}/o/authorize/',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{String($self["authHost"]).replace(/\\/+$/, "")}}/o/token/',
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: '',
			placeholder: 'patient/Patient.read patient/Immunization.read',
			description:
				'Space-separated scopes to request. Leave empty to request every scope your onpatient app is allowed (onpatient treats an empty scope as all scopes).',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: '={{$self["scopes"] || ""}}',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			// onpatient documents the client id and secret in the form body; Basic is refused
			default: 'body',
		},
	];
}
