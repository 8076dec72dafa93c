// What each store surface supports, and the CapabilityStatement that says so. The server refuses
// exactly what its CapabilityStatement leaves out.
import type { SandboxApp } from '../app';
import { capabilityStatement } from '../surfaces/fhir-server';
import { STORE_TYPES, paramList } from './params';
import { subscriptionCapability } from './subscriptions';
import { BACKPORT_SERVER_R4 } from './backport';

export type Interaction =
	| 'read'
	| 'vread'
	| 'search-type'
	| 'create'
	| 'update'
	| 'patch'
	| 'delete'
	| 'history-instance'
	| 'history-type';

export const ALL_INTERACTIONS: Interaction[] = [
	'read',
	'vread',
	'search-type',
	'create',
	'update',
	'patch',
	'delete',
	'history-instance',
	'history-type',
];

export interface StoreProfile {
	name: string;
	software: string;
	/** authorize endpoint for the SMART oauth-uris extension ('' = no browser sign-in: no extension) */
	authorize: string;
	token: string;
	interactions(type: string): Interaction[];
	batch: boolean;
	transaction: boolean;
	everything: boolean;
	/** PUT of an unknown id creates it */
	updateCreate: boolean;
	conditionalCreate: boolean;
	conditionalUpdate: boolean;
	/** _include / _revinclude are honoured */
	includes: boolean;
	/** seeded Schedules and Slots, and Slot state kept by Appointment writes (scheduling.ts) */
	scheduling?: boolean;
	/** the resource types served and declared (default: every store type) */
	types?: string[];
	/** R4 rest-hook Subscriptions (subscriptions.ts) */
	subscriptions?: boolean;
}

/** The resource types a profile serves and declares. */
export function profileTypes(p: StoreProfile): string[] {
	return p.types ?? STORE_TYPES;
}

/**
 * The profile with interactions left out (`Type.interaction`, e.g. `Appointment.update`): its
 * CapabilityStatement omits them and the server refuses them (405), as a server without them does.
 */
export function withholding(p: StoreProfile, withheld: readonly string[]): StoreProfile {
	if (!withheld.length) return p;
	return {
		...p,
		interactions: (type) => p.interactions(type).filter((i) => !withheld.includes(`${type}.${i}`)),
	};
}

/** `_include` values per type (`Type:param`), from its reference parameters. */
export const INCLUDES: Record<string, string[]> = {
	Observation: ['Observation:patient', 'Observation:subject'],
	MedicationRequest: ['MedicationRequest:patient', 'MedicationRequest:subject'],
	Encounter: ['Encounter:patient', 'Encounter:subject'],
	Condition: ['Condition:patient', 'Condition:subject'],
	Immunization: ['Immunization:patient'],
	AllergyIntolerance: ['AllergyIntolerance:patient'],
	Appointment: ['Appointment:actor', 'Appointment:patient'],
	Slot: ['Slot:schedule'],
	Schedule: ['Schedule:actor'],
	DocumentReference: ['DocumentReference:patient', 'DocumentReference:subject'],
	Procedure: ['Procedure:patient', 'Procedure:subject'],
	DiagnosticReport: ['DiagnosticReport:patient', 'DiagnosticReport:subject'],
};

/** `_revinclude` values a type accepts: every include that points at it. */
export function revIncludes(type: string): string[] {
	if (type === 'Patient')
		return Object.values(INCLUDES).flatMap((l) =>
			l.filter((v) => /:(patient|subject|actor)$/.test(v)),
		);
	if (type === 'Schedule') return ['Slot:schedule'];
	if (type === 'Practitioner') return ['Appointment:actor', 'Schedule:actor'];
	return [];
}

const EMP_WRITABLE = new Set(['Patient', 'Observation', 'AllergyIntolerance', 'Condition']);
/** OpenEMR's FHIR API has no Schedule, Slot or Subscription resources (vendor-notes.md) */
const EMP_ABSENT = new Set(['Schedule', 'Slot']);
const ONEUP: Interaction[] = [
	'read',
	'vread',
	'search-type',
	'create',
	'update',
	'delete',
	'history-instance',
	'history-type',
];

export const PROFILES: Record<'smart' | 'emp' | 'oneup', StoreProfile> = {
	smart: {
		name: 'Sandbox SMART on FHIR R4 server',
		software: 'n8n-nodes-ehr sandbox',
		authorize: '/smart/auth/authorize',
		token: '/smart/auth/token',
		interactions: () => ALL_INTERACTIONS,
		batch: true,
		transaction: true,
		everything: true,
		updateCreate: true,
		conditionalCreate: true,
		conditionalUpdate: true,
		includes: true,
		scheduling: true,
		subscriptions: true,
	},
	// OpenEMR's FHIR API has no Subscription resource (vendor notes)
	emp: {
		name: 'eMedicalPractice FHIR R4',
		software: 'eMedicalPractice',
		authorize: '/emp/connect/authorize',
		token: '/emp/connect/token',
		interactions: (type) =>
			EMP_WRITABLE.has(type)
				? ['read', 'search-type', 'create', 'update']
				: ['read', 'search-type'],
		batch: false,
		transaction: false,
		everything: false,
		updateCreate: false,
		conditionalCreate: false,
		conditionalUpdate: false,
		includes: false,
		types: STORE_TYPES.filter((t) => !EMP_ABSENT.has(t)),
	},
	oneup: {
		name: '1upHealth FHIR R4',
		software: '1upHealth',
		authorize: '',
		token: '/1up/auth/oauth2/token',
		interactions: () => ONEUP,
		batch: true,
		transaction: false,
		everything: true,
		updateCreate: false,
		conditionalCreate: true,
		conditionalUpdate: true,
		includes: true,
	},
};

export function supports(p: StoreProfile, type: string, i: Interaction): boolean {
	return profileTypes(p).includes(type) && p.interactions(type).includes(i);
}

/** The CapabilityStatement of a store surface: exactly what the server does. */
export function storeCapabilities(
	app: SandboxApp,
	p: StoreProfile,
	base: string,
): Record<string, unknown> {
	const cs = capabilityStatement(app, {
		name: p.name,
		base,
		authorize: p.authorize,
		token: p.token,
		software: p.software,
	});
	const rest = (cs.rest as Array<Record<string, unknown>>)[0];
	if (!p.authorize) delete rest.security;
	rest.resource = profileTypes(p).map((type) => {
		const interactions = p.interactions(type);
		const writes = interactions.includes('create') || interactions.includes('update');
		const r: Record<string, unknown> = {
			type,
			profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
			interaction: interactions.map((code) => ({ code })),
			versioning: interactions.includes('vread') ? 'versioned-update' : 'versioned',
			readHistory: interactions.includes('vread'),
			updateCreate: p.updateCreate && interactions.includes('update'),
			conditionalCreate: p.conditionalCreate && writes,
			conditionalUpdate: p.conditionalUpdate && writes,
			conditionalDelete: 'not-supported',
			searchInclude: p.includes ? (INCLUDES[type] ?? []) : [],
			searchRevInclude: p.includes ? revIncludes(type) : [],
			searchParam: paramList(type),
		};
		if (type === 'Patient' && p.everything) {
			r.operation = [
				{
					name: 'everything',
					definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
				},
			];
		}
		return r;
	});
	if (p.subscriptions) {
		(rest.resource as unknown[]).push(subscriptionCapability());
		// topic-based Subscriptions: the Subscriptions R5 Backport IG's R4 server (backport.ts)
		cs.instantiates = [BACKPORT_SERVER_R4];
	}
	const sys: Array<{ code: string }> = [];
	if (p.batch) sys.push({ code: 'batch' });
	if (p.transaction) sys.push({ code: 'transaction' });
	if (sys.length) rest.interaction = sys;
	return cs;
}
