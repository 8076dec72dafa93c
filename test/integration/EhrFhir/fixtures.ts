// Credentials for every FHIR vendor of the sandbox, with tokens minted directly in the sandbox's
// token store (these tests are about reading, not about OAuth), and the expected data.
import fs from 'node:fs';
import path from 'node:path';
import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { datasetFor, toVersion, type Dataset } from '../../../sandbox/data';

export type Vendor =
	'onpatient' | 'oneup-r4' | 'oneup-stu3' | 'oneup-dstu2' | 'emp' | 'smart' | 'smart-backend';

export const VENDORS: Vendor[] = [
	'onpatient',
	'oneup-r4',
	'oneup-stu3',
	'oneup-dstu2',
	'emp',
	'smart',
	'smart-backend',
];

export const CREDENTIAL_TYPE: Record<Vendor, string> = {
	onpatient: 'onpatientOAuth2Api',
	'oneup-r4': 'oneUpHealthApi',
	'oneup-stu3': 'oneUpHealthApi',
	'oneup-dstu2': 'oneUpHealthApi',
	emp: 'eMedicalPracticeOAuth2Api',
	smart: 'smartOnFhirOAuth2Api',
	'smart-backend': 'smartBackendServicesApi',
};

export const SURFACE: Record<Vendor, 'onpatient' | 'oneup' | 'emp' | 'smart'> = {
	onpatient: 'onpatient',
	'oneup-r4': 'oneup',
	'oneup-stu3': 'oneup',
	'oneup-dstu2': 'oneup',
	emp: 'emp',
	smart: 'smart',
	'smart-backend': 'smart',
};

export function versionOf(v: Vendor): 'r4' | 'stu3' | 'dstu2' {
	return v === 'oneup-stu3' ? 'stu3' : v === 'oneup-dstu2' ? 'dstu2' : 'r4';
}

const KEY_PEM = () =>
	fs.readFileSync(
		path.resolve(__dirname, '../../../sandbox/keys/TEST-ONLY-rs384-private.pem'),
		'utf8',
	);

/** A credential store for one vendor; `patient` limits the token to that patient. */
export function credentialsFor(
	sb: Sandbox,
	vendor: Vendor,
	opts: { patient?: string; lifetimeSeconds?: number } = {},
) {
	const surface = SURFACE[vendor];
	const type = CREDENTIAL_TYPE[vendor];
	const life = opts.lifetimeSeconds ?? 3600;
	const mint = (clientId: string, scopes: string[], withRefresh = true) =>
		sb.app.tokens.issue({
			surface,
			clientId,
			scopes,
			lifetimeSeconds: life,
			withRefresh,
			patient: opts.patient,
		});
	let data: ICredentialDataDecryptedObject;
	switch (vendor) {
		case 'onpatient': {
			const t = mint('onpatient-demo', []);
			data = {
				authHost: `${sb.url}/onpatient/auth`,
				apiHost: `${sb.url}/onpatient/api`,
				clientId: 'onpatient-demo',
				clientSecret: 'onpatient-demo-secret',
				oauthTokenData: { ...t } as never,
			};
			break;
		}
		case 'oneup-r4':
		case 'oneup-stu3':
		case 'oneup-dstu2': {
			const t = mint('oneup-demo', ['user/*.*']);
			data = {
				clientId: 'oneup-demo',
				clientSecret: 'oneup-demo-secret',
				appUserId: 'n8n-test-user',
				createUserIfMissing: true,
				fhirVersion: versionOf(vendor),
				authHost: `${sb.url}/1up/auth`,
				apiHost: `${sb.url}/1up/api`,
				accessToken: t.access_token,
				refreshToken: t.refresh_token ?? '',
				expiresAt: Math.floor(Date.now() / 1000) + life,
			};
			break;
		}
		case 'emp': {
			const t = mint('emp-demo', ['openid', 'offline_access', 'user/*.read']);
			data = {
				serverUrl: `${sb.url}/emp`,
				grantType: 'authorizationCode',
				clientId: 'emp-demo',
				clientSecret: 'emp-demo-secret',
				oauthTokenData: { ...t } as never,
			};
			break;
		}
		case 'smart': {
			const t = mint('smart-demo', ['openid', 'offline_access', 'user/*.read']);
			data = {
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				authUrl: `${sb.url}/smart/auth/authorize`,
				accessTokenUrl: `${sb.url}/smart/auth/token`,
				clientId: 'smart-demo',
				clientSecret: 'smart-demo-secret',
				authentication: 'header',
				oauthTokenData: { ...t } as never,
			};
			break;
		}
		case 'smart-backend': {
			const t = mint('smart-backend-demo', ['system/*.read'], false);
			data = {
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				tokenUrl: `${sb.url}/smart/auth/token`,
				clientId: 'smart-backend-demo',
				privateKey: KEY_PEM(),
				keyId: 'sandbox-test-rs384',
				algorithm: 'RS384',
				scope: 'system/*.read',
				accessToken: t.access_token,
				expiresAt: Math.floor(Date.now() / 1000) + life,
			};
			break;
		}
	}
	return { type, store: { [type]: data } as Record<string, ICredentialDataDecryptedObject> };
}

export function ds(sb: Sandbox): Dataset {
	return datasetFor(sb.app);
}

/** ids of the patient's immunizations in the order the servers list them */
export function immunizationIds(sb: Sandbox, patientId: string): string[] {
	return ds(sb)
		.immunizations(patientId)
		.map((i) => i.id);
}

export function expectedPatient(sb: Sandbox, vendor: Vendor, id: string): unknown {
	const p = ds(sb).patient(id);
	return p && vendor !== 'onpatient' ? toVersion(p, versionOf(vendor)) : p;
}

export function ids(items: INodeExecutionData[]): string[] {
	return items.map((i) => String(i.json.id));
}

export const PATIENT = { resource: 'patient', operation: 'get' };
export const LIST = { resource: 'immunization', operation: 'list' };
export const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });
export const byUrl = (url: string) => ({ __rl: true, mode: 'url', value: url });
