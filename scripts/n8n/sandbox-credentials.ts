// Credentials for every vendor, pointed at a running sandbox, as n8n imports them (plaintext
// `data`; n8n encrypts on import). OAuth2 credentials come already connected: their
// `oauthTokenData` is the token answer of a real authorization-code flow against the sandbox
// (auto-approve on) — what n8n stores after "Connect my account" — or, when that flow is not
// available, a token minted by the sandbox admin API (`POST /_admin/tokens`). Only credential types the package declares
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

/**
 * Second credentials of two types, for the Appointment examples: eMedicalPractice with the
 * Staff Scheduling scope preset (Standard API appointments), SMART on FHIR as a front-desk user
 * who may write (the first SMART credential is patient-scoped and read-only).
 */
/** The scopes the eMedicalPractice credential's Staff Scheduling preset asks for. */
export const EMP_SCHEDULING_SCOPES = [
	'openid',
	'fhirUser',
	'offline_access',
	'api:oemr',
	'user/appointment.read',
	'user/appointment.write',
	'user/patient.read',
	'user/practitioner.read',
	'user/facility.read',
] as const;

export const SCHEDULING_DEMO_CREDENTIALS = {
	eMedicalPracticeOAuth2Api: {
		id: 'ehrDemoEmpSched1',
		name: 'eMedicalPractice staff scheduling (sandbox)',
	},
	smartOnFhirOAuth2Api: { id: 'ehrDemoSmartSch1', name: 'SMART on FHIR front desk (sandbox)' },
} as const;

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

async function mintToken(
	sandboxUrl: string,
	surface: string,
	clientId: string,
	scopes: string[],
): Promise<MintedToken> {
	const res = await fetch(`${sandboxUrl}/_admin/tokens`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ surface, clientId, scopes, withRefresh: true, patient: DEMO_PATIENT }),
	});
	if (res.status !== 201)
		throw new Error(`sandbox /_admin/tokens (${surface}) → ${res.status} ${await res.text()}`);
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

interface FlowSpec {
	surface: string;
	authorizeUrl: string;
	tokenUrl: string;
	clientId: string;
	clientSecret: string;
	/** how the client authenticates at the token endpoint */
	clientAuth: 'post' | 'basic';
	scopes: string[];
	aud?: string;
}

const REDIRECT_URI = 'http://127.0.0.1/test-callback';

/**
 * The real authorization-code flow against the sandbox (its authorize page approves at once when
 * auto-approve is on): authorize → code → token endpoint. Returns the token answer as n8n stores
 * it in `oauthTokenData`, or undefined when the flow is not available (then a token is minted).
 */
async function authorizationCodeFlow(f: FlowSpec): Promise<MintedToken | undefined> {
	const state = `demo-${Date.now()}`;
	const q = new URLSearchParams({
		response_type: 'code',
		client_id: f.clientId,
		redirect_uri: REDIRECT_URI,
		scope: f.scopes.join(' '),
		state,
	});
	if (f.aud) q.set('aud', f.aud);
	q.set('login_hint', DEMO_PATIENT);
	const a = await fetch(`${f.authorizeUrl}?${q.toString()}`, { redirect: 'manual' });
	const loc = a.headers.get('location');
	if (a.status < 300 || a.status >= 400 || !loc) return undefined;
	const back = new URL(loc);
	const code = back.searchParams.get('code');
	if (!code || back.searchParams.get('state') !== state) return undefined;
	const form = new URLSearchParams({
		grant_type: 'authorization_code',
		code,
		redirect_uri: REDIRECT_URI,
	});
	const headers: Record<string, string> = {
		'content-type': 'application/x-www-form-urlencoded',
		accept: 'application/json',
	};
	if (f.clientAuth === 'basic') {
		headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(f.clientId)}:${encodeURIComponent(f.clientSecret)}`).toString('base64')}`;
	} else {
		form.set('client_id', f.clientId);
		form.set('client_secret', f.clientSecret);
	}
	const t = await fetch(f.tokenUrl, { method: 'POST', headers, body: form.toString() });
	if (t.status !== 200) return undefined;
	const tok = (await t.json()) as MintedToken;
	return tok.access_token ? tok : undefined;
}

/** Token for a demo credential: the real OAuth flow when it works, else minted by the sandbox admin API. */
async function connect(sandboxUrl: string, f: FlowSpec): Promise<MintedToken> {
	try {
		const viaFlow = await authorizationCodeFlow(f);
		if (viaFlow) return viaFlow;
	} catch {
		/* fall back below */
	}
	return await mintToken(sandboxUrl, f.surface, f.clientId, f.scopes);
}

function readKey(file: string): string {
	const p = join(REPO_ROOT, 'sandbox', 'keys', file);
	return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

/** Credentials for the given types (default: every type the package declares). */
export async function sandboxCredentials(
	sandboxUrl: string,
	types: string[] = declaredCredentialTypes(),
): Promise<CredentialImport[]> {
	const u = sandboxUrl.replace(/\/+$/, '');
	const out: CredentialImport[] = [];
	// `scope` itself is a hidden field derived from the visible ones: left to its default
	const ENDPOINTS: Record<
		string,
		{ authorize: string; token: string; auth: 'post' | 'basic'; aud?: string }
	> = {
		onpatient: {
			authorize: `${u}/onpatient/auth/o/authorize/`,
			token: `${u}/onpatient/auth/o/token/`,
			auth: 'post',
		},
		mpp: { authorize: `${u}/mpp/oauth/authorize`, token: `${u}/mpp/oauth/token`, auth: 'basic' },
		emp: {
			authorize: `${u}/emp/connect/authorize`,
			token: `${u}/emp/connect/token`,
			auth: 'basic',
			aud: `${u}/emp/fhir/r4`,
		},
		smart: {
			authorize: `${u}/smart/auth/authorize`,
			token: `${u}/smart/auth/token`,
			auth: 'basic',
			aud: `${u}/smart/fhir`,
		},
	};
	const oauth = async (surface: string, clientId: string, scopes: string[]) => {
		const e = ENDPOINTS[surface];
		const clientSecret = `${clientId}-secret`;
		return {
			clientId,
			clientSecret,
			oauthTokenData: await connect(u, {
				surface,
				authorizeUrl: e.authorize,
				tokenUrl: e.token,
				clientId,
				clientSecret,
				clientAuth: e.auth,
				scopes,
				aud: e.aud,
			}),
		};
	};
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
				data = {
					portalUrl: `${u}/mpp`,
					scopes: scopes.join(' '),
					...(await oauth('mpp', 'mpp-demo', scopes)),
				};
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
		if (type === 'eMedicalPracticeOAuth2Api') {
			const c = SCHEDULING_DEMO_CREDENTIALS.eMedicalPracticeOAuth2Api;
			const scopes = [...EMP_SCHEDULING_SCOPES];
			out.push({
				id: c.id,
				name: c.name,
				type,
				data: {
					serverUrl: `${u}/emp`,
					scopePreset: 'scheduling',
					...(await oauth('emp', 'emp-demo', scopes)),
				},
			});
		}
		if (type === 'smartOnFhirOAuth2Api') {
			const c = SCHEDULING_DEMO_CREDENTIALS.smartOnFhirOAuth2Api;
			const scopes = ['openid', 'offline_access', 'user/*.read', 'user/*.write'];
			out.push({
				id: c.id,
				name: c.name,
				type,
				data: {
					fhirBaseUrl: `${u}/smart/fhir`,
					authUrl: `${u}/smart/auth/authorize`,
					accessTokenUrl: `${u}/smart/auth/token`,
					scopes: scopes.join(' '),
					...(await oauth('smart', 'smart-demo', scopes)),
				},
			});
		}
	}
	return out;
}
