// A tiny FHIR client for the store tests: a token of given scopes on a surface, plain fetch.
import type { Sandbox } from '../../sandbox/server';

export const BASES = { smart: '/smart/fhir', emp: '/emp/fhir/r4', oneup: '/1up/api/r4' } as const;
export type StoreSurface = keyof typeof BASES;

export interface Reply {
	status: number;
	headers: Headers;
	body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface FhirClient {
	base: string;
	token: string;
	/** `path` relative to the base (or an absolute URL); a body object is sent as application/fhir+json */
	call(
		method: string,
		path: string,
		body?: unknown,
		headers?: Record<string, string>,
	): Promise<Reply>;
	get(path: string): Promise<Reply>;
}

export function client(
	sb: Sandbox,
	surface: StoreSurface,
	scopes: string[],
	patient?: string,
): FhirClient {
	const token = sb.app.tokens.issue({
		surface,
		clientId: 'test',
		scopes,
		lifetimeSeconds: 3600,
		patient,
	}).access_token;
	const base = sb.url + BASES[surface];
	const call = async (
		method: string,
		path: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<Reply> => {
		const h: Record<string, string> = {
			authorization: `Bearer ${token}`,
			accept: 'application/fhir+json',
			...headers,
		};
		let payload: string | undefined;
		if (body !== undefined) {
			payload = typeof body === 'string' ? body : JSON.stringify(body);
			if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
				h['content-type'] = 'application/fhir+json';
		}
		const url = path.startsWith('http') ? path : `${base}${path ? `/${path}` : ''}`;
		const r = await fetch(url, { method, headers: h, body: payload });
		const text = await r.text();
		return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
	};
	return { base, token, call, get: (path) => call('GET', path) };
}

export function observation(
	pid: string,
	code = '8867-4',
	value = 72,
	extra: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		resourceType: 'Observation',
		status: 'final',
		code: { coding: [{ system: 'http://loinc.org', code }] },
		subject: { reference: `Patient/${pid}` },
		effectiveDateTime: '2024-05-01T10:00:00Z',
		valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
		...extra,
	};
}

export async function admin(
	sb: Sandbox,
	method: string,
	path: string,
	body?: unknown,
): Promise<any> {
	// eslint-disable-line @typescript-eslint/no-explicit-any
	const r = await fetch(`${sb.url}/_admin${path}`, {
		method,
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return r.json();
}

export async function storeCount(
	sb: Sandbox,
	surface: StoreSurface,
	type: string,
): Promise<number> {
	return (await admin(sb, 'GET', `/fhir/store?surface=${surface}&type=${type}`)).count as number;
}

/** Every page of a Bundle list, following next links. */
export async function allPages(c: FhirClient, first: string): Promise<Reply[]> {
	const pages: Reply[] = [];
	let url: string | undefined = first;
	while (url && pages.length < 500) {
		const r = await c.get(url);
		pages.push(r);
		url = r.body?.link?.find((l: { relation: string }) => l.relation === 'next')?.url;
	}
	return pages;
}
