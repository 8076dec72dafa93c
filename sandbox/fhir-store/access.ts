// Scopes of the store surfaces. Reads keep the read surfaces' rules; writes need a write scope:
// SMART v1 `<ctx>/<Type|*>.write` or `.*`, v2 `.c` (create), `.u` (update, patch), `.d` (delete)
// and their combinations (`.cud`, `.cruds`). A token whose only fitting scope is `patient/…` may
// only touch its own patient's compartment.
import { scopeAllows, type TokenRecord } from '../tokens';
import type { Res } from './store';
import { paramDef, refsOf } from './params';

export type Action = 'read' | 'c' | 'u' | 'd';

export interface Result {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface Grant {
	token: TokenRecord;
	/** the one patient this token may touch, or undefined for any */
	only?: string;
}

export function outcomeOf(
	code: string,
	diagnostics: string,
	extra: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		resourceType: 'OperationOutcome',
		issue: [{ severity: 'error', code, diagnostics, ...extra }],
	};
}

export function fail(status: number, code: string, diagnostics: string): Result {
	return { status, body: outcomeOf(code, diagnostics) };
}

const FORBIDDEN = (): Result =>
	fail(403, 'forbidden', 'The access token does not grant the scope this request needs.');

function writeAllows(scopes: string[], ctx: string, type: string, action: Action): boolean {
	return scopes.some((g) => {
		const m = /^(patient|user|system)\/([A-Za-z*]+)\.(.+)$/.exec(g);
		if (!m || m[1] !== ctx || (m[2] !== '*' && m[2] !== type)) return false;
		const perm = m[3];
		if (perm === '*' || perm === 'write') return true;
		return /^c?r?u?d?s?$/.test(perm) && perm.includes(action);
	});
}

/**
 * May `token` do `action` on `type` on this surface? `oneup` tokens are always limited to their
 * patient when they have one (as its reads are); SMART-style surfaces only for patient/ scopes.
 */
export function grant(
	surface: string,
	token: TokenRecord,
	type: string,
	action: Action,
): Grant | Result {
	const allows = (ctx: string) =>
		action === 'read'
			? scopeAllows(token.scopes, `${ctx}/${type}.read`)
			: writeAllows(token.scopes, ctx, type, action);
	if (surface === 'oneup') {
		return allows('user') || allows('patient') ? { token, only: token.patient } : FORBIDDEN();
	}
	if (allows('user') || allows('system')) return { token };
	if (!allows('patient')) return FORBIDDEN();
	if (!token.patient)
		return fail(403, 'forbidden', 'The token has patient/ scopes but no patient in context.');
	return { token, only: token.patient };
}

/** The patients a resource belongs to (its compartment), as ids. */
export function patientsOf(r: Res): string[] {
	if (r.resourceType === 'Patient') return [r.id];
	const def = paramDef(r.resourceType, 'patient');
	if (!def) return [];
	return refsOf(r, def)
		.filter((k) => k.startsWith('Patient/'))
		.map((k) => k.slice('Patient/'.length));
}

/** 403 when a patient-limited grant reaches outside its patient; undefined when allowed. */
export function compartment(g: Grant, r: Res): Result | undefined {
	if (g.only === undefined) return undefined;
	if (patientsOf(r).includes(g.only)) return undefined;
	return fail(
		403,
		'forbidden',
		`The access token is limited to another patient; it cannot reach ${r.resourceType}/${r.id}.`,
	);
}

export function isResult(x: Grant | Result): x is Result {
	return (x as Result).status !== undefined;
}
