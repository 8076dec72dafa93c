// Vendor profiles: one per credential type. Everything an operation needs to know about a
// vendor — base URL, FHIR version, page size, which search filters the server
// understands — lives here as data. Adding a vendor means adding a profile.
import { NodeOperationError, type ICredentialDataDecryptedObject, type INode } from 'n8n-workflow';
import { checkBaseUrl, CredentialFieldError } from './credentials-util';

export type FhirVersion = 'r4' | 'stu3' | 'dstu2';

export interface VendorProfile {
	credentialType: string;
	/** shown in messages, e.g. "onpatient (drchrono)" */
	vendor: string;
	/** FHIR base URL, absolute, without a trailing slash */
	fhirBaseUrl: string;
	fhirVersion: FhirVersion;
	/** Accept header for FHIR reads */
	accept: string;
	/** query parameter for the page size; undefined when the server ignores it (follow `next`) */
	pageSizeParam?: string;
	/** the page size asked for when reading everything, and the largest accepted */
	pageSize: number;
	maxPageSize: number;
	/** `GET Patient?name=` works (the patient picker "From List"); onpatient has no Patient search */
	patientSearch: boolean;
	/** the server has a CapabilityStatement at `GET [base]/metadata` */
	metadata: boolean;
	/**
	 * the EHR FHIR Trigger asks for changes with `_lastUpdated=ge<cursor>`; false: it reads the
	 * whole list each poll and compares `meta.lastUpdated` / versionId with what it remembers
	 */
	lastUpdatedSearch: boolean;
	/** `_sort=_lastUpdated` is honoured (else the trigger reads every page and sorts itself) */
	lastUpdatedSort: boolean;
	/**
	 * what a server without a CapabilityStatement can do: FHIR interactions (read, search-type, …)
	 * by resource type; undefined with `metadata: false` = unknown (every request is sent)
	 */
	declared?: Record<string, string[]>;
	/**
	 * how appointments are booked: 'openemr-standard' = OpenEMR's Standard API at
	 * `standardApiBaseUrl` (appointments per patient, no slots, no update route); 'fhir' = FHIR
	 * Schedule / Slot / Appointment on the FHIR base, as far as the CapabilityStatement declares;
	 * undefined = the vendor has no booking API (refused before any request)
	 */
	scheduling?: 'openemr-standard' | 'fhir';
	/** the Standard API (`/api`) base URL, absolute, without a trailing slash (OpenEMR servers) */
	standardApiBaseUrl?: string;
	immunizations: {
		/** the search parameter naming the patient */
		patientParam: string;
		/** the server filters on `date=geX&date=leY` itself; otherwise the node filters locally */
		dateFilter: boolean;
		/** the server filters on `status=a,b` itself; otherwise the node filters locally */
		statusFilter: boolean;
		/** statuses that exist in this FHIR version */
		statuses: string[];
		/** listing without a patient returns every patient the token may see */
		allPatients: boolean;
	};
}

/** The node named in an error when the caller has none to give. */
const STUB_NODE: INode = {
	id: '',
	name: 'EHR',
	type: 'n8n-nodes-ehr',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function configError(node: INode, message: string): NodeOperationError {
	return new NodeOperationError(node, message, {
		description: 'Open the credential, correct the URL, save it and run the node again.',
	});
}

/**
 * A base URL from a credential field, checked before any request: present, absolute, https (plain
 * http only on loopback), no query or credentials in it. Returned without trailing slashes.
 */
export function credentialBaseUrl(
	value: unknown,
	field: string,
	credentialType: string,
	node: INode = STUB_NODE,
): string {
	try {
		return checkBaseUrl(value, field);
	} catch (e) {
		const empty = typeof value !== 'string' || !value.trim();
		const reason = e instanceof CredentialFieldError ? e.message : `${field} is not usable`;
		throw configError(
			node,
			empty
				? `The credential (${credentialType}) has no ${field}: open the credential and fill it in`
				: `The credential (${credentialType}): ${reason}`,
		);
	}
}

const R4_STATUSES = ['completed', 'not-done', 'entered-in-error'];
const STATUSES: Record<FhirVersion, string[]> = {
	r4: R4_STATUSES,
	stu3: ['completed', 'entered-in-error'],
	dstu2: ['in-progress', 'on-hold', 'completed', 'entered-in-error', 'stopped'],
};

/**
 * The credential types whose server has no Patient search (the patient picker offers no
 * "From List" for them; their profiles say `patientSearch: false`).
 */
export const NO_PATIENT_SEARCH = ['onpatientOAuth2Api'];

type ProfileFactory = (
	credentials: ICredentialDataDecryptedObject,
	credentialType: string,
	node: INode,
) => VendorProfile;

const PROFILES: Record<string, ProfileFactory> = {
	// drchrono's onpatient API: `{results, next}` lists (Bundles in newer docs), `page-size`
	onpatientOAuth2Api: (c, t, node) => ({
		credentialType: t,
		vendor: 'onpatient (drchrono)',
		fhirBaseUrl: `${credentialBaseUrl(c.apiHost, 'API host', t, node)}/onpatient_api/fhir`,
		fhirVersion: 'r4',
		accept: 'application/json',
		pageSizeParam: 'page-size',
		pageSize: 50,
		maxPageSize: 1000,
		patientSearch: !NO_PATIENT_SEARCH.includes(t),
		metadata: false,
		// its `{results, next}` lists take no `_lastUpdated` or `_sort`
		lastUpdatedSearch: false,
		lastUpdatedSort: false,
		// no /metadata: reads of patients and immunizations only (`{results, next}` lists)
		declared: { Patient: ['read'], Immunization: ['read', 'search-type'] },
		immunizations: {
			patientParam: 'patient',
			dateFilter: true,
			statusFilter: true,
			statuses: R4_STATUSES,
			allPatients: true,
		},
	}),
	// 1upHealth: FHIR version in the path, Bundles, `_count` 1–100
	oneUpHealthApi: (c, t, node) => {
		const v = String(c.fhirVersion || 'r4').toLowerCase();
		const version: FhirVersion = v === 'stu3' || v === 'dstu2' ? v : 'r4';
		return {
			credentialType: t,
			vendor: `1upHealth (${version.toUpperCase()})`,
			fhirBaseUrl: `${credentialBaseUrl(c.apiHost, 'API host', t, node)}/${version}`,
			fhirVersion: version,
			accept: 'application/fhir+json, application/json',
			pageSizeParam: '_count',
			pageSize: 100,
			maxPageSize: 100,
			patientSearch: !NO_PATIENT_SEARCH.includes(t),
			metadata: true,
			lastUpdatedSearch: true,
			lastUpdatedSort: true,
			immunizations: {
				patientParam: 'patient',
				dateFilter: true,
				statusFilter: true,
				statuses: STATUSES[version],
				allPatients: true,
			},
		};
	},
	// eMedicalPractice (OpenEMR): FHIR R4 under /fhir/r4, `_count` ignored (fixed pages), only
	// `patient` (and `_id`) searchable on Immunization: dates and status are filtered locally
	eMedicalPracticeOAuth2Api: (c, t, node) => ({
		credentialType: t,
		vendor: 'eMedicalPractice',
		fhirBaseUrl: `${credentialBaseUrl(c.serverUrl, 'server URL', t, node)}/fhir/r4`,
		// FHIR Appointment is read-only there and it has no Slot: staff book through the Standard API
		scheduling: 'openemr-standard',
		standardApiBaseUrl: `${credentialBaseUrl(c.serverUrl, 'server URL', t, node)}/api`,
		fhirVersion: 'r4',
		accept: 'application/fhir+json, application/json',
		pageSizeParam: undefined,
		pageSize: 20,
		maxPageSize: 20,
		patientSearch: !NO_PATIENT_SEARCH.includes(t),
		metadata: true,
		// OpenEMR searches `_lastUpdated` but has no `_sort`: the trigger sorts what it reads
		lastUpdatedSearch: true,
		lastUpdatedSort: false,
		immunizations: {
			patientParam: 'patient',
			dateFilter: false,
			statusFilter: false,
			statuses: R4_STATUSES,
			allPatients: true,
		},
	}),
	smartOnFhirOAuth2Api: (c, t, node) => smartProfile(c, t, node, 'SMART on FHIR server'),
	smartBackendServicesApi: (c, t, node) =>
		smartProfile(c, t, node, 'SMART on FHIR server (backend services)'),
};

function smartProfile(
	c: ICredentialDataDecryptedObject,
	t: string,
	node: INode,
	vendor: string,
): VendorProfile {
	return {
		credentialType: t,
		vendor,
		fhirBaseUrl: credentialBaseUrl(c.fhirBaseUrl, 'FHIR base URL', t, node),
		fhirVersion: 'r4',
		accept: 'application/fhir+json, application/json',
		pageSizeParam: '_count',
		pageSize: 100,
		maxPageSize: 100,
		patientSearch: !NO_PATIENT_SEARCH.includes(t),
		metadata: true,
		scheduling: 'fhir',
		lastUpdatedSearch: true,
		lastUpdatedSort: true,
		immunizations: {
			patientParam: 'patient',
			dateFilter: true,
			statusFilter: true,
			statuses: R4_STATUSES,
			allPatients: true,
		},
	};
}

/** The credential types that have a FHIR profile, in the order the node lists them. */
export const FHIR_CREDENTIAL_TYPES = Object.keys(PROFILES);

/** The profile of a credential type; `node` is named in the error when the credential is unusable. */
export function getVendorProfile(
	credentialType: string,
	credentials: ICredentialDataDecryptedObject,
	node: INode = STUB_NODE,
): VendorProfile {
	const make = PROFILES[credentialType];
	if (!make)
		throw configError(node, `No vendor profile for the credential type "${credentialType}"`);
	return make(credentials, credentialType, node);
}
