// Helpers for the FHIR Bulk Export integration tests: a sandbox with small bulk options, a
// stand-in SMART Backend Services credential (60-s tokens from the sandbox's token store through
// a real preAuthentication with an expirable field), quick node parameters, and one sandbox per
// describe block with the node's run and the request log at hand (useBulkSandbox).
import type {
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';
import { runNode, type HarnessResult } from '../../harness';
import { withSandbox } from '../../helpers/sandbox';
import { FhirBulkExport } from '../../../nodes/FhirBulkExport/FhirBulkExport.node';
import type { Sandbox } from '../../../sandbox/server';
import type { LoggedRequest, SandboxOptions } from '../../../sandbox/app';

export const BULK_SCOPES = [
	'system/*.read',
	'system/*.$export',
	'system/*.$bulkdata-status',
	'system/Binary.read',
];

/**
 * A stand-in for `smartBackendServicesApi` used where the test is about the export, not about
 * JWT assertions: its preAuthentication mints a 60-second token in the sandbox's token store.
 */
export function stubBackendCredential(
	sb: Sandbox,
	surface: 'smart' | 'emp' = 'smart',
	clientId = 'test',
): ICredentialType {
	return {
		name: 'smartBackendServicesApi',
		displayName: 'SMART Backend Services (test stand-in)',
		properties: [
			{ displayName: 'FHIR Base URL', name: 'fhirBaseUrl', type: 'string', default: '' },
			{
				displayName: 'Access Token',
				name: 'accessToken',
				type: 'hidden',
				typeOptions: { expirable: true },
				default: '',
			},
			{ displayName: 'Expires At', name: 'expiresAt', type: 'hidden', default: 0 },
		],
		async preAuthentication(this: IHttpRequestHelper, _c: ICredentialDataDecryptedObject) {
			const t = sb.app.tokens.issue({
				surface,
				clientId,
				scopes: BULK_SCOPES,
				lifetimeSeconds: 60,
			});
			return { accessToken: t.access_token, expiresAt: Date.now() + 60_000 };
		},
		authenticate: {
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
		},
	} as ICredentialType;
}

export const FAST = { minWait: 0.02, maxWait: 1, maxTotalWait: 30 };

export function params(p: INodeParameters): INodeParameters {
	return {
		authentication: 'smartBackendServicesApi',
		operation: 'bulkExport',
		level: 'system',
		...p,
		options: { ...FAST, ...((p.options as object) ?? {}) },
	};
}

export async function setBulkOptions(sb: Sandbox, o: Record<string, unknown>): Promise<void> {
	const r = await fetch(`${sb.url}/_admin/bulk/options`, {
		method: 'POST',
		body: JSON.stringify(o),
		headers: { 'content-type': 'application/json' },
	});
	if (r.status !== 200) throw new Error(`bulk options: ${r.status}`);
}

export interface AdminJob {
	id: string;
	status: string;
	method: string;
	level: string;
	groupId?: string;
	params: {
		patients: string[];
		types: string[];
		since?: string;
		until?: string;
		elements: string[];
		typeFilters: Array<{ type: string }>;
		includeAssociatedData: string[];
	};
}

export async function jobs(sb: Sandbox): Promise<AdminJob[]> {
	return ((await (await fetch(`${sb.url}/_admin/bulk/jobs`)).json()) as { jobs: AdminJob[] }).jobs;
}

/** Runs the FHIR Bulk Export node through the harness against the sandbox's SMART server with the stand-in credential. */
export function runBulk(
	sb: Sandbox,
	p: INodeParameters,
	extra: { continueOnFail?: boolean; items?: INodeExecutionData[] } = {},
): Promise<HarnessResult> {
	return runNode(FhirBulkExport, {
		parameters: params(p),
		credentials: { smartBackendServicesApi: { fhirBaseUrl: `${sb.url}/smart/fhir` } },
		credentialTypes: [stubBackendCredential(sb)],
		...extra,
	});
}

export type RunExtra = Parameters<typeof runBulk>[2];

/** A sandbox of the enclosing describe block, with the node run against it and its request log. */
export interface BulkSandbox {
	/** the sandbox (started in beforeAll) */
	readonly sb: Sandbox;
	/** runs the node with the stand-in credential (runBulk) */
	run(p: INodeParameters, extra?: RunExtra): Promise<HarnessResult>;
	/** the sequence number of the last request the sandbox logged */
	lastSeq(): number;
	/** the requests logged after the given sequence number */
	newRequests(since: number): LoggedRequest[];
	/** a system-level Start Export of these types, then Check Export Status until complete: the complete item's JSON */
	completedExport(types: string[]): Promise<IDataObject>;
}

/** Starts a sandbox with the given options before the enclosing describe block's tests and closes it after them. */
export function useBulkSandbox(options: SandboxOptions): BulkSandbox {
	let started: Sandbox | undefined;
	beforeAll(async () => {
		started = await withSandbox(options);
	});
	afterAll(() => started?.close());
	const sandbox = (): Sandbox => {
		if (!started) throw new Error('the bulk sandbox is used outside its tests');
		return started;
	};
	return {
		get sb() {
			return sandbox();
		},
		run: (p, extra = {}) => runBulk(sandbox(), p, extra),
		lastSeq: () => sandbox().app.requests.at(-1)?.seq ?? 0,
		newRequests: (since) => sandbox().app.requests.filter((r) => r.seq > since),
		completedExport: async (types) => {
			const started = (
				await runBulk(sandbox(), { operation: 'startExport', level: 'system', types })
			).output[0][0];
			// the sandbox writes the files in the background: on a busy machine that takes a while
			for (let n = 0; n < 100; n++) {
				const checked = (
					await runBulk(sandbox(), { operation: 'checkStatus' }, { items: [started] })
				).output[0][0];
				if (checked.json.status === 'complete') return checked.json;
				await new Promise((r) => setTimeout(r, 50));
			}
			throw new Error('export did not complete');
		},
	};
}
