// Bulk export status polling (IG v2): 202 + X-Progress + Retry-After until 200 with the
// manifest. Every wait is clamped between a floor and a ceiling (absurd Retry-After values —
// hours, or an epoch-looking number — are distrusted), 429 slows down, 5xx marked `transient`
// (and 502/503/504) are retried a bounded number of times, a maximum total wait applies, and on
// timeout or cancellation the job is deleted on the server.
import { NodeOperationError } from 'n8n-workflow';
import { abortableSleep } from '../sleep';
import { apiRequest, parseRetryAfter, type ApiRequest } from '../http';
import { isTimedOut } from '../http/limits';
import { apiError, vendorMessage } from '../errors';
import { isRecord } from '../values';
import { assertTokenOrigin } from './origin';
import type { BulkManifest, Ctx, PollOptions, RequestBounds } from './types';

/** The ApiRequest fields of a run's bounds: the time left of Maximum Total Wait, the largest answer. */
export function requestBounds(
	b: RequestBounds = {},
): Pick<ApiRequest, 'maxResponseBytes' | 'deadlineMs' | 'limitOptions'> {
	return {
		...(b.deadlineAt !== undefined ? { deadlineMs: Math.max(0, b.deadlineAt - Date.now()) } : {}),
		...(b.maxResponseBytes !== undefined ? { maxResponseBytes: b.maxResponseBytes } : {}),
		limitOptions: { size: 'Max Response Size (MB)', time: 'Maximum Total Wait (Seconds)' },
	};
}

export type StatusResult =
	| { kind: 'complete'; manifest: BulkManifest }
	| { kind: 'in-progress'; progress?: string; retryAfter?: string }
	| { kind: 'rate-limited'; retryAfter?: string }
	| { kind: 'transient'; status: number; message: string; retryAfter?: string };

function parseJson(body: unknown): unknown {
	if (typeof body === 'string') {
		try {
			return JSON.parse(body);
		} catch {
			return body;
		}
	}
	if (Buffer.isBuffer(body)) return parseJson(body.toString('utf8'));
	return body;
}

function isTransientOutcome(body: unknown): boolean {
	const b = body as { resourceType?: string; issue?: Array<{ code?: string }> } | undefined;
	return (
		b?.resourceType === 'OperationOutcome' && (b.issue ?? []).some((i) => i.code === 'transient')
	);
}

/** Validates a manifest answer and fills the arrays a server may leave out. */
export function normaliseManifest(body: unknown): BulkManifest | undefined {
	const m = parseJson(body);
	if (!isRecord(m) || !Array.isArray(m.output)) return undefined;
	return {
		...m,
		transactionTime: String(m.transactionTime ?? ''),
		request: String(m.request ?? ''),
		requiresAccessToken: m.requiresAccessToken === true,
		output: m.output,
		error: Array.isArray(m.error) ? m.error : [],
		deleted: Array.isArray(m.deleted) ? m.deleted : [],
	} as BulkManifest;
}

/** One status request. Throws for final errors (404, non-transient 5xx, 4xx) with the server's message. */
export async function checkStatus(
	ctx: Ctx,
	credentialType: string,
	statusUrl: string,
	itemIndex?: number,
	bounds?: RequestBounds,
): Promise<StatusResult> {
	const node = ctx.getNode();
	const what = 'Bulk export status check';
	await assertTokenOrigin(ctx, credentialType, statusUrl, what, itemIndex);
	const res = await apiRequest.call(ctx, credentialType, {
		method: 'GET',
		url: statusUrl,
		headers: { Accept: 'application/json' },
		okStatuses: [202, 404, 429, 500, 502, 503, 504],
		expectJson: false,
		what,
		itemIndex,
		...requestBounds(bounds),
	});
	const body = parseJson(res.body);
	if (res.status === 200) {
		const manifest = normaliseManifest(body);
		if (!manifest) {
			throw apiError(node, {
				what,
				status: 200,
				message: `${what} failed: the server answered 200 without a valid manifest (no "output" list)`,
				hint: 'Check that the status URL belongs to a FHIR Bulk Data export.',
				itemIndex,
			});
		}
		return { kind: 'complete', manifest };
	}
	if (res.status === 202)
		return {
			kind: 'in-progress',
			progress: res.headers['x-progress'],
			retryAfter: res.headers['retry-after'],
		};
	if (res.status === 429) return { kind: 'rate-limited', retryAfter: res.headers['retry-after'] };
	if (res.status === 404) {
		throw apiError(node, {
			what,
			status: 404,
			body,
			message: `${what} failed (HTTP 404): the export job is gone${vendorMessage(body) ? `: ${vendorMessage(body)}` : ''}`,
			hint: 'The job was cancelled, expired or already deleted on the server: start a new export.',
			itemIndex,
		});
	}
	if (isTransientOutcome(body) || res.status === 502 || res.status === 503 || res.status === 504) {
		return {
			kind: 'transient',
			status: res.status,
			message: vendorMessage(body) ?? `HTTP ${res.status}`,
			retryAfter: res.headers['retry-after'],
		};
	}
	throw apiError(node, {
		what,
		status: res.status,
		body,
		message: `${what} failed: the export failed on the server (HTTP ${res.status})${vendorMessage(body) ? `: ${vendorMessage(body)}` : ''}`,
		hint: 'The server reported the export as failed: check the parameters (types, filters) and start a new export.',
		itemIndex,
	});
}

/** The wait before the next poll: Retry-After (seconds or HTTP-date) clamped to [min, max]. */
export function clampWait(
	retryAfter: string | undefined,
	fallbackMs: number,
	o: Pick<PollOptions, 'minWaitMs' | 'maxWaitMs'>,
	now = Date.now(),
): { ms: number; distrusted: boolean } {
	const ra = parseRetryAfter(retryAfter, now);
	const wanted = ra ?? fallbackMs;
	const distrusted = ra !== undefined && ra > o.maxWaitMs;
	return {
		ms: Math.max(o.minWaitMs, Math.min(o.maxWaitMs, wanted)),
		distrusted,
	};
}

/** DELETE on the status URL (cancel). A 404 means it is gone already. */
export async function cancelExport(
	ctx: Ctx,
	credentialType: string,
	statusUrl: string,
	itemIndex?: number,
): Promise<{ status: number }> {
	await assertTokenOrigin(ctx, credentialType, statusUrl, 'Cancel bulk export', itemIndex);
	const res = await apiRequest.call(ctx, credentialType, {
		method: 'DELETE',
		url: statusUrl,
		headers: { Accept: 'application/fhir+json' },
		okStatuses: [404],
		expectJson: false,
		what: 'Cancel bulk export (DELETE status URL)',
		itemIndex,
	});
	return { status: res.status };
}

/** Polls until the manifest is ready; deletes the job on timeout or cancellation. */
export async function pollUntilComplete(
	ctx: Ctx,
	credentialType: string,
	statusUrl: string,
	o: PollOptions,
): Promise<BulkManifest> {
	const node = ctx.getNode();
	const signal = ctx.getExecutionCancelSignal?.();
	const deadlineAt = o.deadlineAt ?? Date.now() + o.maxTotalMs;
	const tooLong = `The bulk export did not finish within the maximum wait of ${Math.round(o.maxTotalMs / 100) / 10} s`;
	const tooLongHint =
		'Raise "Maximum Total Wait", or use Start Export and Check Export Status with n8n\'s Wait node for long exports.';
	let fallback = o.minWaitMs;
	let slowdown = 1;
	let transient = 0;
	let polls = 0;
	const giveUp = async (why: string, description: string): Promise<never> => {
		let note = '';
		if (signal?.aborted) {
			// n8n aborts every request of a stopped execution, so the DELETE cannot be sent from here
			throw new NodeOperationError(node, `${why}; the job is still on the server: ${statusUrl}`, {
				itemIndex: o.itemIndex,
				description:
					'Run the node with the operation Cancel Export and this status URL to delete the job, or let the server expire it.',
			});
		}
		if (o.cancelOnGiveUp) {
			try {
				const r = await cancelExport(ctx, credentialType, statusUrl, o.itemIndex);
				note =
					r.status === 404
						? ' (the job was already gone on the server)'
						: ' (the job was deleted on the server)';
			} catch (e) {
				note = ` (deleting the job on the server failed too: ${(e as Error).message})`;
			}
		}
		throw new NodeOperationError(node, `${why}${note}`, {
			itemIndex: o.itemIndex,
			description,
		});
	};
	for (;;) {
		if (signal?.aborted)
			return await giveUp('The bulk export was cancelled', 'The execution was stopped.');
		polls++;
		let r: StatusResult | undefined;
		let failure: unknown;
		try {
			r = await checkStatus(ctx, credentialType, statusUrl, o.itemIndex, { ...o, deadlineAt });
		} catch (e) {
			failure = e;
		}
		if (isTimedOut(failure))
			return await giveUp(
				`${tooLong} (a status check was still waiting for the server's answer)`,
				tooLongHint,
			);
		if (!r) throw failure;
		let waitMs: number;
		if (r.kind === 'complete') {
			ctx.logger.info(
				`Bulk export complete after ${polls} status checks: ${r.manifest.output.length} output files`,
			);
			return r.manifest;
		}
		if (r.kind === 'in-progress') {
			transient = 0;
			const w = clampWait(r.retryAfter, fallback, o);
			waitMs = Math.min(o.maxWaitMs, w.ms * slowdown);
			ctx.logger.info(
				`Bulk export in progress${r.progress ? `: ${r.progress}` : ''} (next check in ${Math.round(waitMs / 100) / 10} s)`,
			);
			if (w.distrusted)
				ctx.logger.warn(
					`Bulk export: Retry-After "${r.retryAfter}" is beyond the maximum wait; waiting ${Math.round(waitMs / 1000)} s instead`,
				);
			fallback = Math.min(o.maxWaitMs, Math.max(o.minWaitMs, fallback * 1.5));
		} else if (r.kind === 'rate-limited') {
			slowdown = Math.min(slowdown * 2, 64);
			const w = clampWait(r.retryAfter, fallback, o);
			waitMs = Math.min(o.maxWaitMs, Math.max(w.ms, o.minWaitMs * slowdown));
			ctx.logger.warn(
				`Bulk export status: rate-limited (HTTP 429); slowing down, next check in ${Math.round(waitMs / 100) / 10} s`,
			);
		} else {
			transient++;
			if (transient > o.maxTransientRetries) {
				throw new NodeOperationError(
					node,
					`Bulk export status check failed (HTTP ${r.status}) ${transient} times in a row: ${r.message}`,
					{
						itemIndex: o.itemIndex,
						description:
							'The server kept reporting a temporary failure. Try again later, or raise "Transient Error Retries". The job may still be running: use Check Export Status with the status URL.',
					},
				);
			}
			const w = clampWait(r.retryAfter, fallback * 2 ** (transient - 1), o);
			waitMs = w.ms;
			ctx.logger.warn(
				`Bulk export status: temporary failure (HTTP ${r.status}: ${r.message}); retry ${transient} of ${o.maxTransientRetries} in ${Math.round(waitMs / 100) / 10} s`,
			);
		}
		if (Date.now() + waitMs > deadlineAt) return await giveUp(tooLong, tooLongHint);
		try {
			await abortableSleep(waitMs, signal);
		} catch {
			return await giveUp('The bulk export was cancelled', 'The execution was stopped.');
		}
	}
}

/** Follows partial manifests (`link` relation `next`) and merges their lists into one manifest. */
export async function completeManifest(
	ctx: Ctx,
	credentialType: string,
	first: BulkManifest,
	statusUrl: string,
	itemIndex?: number,
	bounds?: RequestBounds,
): Promise<BulkManifest> {
	const merged: BulkManifest = {
		...first,
		output: [...first.output],
		error: [...first.error],
		deleted: [...first.deleted],
	};
	const seen = new Set<string>([statusUrl]);
	let page = first;
	let pages = 1;
	for (;;) {
		const next = (page.link ?? []).find((l) => l && l.relation === 'next')?.url;
		if (!next) break;
		const url = new URL(next, statusUrl).toString();
		if (seen.has(url) || pages >= 1000) {
			throw new NodeOperationError(
				ctx.getNode(),
				'The bulk export manifest links to a page it already returned (a loop)',
				{
					itemIndex,
					description: 'The server returned a broken partial manifest; try the export again later.',
				},
			);
		}
		seen.add(url);
		const sameOrigin = new URL(url).origin === new URL(statusUrl).origin;
		const res = await apiRequest.call(ctx, credentialType, {
			method: 'GET',
			url,
			headers: { Accept: 'application/json' },
			withAuth: sameOrigin,
			what: 'Bulk export manifest page',
			itemIndex,
			...requestBounds(bounds),
		});
		const m = normaliseManifest(res.body);
		if (!m) {
			throw new NodeOperationError(
				ctx.getNode(),
				`A bulk export manifest page (${pages + 1}) has no "output" list`,
				{
					itemIndex,
					description: 'The server returned a broken partial manifest; try the export again later.',
				},
			);
		}
		merged.output.push(...m.output);
		merged.error.push(...m.error);
		merged.deleted.push(...m.deleted);
		page = m;
		pages++;
	}
	delete merged.link;
	return merged;
}
