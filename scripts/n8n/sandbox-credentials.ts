// Credentials for every vendor, pointed at a running sandbox, as n8n imports them (plaintext
// `data`; n8n encrypts on import). OAuth2 credentials come already connected: their
// `oauthTokenData` holds a token minted by the sandbox (`POST /_admin/tokens`), the same shape
// n8n stores after a real authorization-code flow. Only credential types the package declares
// (package.json → n8n.credentials) are produced; the ids are fixed so examples can refer to them.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialImport } from './runtime';
import { readRepoPackageJson } from './package';
import { REPO_ROOT } from './paths';

/** Fixed ids and names: examples/ and test workflows refer to these. */
export const DEMO_CREDENTIALS = {
	onpatientOAuth2Api: { id: 'ehrDemoOnpatient1', name: 'onpatient (sandbox)' },
	oneUpHealthApi: { id: 'ehrDemo1upHealth1', name: '1upHealth (sandbox)' },
	myPatientPortalOAuth2Api: { id: 'ehrDemoMpp000001', name: 'MyPatientPortal (sandbox)' },
	eMedicalPracticeOAuth2Api: { id: 'ehrDemoEmp000001', name: 'eMedicalPractice (sandbox)' },
	smartBackendServicesApi: { id: 'ehrDemoSmartBs01', name: 'SMART Backend Services (sandbox)' },
	smartOnFhirOAuth2Api: { id: 'ehrDemoSmart0001', name: 'SMART on FHIR (sandbox)' },
} as const;
export type DemoCredentialType = keyof typeof DEMO_CREDENTIALS;

/** The demo patient every demo token acts for (first patient of the default data set). */
export const DEMO_PATIENT = 'pt-00001';

/** Credential type names the package declares, from their dist paths (`…/FooApi.credentials.js` → `fooApi`). */
export function declaredCredentialTypes(): string[] {
	const pj = readRepoPackageJson();
	return (pj.n8n?.credentials ?? []).map((p) => {
		const cls = (p.split('/').pop() ?? p).replace(/\.credentials\.js$/, '');
		return cls.charAt(0).toLowerCase() + cls.slice(1);
	});
}

interface MintedToken {
	access_token: string;
	refresh_token?: string;
	expires_in?: number;
	scope?: string;
	token_type?: string;
	[k: string]: unknown;
}

async function mintToken(sandboxUrl: string, surface: string, clientId: string, scopes: string[]): Promise<MintedToken> {
	const res = await fetch(`${sandboxUrl}/_admin/tokens`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ surface, clientId, scopes, withRefresh: true, patient: DEMO_PATIENT }),
	});
	if (res.status !== 201) throw new Error(`sandbox /_admin/tokens (${surface}) → ${res.status} ${await res.text()}`);
	const t = (await res.json()) as Record<string, unknown>;
	const access = (t.access_token ?? t.accessToken ?? t.token) as string;
	const refresh = (t.refresh_token ?? t.refreshToken) as string | undefined;
	return {
		access_token: access,
		refresh_token: refresh,
		token_type: 'Bearer',
		expires_in: Number(t.expires_in ?? t.expiresIn ?? 3600),
		scope: scopes.join(' '),
		patient: DEMO_PATIENT,
	};
}

function readKey(file: string): string {
	const p = join(REPO_ROOT, 'sandbox', 'keys', file);
	return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

/** Credentials for the given types (default: every type the package declares). */
export async function sandboxCredentials(sandboxUrl: string, types: string[] = declaredCredentialTypes()): Promise<CredentialImport[]> {
	const u = sandboxUrl.replace(/\/+$/, '');
	const out: CredentialImport[] = [];
	// `scope` itself is a hidden field derived from the visible ones: left to its default
	const oauth = async (surface: string, clientId: string, scopes: string[]) => ({
		clientId,
		clientSecret: `${clientId}-secret`,
		oauthTokenData: await mintToken(u, surface, clientId, scopes),
	});
	for (const type of types) {
		const meta = DEMO_CREDENTIALS[type as DemoCredentialType];
		if (!meta) continue;
		let data: Record<string, unknown>;
		switch (type as DemoCredentialType) {
			case 'onpatientOAuth2Api': {
				const scopes = ['patient/*.read'];
				data = {
					authHost: `${u}/onpatient/auth`,
					apiHost: `${u}/onpatient/api`,
					scopes: scopes.join(' '),
					...(await oauth('onpatient', 'onpatient-demo', scopes)),
				};
				break;
			}
			case 'oneUpHealthApi':
				data = {
					authHost: `${u}/1up/auth`,
					apiHost: `${u}/1up/api`,
					fhirVersion: 'r4',
					clientId: 'oneup-demo',
					clientSecret: 'oneup-demo-secret',
					appUserId: DEMO_PATIENT,
				};
				break;
			case 'myPatientPortalOAuth2Api': {
				const scopes = ['profile_read', 'appointment_read', 'appointment_write'];
				data = { portalUrl: `${u}/mpp`, scopes: scopes.join(' '), ...(await oauth('mpp', 'mpp-demo', scopes)) };
				break;
			}
			case 'eMedicalPracticeOAuth2Api': {
				const scopes = ['openid', 'fhirUser', 'offline_access', 'launch/patient', 'patient/*.read'];
				data = { serverUrl: `${u}/emp`, ...(await oauth('emp', 'emp-demo', scopes)) };
				break;
			}
			case 'smartOnFhirOAuth2Api': {
				const scopes = ['openid', 'launch/patient', 'offline_access', 'patient/*.read'];
				data = {
					fhirBaseUrl: `${u}/smart/fhir`,
					authUrl: `${u}/smart/auth/authorize`,
					accessTokenUrl: `${u}/smart/auth/token`,
					scopes: scopes.join(' '),
					...(await oauth('smart', 'smart-demo', scopes)),
				};
				break;
			}
			case 'smartBackendServicesApi':
				data = {
					fhirBaseUrl: `${u}/smart/fhir`,
					tokenUrl: '',
					clientId: 'smart-backend-demo',
					privateKey: readKey('TEST-ONLY-rs384-private.pem'),
					algorithm: 'RS384',
					keyId: 'sandbox-test-rs384',
					scope: 'system/*.read system/*.$export system/*.$bulkdata-status',
				};
				break;
		}
		out.push({ id: meta.id, name: meta.name, type, data });
	}
	return out;
}
