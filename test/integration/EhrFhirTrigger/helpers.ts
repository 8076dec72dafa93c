// Shared by the EHR FHIR Trigger tests: one poll through the harness with a vendor's credential,
// static data carried between polls, and FHIR writes to the sandbox's stores over HTTP.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { runPoll, type PollResult } from '../../harness';
import { EhrFhirTrigger } from '../../../nodes/EhrFhirTrigger/EhrFhirTrigger.node';
import { getVendorProfile } from '../../../nodes/shared/vendors';
import { credentialsFor, type Vendor } from '../EhrFhir/fixtures';
import { storeCredentials } from '../EhrFhir/store';

export interface Poller {
	/** the node's static data, carried from poll to poll as n8n does */
	staticData: IDataObject;
	poll(opts?: { mode?: 'trigger' | 'manual' }): Promise<PollResult>;
	/** one poll's items (empty when it returned null) */
	items(): Promise<IDataObject[]>;
}

/** A trigger with these parameters on this vendor (fresh token each poll). */
export function poller(
	sb: Sandbox,
	vendor: Vendor,
	parameters: Record<string, unknown>,
	staticData: IDataObject = {},
): Poller {
	const p: Poller = {
		staticData,
		async poll(opts = {}) {
			const { type, store } =
				vendor === 'onpatient' ? credentialsFor(sb, vendor) : storeCredentials(sb, vendor);
			return await runPoll(EhrFhirTrigger, {
				parameters: { authentication: type, ...parameters } as never,
				credentials: store,
				staticData: p.staticData,
				mode: opts.mode,
			});
		},
		async items() {
			const { output } = await p.poll();
			return (output?.[0] ?? []).map((i: INodeExecutionData) => i.json);
		},
	};
	return p;
}

/** The FHIR base URL of a store vendor. */
export function baseUrl(sb: Sandbox, vendor: Vendor): string {
	const { type, store } = credentialsFor(sb, vendor);
	return getVendorProfile(type, store[type]).fhirBaseUrl;
}

/** A FHIR request to the vendor's store with a writing token; the parsed answer. */
export async function fhir(
	sb: Sandbox,
	vendor: Vendor,
	method: string,
	path: string,
	body?: unknown,
): Promise<IDataObject> {
	const { type, store } = storeCredentials(sb, vendor);
	const data = store[type] as IDataObject;
	const token =
		(data.oauthTokenData as IDataObject | undefined)?.access_token ?? (data.accessToken as string);
	const res = await fetch(`${baseUrl(sb, vendor)}/${path}`, {
		method,
		headers: {
			authorization: `Bearer ${String(token)}`,
			'content-type': 'application/fhir+json',
			accept: 'application/fhir+json',
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = (await res.json()) as IDataObject;
	if (res.status >= 300)
		throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
	return json;
}

/** A new Patient (created through the FHIR API). */
export async function createPatient(
	sb: Sandbox,
	vendor: Vendor,
	family: string,
): Promise<IDataObject> {
	return await fhir(sb, vendor, 'POST', 'Patient', {
		resourceType: 'Patient',
		name: [{ family, given: ['Trigger'] }],
		birthDate: '1990-02-03',
	});
}

/** Updates a resource: reads it, changes `patch` fields, PUTs it back. */
export async function updateResource(
	sb: Sandbox,
	vendor: Vendor,
	type: string,
	id: string,
	patch: IDataObject,
): Promise<IDataObject> {
	const current = await fhir(sb, vendor, 'GET', `${type}/${id}`);
	return await fhir(sb, vendor, 'PUT', `${type}/${id}`, { ...current, ...patch });
}

export async function admin(sb: Sandbox, path: string, body: unknown): Promise<IDataObject> {
	const res = await fetch(`${sb.url}/_admin${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const json = (await res.json()) as IDataObject;
	if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(json)}`);
	return json;
}

export const keyOf = (r: IDataObject) =>
	`${String(r.resourceType)}/${String(r.id)}@${String((r.meta as IDataObject | undefined)?.versionId)}`;
