// Shared setup of the FHIR Resource / Bundle / Patient Everything tests against the sandbox's FHIR
// R4 stores (SMART, eMedicalPractice, 1upHealth R4): credentials whose tokens carry write scopes,
// the store's admin routes (seed, counts, reset), and what each vendor declares.
import type { INodeExecutionData } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { credentialsFor, SURFACE, type Vendor } from './fixtures';
import { useFhirSandbox } from './helpers';

/** the vendors with a FHIR store */
export const STORE_VENDORS = ['smart', 'smart-backend', 'emp', 'oneup-r4'] as const;
export type StoreVendor = (typeof STORE_VENDORS)[number];
export type StoreSurface = 'smart' | 'emp' | 'oneup';

export const STORE_SURFACE: Record<StoreVendor, StoreSurface> = {
	smart: 'smart',
	'smart-backend': 'smart',
	emp: 'emp',
	'oneup-r4': 'oneup',
};

/** what each store surface declares (its CapabilityStatement) */
export const CAN = {
	smart: {
		write: true,
		patch: true,
		delete: true,
		history: true,
		vread: true,
		conditional: true,
		batch: true,
		transaction: true,
		everything: true,
		includes: true,
	},
	emp: {
		write: true,
		patch: false,
		delete: false,
		history: false,
		vread: false,
		conditional: false,
		batch: false,
		transaction: false,
		everything: false,
		includes: false,
	},
	oneup: {
		write: true,
		patch: false,
		delete: true,
		history: true,
		vread: true,
		conditional: true,
		batch: true,
		transaction: false,
		everything: true,
		includes: true,
	},
} as const;

export function can(vendor: StoreVendor) {
	return CAN[STORE_SURFACE[vendor]];
}

/** vendors where a capability holds / does not */
export function vendorsWhere(k: keyof (typeof CAN)['smart'], holds = true): StoreVendor[] {
	return STORE_VENDORS.filter((v) => can(v)[k] === holds);
}

/** scopes of a token that may write everything */
const WRITE_SCOPES: Record<Vendor, string[]> = {
	onpatient: [],
	'oneup-stu3': ['user/*.*'],
	'oneup-dstu2': ['user/*.*'],
	smart: ['openid', 'user/*.read', 'user/*.write'],
	'smart-backend': ['system/*.read', 'system/*.write'],
	emp: ['openid', 'user/*.read', 'user/*.write'],
	'oneup-r4': ['user/*.*'],
};

/** This vendor's credential with a fresh token of these scopes (default: read and write). */
export function storeCredentials(sb: Sandbox, vendor: Vendor, scopes?: string[]) {
	const { type, store } = credentialsFor(sb, vendor);
	const t = sb.app.tokens.issue({
		surface: SURFACE[vendor],
		clientId: 'test',
		scopes: scopes ?? WRITE_SCOPES[vendor],
		lifetimeSeconds: 3600,
		withRefresh: false,
	});
	const data = store[type];
	if (data.oauthTokenData)
		data.oauthTokenData = {
			...(data.oauthTokenData as object),
			access_token: t.access_token,
		} as never;
	else data.accessToken = t.access_token;
	return { type, store };
}

/** Runs the EHR FHIR node with a writing credential of this vendor. */
export async function runStore(
	sb: Sandbox,
	vendor: Vendor,
	parameters: Record<string, unknown>,
	items?: Array<{ json: Record<string, unknown> }>,
	opts: { continueOnFail?: boolean; scopes?: string[] } = {},
): Promise<INodeExecutionData[]> {
	const { type, store } = storeCredentials(sb, vendor, opts.scopes);
	const { output } = await runNode(EhrFhir, {
		parameters: { authentication: type, ...parameters } as never,
		credentials: store,
		items: items as never,
		continueOnFail: opts.continueOnFail,
	});
	return output[0];
}

async function adminCall(
	sb: Sandbox,
	method: string,
	path: string,
	body?: unknown,
): Promise<Record<string, unknown>> {
	const r = await fetch(`${sb.url}/_admin${path}`, {
		method,
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return (await r.json()) as Record<string, unknown>;
}

/** How many current resources of a type the vendor's store holds. */
export async function storeCount(sb: Sandbox, vendor: StoreVendor, type: string): Promise<number> {
	return (await adminCall(sb, 'GET', `/fhir/store?surface=${STORE_SURFACE[vendor]}&type=${type}`))
		.count as number;
}

/** Seeds `count` Observations (for one patient when given); their ids. */
export async function seed(
	sb: Sandbox,
	vendor: StoreVendor,
	count: number,
	patient?: string,
	resourceType = 'Observation',
): Promise<string[]> {
	return (
		await adminCall(sb, 'POST', '/fhir/seed', {
			surface: STORE_SURFACE[vendor],
			resourceType,
			count,
			patient,
		})
	).ids as string[];
}

/** The requests the sandbox received since `from` (the request log index), to the vendor's surface. */
export function sentSince(sb: Sandbox, from: number) {
	return sb.app.requests
		.slice(from)
		.filter((r) => r.origin === 'main' && !r.path.startsWith('/_admin'));
}

/** The requests since `from` other than the CapabilityStatement. */
export function dataRequestsSince(sb: Sandbox, from: number) {
	return sentSince(sb, from).filter((r) => !r.path.endsWith('/metadata'));
}

/** A minimal valid Observation of a patient. */
export function observation(
	pid: string,
	extra: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		resourceType: 'Observation',
		status: 'final',
		code: {
			coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }],
			text: 'Heart rate',
		},
		subject: { reference: `Patient/${pid}` },
		effectiveDateTime: '2024-05-01T10:00:00Z',
		valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
		...extra,
	};
}

/** A Patient with an MRN identifier. */
export function patientWithMrn(mrn: string, family = 'Sync'): Record<string, unknown> {
	return {
		resourceType: 'Patient',
		identifier: [{ system: MRN, value: mrn }],
		name: [{ family, given: ['Test'] }],
		birthDate: '1980-01-01',
	};
}

export const RES = (operation: string) => ({ resource: 'resource', operation });

/** The sandbox of this test file (see useFhirSandbox), its store reset before each test. */
export function useStore(use: (sb: Sandbox) => void): void {
	let sandbox: Sandbox;
	useFhirSandbox((s) => {
		sandbox = s;
		use(s);
	});
	beforeEach(() => sandbox.app.reset());
}

/** Creates an Observation of pt-00001 through the node; its id. */
export async function createObservation(sb: Sandbox, vendor: Vendor): Promise<string> {
	const [one] = await runStore(sb, vendor, {
		...RES('create'),
		resourceType: 'Observation',
		body: JSON.stringify(observation('pt-00001')),
	});
	return String(one.json.id);
}

/** the identifier system of the test patients' MRNs */
export const MRN = 'http://clinic.example/mrn';

/** Creates one Patient per MRN through the node (duplicates on purpose when an MRN repeats). */
export async function createPatients(sb: Sandbox, vendor: Vendor, mrns: string[]): Promise<void> {
	for (const mrn of mrns)
		await runStore(sb, vendor, {
			...RES('create'),
			resourceType: 'Patient',
			body: JSON.stringify(patientWithMrn(mrn)),
		});
}
