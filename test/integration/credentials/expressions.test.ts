// The credentials' `={{ … }}` defaults, resolved by n8n's own expression engine (n8n-workflow's
// Workflow.expression, as credentials-helper.ts resolveCredentialExpressions does), give the
// same URLs, scopes and aud the integration tests drive against the sandbox.
import {
	Workflow,
	type ICredentialType,
	type INode,
	type INodeParameters,
	type INodeTypes,
} from 'n8n-workflow';
import { EMedicalPracticeOAuth2Api } from '../../../credentials/EMedicalPracticeOAuth2Api.credentials';
import { MyPatientPortalOAuth2Api } from '../../../credentials/MyPatientPortalOAuth2Api.credentials';
import { OneUpHealthApi } from '../../../credentials/OneUpHealthApi.credentials';
import { OnpatientOAuth2Api } from '../../../credentials/OnpatientOAuth2Api.credentials';
import { SmartBackendServicesApi } from '../../../credentials/SmartBackendServicesApi.credentials';
import { SmartOnFhirOAuth2Api } from '../../../credentials/SmartOnFhirOAuth2Api.credentials';

const mockNode = {
	id: 'm',
	name: 'mock',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
} as INode;
const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;
const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes });

function resolve(type: ICredentialType, stored: Record<string, unknown>): Record<string, unknown> {
	const data: Record<string, unknown> = {};
	for (const p of type.properties) if (p.default !== undefined) data[p.name] = p.default;
	Object.assign(data, stored);
	return workflow.expression.getComplexParameterValue(
		mockNode,
		data as INodeParameters,
		'internal',
		{},
		undefined,
		undefined,
		data as never,
	) as Record<string, unknown>;
}

const S = 'http://127.0.0.1:4010';

it('onpatient: URLs from the Auth Host (trailing slash tolerated), empty scope', () => {
	const c = resolve(new OnpatientOAuth2Api(), { authHost: `${S}/onpatient/auth/` });
	expect(c).toMatchObject({
		authUrl: `${S}/onpatient/auth/o/authorize/`,
		accessTokenUrl: `${S}/onpatient/auth/o/token/`,
		scope: '',
		authentication: 'body',
	});
});

it('MyPatientPortal: URLs from the Portal URL, openid optional', () => {
	expect(resolve(new MyPatientPortalOAuth2Api(), { portalUrl: `${S}/mpp` })).toMatchObject({
		authUrl: `${S}/mpp/oauth/authorize`,
		accessTokenUrl: `${S}/mpp/oauth/token`,
		scope: 'profile_read appointment_read appointment_write',
	});
	expect(
		resolve(new MyPatientPortalOAuth2Api(), { portalUrl: `${S}/mpp`, includeOpenId: true }).scope,
	).toBe('openid profile_read appointment_read appointment_write');
});

it('eMedicalPractice: URLs, aud and scope presets', () => {
	const emp = new EMedicalPracticeOAuth2Api();
	expect(resolve(emp, { serverUrl: `${S}/emp` })).toMatchObject({
		authUrl: `${S}/emp/connect/authorize`,
		accessTokenUrl: `${S}/emp/connect/token`,
		authQueryParameters: `aud=${S}/emp/fhir/r4`,
		scope: 'openid fhirUser offline_access launch/patient patient/*.read',
		authentication: 'header',
	});
	expect(
		resolve(emp, {
			serverUrl: `${S}/emp`,
			scopePreset: 'user',
			smartVersion: 'v2',
			offlineAccess: false,
		}).scope,
	).toBe('openid fhirUser online_access api:fhir api:oemr user/*.rs');
	expect(
		resolve(emp, { serverUrl: `${S}/emp`, scopePreset: 'scheduling', offlineAccess: true }).scope,
	).toBe(
		'openid fhirUser offline_access api:oemr user/appointment.read user/appointment.write user/patient.read user/practitioner.read user/facility.read',
	);
	expect(
		resolve(emp, {
			serverUrl: `${S}/emp`,
			scopePreset: 'custom',
			customScopes: 'openid patient/Immunization.read',
		}).scope,
	).toBe('openid patient/Immunization.read');
});

it('SMART on FHIR: aud from the FHIR base', () => {
	expect(
		resolve(new SmartOnFhirOAuth2Api(), { fhirBaseUrl: `${S}/smart/fhir/` }).authQueryParameters,
	).toBe(`aud=${S}/smart/fhir`);
});

// SMART Backend Services has no test request: a node's credentialTest tests it (credential-test.test.ts)
it.each([
	[
		new OneUpHealthApi(),
		{ apiHost: `${S}/1up/api/`, fhirVersion: 'stu3' },
		{ baseURL: `${S}/1up/api`, url: '/stu3/Patient' },
	],
])('%# credential test request resolves against $credentials', (type, creds, expected) => {
	const r = workflow.expression.getComplexParameterValue(
		mockNode,
		type.test!.request as unknown as INodeParameters,
		'internal',
		{ $credentials: creds } as never,
		undefined,
		undefined,
		{} as never,
	);
	expect(r).toMatchObject(expected);
});

it('only the access token is the expirable hidden field (n8n uses the first one)', () => {
	for (const t of [new OneUpHealthApi(), new SmartBackendServicesApi()]) {
		const expirable = t.properties
			.filter((p) => p.type === 'hidden' && p.typeOptions?.expirable === true)
			.map((p) => p.name);
		expect(expirable).toEqual(['accessToken']);
	}
});
