// Shared setup of the EHR FHIR node's integration tests: one sandbox per test file (with a heavy
// patient, so lists take several pages on every vendor), the hooks that put the fault and list-shape
// switches back around each test, a run function for the node, and an ad-hoc FHIR server on the
// `smart` surface whose answers a test chooses (for bodies no sandbox vendor sends).
import type { ServerResponse } from 'node:http';
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import type { SandboxOptions } from '../../../sandbox/app';
import { sendJson, type SandboxRequest } from '../../../sandbox/http';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { credentialsFor, type Vendor } from './fixtures';

/** the patient with 130 immunizations: several pages everywhere (onpatient 50, 1up 100, emp 20, smart 100) */
export const HEAVY_PATIENT = 'pt-00007';

/**
 * Starts the sandbox for this test file (and stops it), hands it to `use` once it runs; before each
 * test the armed faults are cleared, after each test the onpatient list shape is back to `results`.
 */
export function useFhirSandbox(use: (sb: Sandbox) => void, options: SandboxOptions = {}): void {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await withSandbox({ heavyPatients: { [HEAVY_PATIENT]: 130 }, ...options });
		use(sb);
	});
	afterAll(() => sb.close());
	beforeEach(() => sb.app.faults.clear());
	afterEach(async () => {
		await fetch(`${sb.url}/_admin/fhir/settings`, {
			method: 'POST',
			body: JSON.stringify({ onpatientListShape: 'results' }),
		});
	});
}

/** Runs the EHR FHIR node with this vendor's credential (a fresh token) and these parameters. */
export async function runFhir(
	sb: Sandbox,
	vendor: Vendor,
	parameters: Record<string, unknown>,
	items?: Array<{ json: Record<string, unknown> }>,
	opts: { continueOnFail?: boolean } = {},
) {
	const { type, store } = credentialsFor(sb, vendor);
	return runNode(EhrFhir, {
		parameters: { authentication: type, ...parameters } as never,
		credentials: store,
		items: items as never,
		...opts,
	});
}

/** The error the node fails with; fails the test when the node does not fail. */
export async function failure(p: Promise<unknown>): Promise<NodeApiError & NodeOperationError> {
	try {
		await p;
	} catch (e) {
		return e as NodeApiError & NodeOperationError;
	}
	throw new Error('expected the node to fail');
}

type Answer = (req: SandboxRequest, res: ServerResponse) => void;

/** what the ad-hoc FHIR server answers; tests replace these */
export interface AdHocFhir {
	/** to an Immunization search */
	immunizationSearch: Answer;
	/** to a Patient read */
	patientRead: Answer;
}

/** where the ad-hoc FHIR server lives (main origin, `smart` surface) */
export const AD_HOC_FHIR = '/adhoc/fhir';

/**
 * Registers the ad-hoc FHIR server on the sandbox. Immunization searches and Patient reads answer
 * what the returned object says (`{}` until a test sets them); a Patient search answers one patient
 * (p1, Ann Lee) with a next link to the sandbox's other origin.
 */
export function serveAdHocFhir(sb: Sandbox): AdHocFhir {
	const answers: AdHocFhir = {
		immunizationSearch: (_req, res) => sendJson(res, 200, {}),
		patientRead: (_req, res) => sendJson(res, 200, {}),
	};
	sb.app.route('GET', `${AD_HOC_FHIR}/Immunization`, 'smart', (req, res) =>
		answers.immunizationSearch(req, res),
	);
	sb.app.route('GET', `${AD_HOC_FHIR}/Patient/:id`, 'smart', (req, res) =>
		answers.patientRead(req, res),
	);
	sb.app.route('GET', `${AD_HOC_FHIR}/Patient`, 'smart', (_req, res) =>
		sendJson(res, 200, {
			resourceType: 'Bundle',
			entry: [
				{
					resource: {
						resourceType: 'Patient',
						id: 'p1',
						name: [{ given: ['Ann'], family: 'Lee' }],
					},
				},
			],
			link: [{ relation: 'next', url: sb.app.filesUrl(`${AD_HOC_FHIR}/Patient?page=2`) }],
		}),
	);
	return answers;
}

/** the SMART on FHIR credential, pointed at the ad-hoc server */
export function adHocCredentials(sb: Sandbox) {
	const { type, store } = credentialsFor(sb, 'smart');
	store[type].fhirBaseUrl = `${sb.url}${AD_HOC_FHIR}`;
	return { type, store };
}
