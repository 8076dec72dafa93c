// Bulk export kick-off (FHIR Bulk Data Access IG v2): GET with query parameters, or POST with a
// `Parameters` body when patient references are given. Exactly `Accept: application/fhir+json`
// (some servers refuse `*/*`) and `Prefer: respond-async`; the answer is 202 + Content-Location.
import { NodeOperationError } from 'n8n-workflow';
import { itemError } from '../runner';
import { abortableSleep } from '../sleep';
import { apiRequest, encodePathSegment, parseRetryAfter, type ApiResponse } from '../http';
import { credentialFailureOf } from '../token-failures';
import type { Ctx, ExportRequest } from './types';

const KICKOFF_MAX_ATTEMPTS = 4;
const KICKOFF_MIN_WAIT_MS = 200;
const KICKOFF_MAX_WAIT_MS = 30_000;

export const KICKOFF_HEADERS = {
	Accept: 'application/fhir+json',
	Prefer: 'respond-async',
} as const;

export function kickoffUrl(base: string, req: Pick<ExportRequest, 'level' | 'groupId'>): string {
	if (req.level === 'patient') return `${base}/Patient/$export`;
	if (req.level === 'group') return `${base}/Group/${encodePathSegment(req.groupId ?? '')}/$export`;
	return `${base}/$export`;
}

/** GET query parameters of a kick-off. */
export function kickoffQuery(req: ExportRequest): Record<string, string | string[]> {
	const qs: Record<string, string | string[]> = {};
	if (req.outputFormat) qs._outputFormat = req.outputFormat;
	if (req.since) qs._since = req.since;
	if (req.until) qs._until = req.until;
	if (req.types.length) qs._type = req.types.join(',');
	if (req.elements.length) qs._elements = req.elements.join(',');
	if (req.typeFilters.length) qs._typeFilter = req.typeFilters;
	if (req.includeAssociatedData.length)
		qs.includeAssociatedData = req.includeAssociatedData.join(',');
	for (const { name, value } of req.extra) {
		const prev = qs[name];
		qs[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
	}
	return qs;
}

/** POST body of a kick-off: a FHIR Parameters resource. */
export function kickoffParameters(req: ExportRequest): Record<string, unknown> {
	const parameter: Array<Record<string, unknown>> = [];
	if (req.outputFormat) parameter.push({ name: '_outputFormat', valueString: req.outputFormat });
	if (req.since) parameter.push({ name: '_since', valueInstant: req.since });
	if (req.until) parameter.push({ name: '_until', valueInstant: req.until });
	if (req.types.length) parameter.push({ name: '_type', valueString: req.types.join(',') });
	if (req.elements.length)
		parameter.push({ name: '_elements', valueString: req.elements.join(',') });
	for (const f of req.typeFilters) parameter.push({ name: '_typeFilter', valueString: f });
	for (const v of req.includeAssociatedData)
		parameter.push({ name: 'includeAssociatedData', valueCode: v });
	for (const p of req.patients)
		parameter.push({ name: 'patient', valueReference: { reference: p } });
	for (const { name, value } of req.extra) parameter.push({ name, valueString: value });
	return { resourceType: 'Parameters', parameter };
}

/** Normalises `pt-1`, `Patient/pt-1` and full URLs to `Patient/<id>` references. */
export function patientReference(value: string): string {
	const v = value.trim();
	const m = /(?:^|\/)Patient\/([^/?#]+)$/.exec(v);
	return m ? `Patient/${m[1]}` : `Patient/${v}`;
}

export interface KickoffResult {
	statusUrl: string;
	kickoffUrl: string;
	method: 'GET' | 'POST';
}

export async function kickOff(
	ctx: Ctx,
	credentialType: string,
	base: string,
	req: ExportRequest,
	itemIndex: number,
): Promise<KickoffResult> {
	const node = ctx.getNode();
	if (req.level === 'group' && !req.groupId) {
		throw new NodeOperationError(node, 'Group export needs a Group ID', {
			itemIndex,
			description: 'Fill in the Group ID, or choose another export level.',
		});
	}
	const method: 'GET' | 'POST' =
		req.method === 'auto' ? (req.patients.length ? 'POST' : 'GET') : req.method;
	if (method === 'GET' && req.patients.length) {
		throw new NodeOperationError(node, 'Patient references can only be sent with a POST kick-off', {
			itemIndex,
			description: 'Set Kick-off Method to Automatic or POST, or remove the patient references.',
		});
	}
	if (req.patients.length && req.level === 'system') {
		throw new NodeOperationError(node, 'Patient references are not allowed at system level', {
			itemIndex,
			description: 'Choose the export level "All Patients" or "Group" to export specific patients.',
		});
	}
	const url = kickoffUrl(base, req);
	// A kick-off that reached the server may have started a job, GET as much as POST: it is never
	// sent again after a broken connection or an unclear answer (a second job would run and leave
	// its files on the server). Only 429 and 503 — the server saying it did not start anything —
	// are waited out (Retry-After, bounded) and sent again.
	const signal = ctx.getExecutionCancelSignal?.();
	let res: ApiResponse;
	for (let attempt = 1; ; attempt++) {
		try {
			res = await apiRequest.call(ctx, credentialType, {
				method,
				url,
				qs: method === 'GET' ? kickoffQuery(req) : undefined,
				body: method === 'POST' ? kickoffParameters(req) : undefined,
				headers:
					method === 'POST'
						? { ...KICKOFF_HEADERS, 'Content-Type': 'application/fhir+json' }
						: { ...KICKOFF_HEADERS },
				retry: false,
				okStatuses: [429, 503],
				expectJson: false,
				what: `Bulk export kick-off (${method} ${url})`,
				itemIndex,
			});
		} catch (e) {
			const err = itemError(node, e, itemIndex);
			const status = Number((err as { httpCode?: unknown }).httpCode);
			if (credentialFailureOf(err)) {
				// the credential had no token: the kick-off was never sent, or refused without one
				err.description = `${err.description ?? ''} No export was started.`.trim();
			} else if (!(Number.isInteger(status) && status >= 100)) {
				const note =
					'The kick-off may have reached the server and started an export before the connection broke; it was not sent again, so that no second export runs. If the server lists your exports, cancel the stray one; otherwise it expires on the server.';
				err.description = err.description ? `${err.description} ${note}` : note;
			}
			throw err;
		}
		if (res.status !== 429 && res.status !== 503) break;
		if (attempt >= KICKOFF_MAX_ATTEMPTS) {
			throw new NodeOperationError(
				node,
				`Bulk export kick-off was refused ${attempt} times (HTTP ${res.status}): the server is busy or rate-limiting`,
				{
					itemIndex,
					description: 'No export was started. Try again later.',
				},
			);
		}
		const ra = parseRetryAfter(res.headers['retry-after']);
		const wait = Math.min(
			KICKOFF_MAX_WAIT_MS,
			Math.max(KICKOFF_MIN_WAIT_MS, ra ?? 1000 * 2 ** (attempt - 1)),
		);
		ctx.logger.warn(
			`Bulk export kick-off: HTTP ${res.status}, sending it again in ${Math.round(wait / 100) / 10} s (attempt ${attempt + 1} of ${KICKOFF_MAX_ATTEMPTS})`,
		);
		await abortableSleep(wait, signal);
	}
	const location = res.headers['content-location'];
	if (res.status !== 202 || !location) {
		throw new NodeOperationError(
			node,
			`Bulk export kick-off answered ${res.status} without a status URL`,
			{
				itemIndex,
				description:
					'The server did not start an asynchronous export (202 with Content-Location). Check that the FHIR base URL points at a server that supports FHIR Bulk Data export.',
			},
		);
	}
	return {
		statusUrl: new URL(location, url).toString(),
		kickoffUrl: res.url,
		method,
	};
}
