// Fault switches, deterministic by count. A fault is armed for one surface (or all), optionally
// for paths containing a string and one method; it skips `after` matching requests, then fires
// `times` times and disarms itself.
//
// Kinds handled by the framework before a route runs (app.ts):
//   rate-limit      429 with Retry-After (`retryAfter`, default "1")
//   unavailable     503 (with Retry-After when `retryAfter` is set)
//   html-200        an HTML error page with status 200
//   html-500        an HTML error page with status 500 (or `status`, e.g. 429 / 503 from a proxy,
//                   with Retry-After when `retryAfter` is set)
//   expired-token   401 in the surface's own shape, as for an expired access token
//   slow            waits `delayMs` (default 2000) before the first byte, then answers normally
//   reset           answers normally but destroys the connection halfway through the body
//   drip            answers normally but sends the body one byte per `delayMs` (default 1000)
// Kinds a route consults itself with app.faults.take(...):
//   loop-next       a list page whose `next` points back at the same page
//   foreign-next    a list page whose `next` points at another origin (the file origin)
//   redirect        the route answers 302 to the same resource at another path
//   truncate-ndjson an NDJSON file cut off in the middle of a line
//   lost-response   the request is carried out (e.g. a booking committed), then the socket dies:
//                   MyPatientPortal booking / PUT / DELETE of appointments, and the eMedicalPractice
//                   Standard API's POST /patient/{pid}/appointment (the appointment is stored) and
//                   DELETE /patient/{pid}/appointment/{eid} (it is removed)
//   transient-5xx   a 5xx with an OperationOutcome whose issue code is `transient` (bulk status and
//                   files); on the eMedicalPractice Standard API's DELETE /patient/{pid}/appointment/
//                   {eid}: nothing removed, HTTP `status` (default 500) in its
//                   {validationErrors, internalErrors, data} envelope
export const FRAMEWORK_FAULTS = [
	'rate-limit',
	'unavailable',
	'html-200',
	'html-500',
	'expired-token',
	'slow',
	'reset',
	'drip',
] as const;
export const ROUTE_FAULTS = [
	'loop-next',
	'foreign-next',
	'redirect',
	'truncate-ndjson',
	'lost-response',
	'transient-5xx',
] as const;
export type FaultKind = (typeof FRAMEWORK_FAULTS)[number] | (typeof ROUTE_FAULTS)[number];
export const ALL_FAULTS: readonly string[] = [...FRAMEWORK_FAULTS, ...ROUTE_FAULTS];

export interface FaultSpec {
	/** surface id (onpatient, oneup, mpp, emp, smart, files) or '*' */
	surface: string;
	kind: FaultKind;
	/** how many times it fires (default 1) */
	times?: number;
	/** matching requests to let through before it fires (default 0) */
	after?: number;
	/** only paths containing this string */
	pathContains?: string;
	/** only this HTTP method */
	method?: string;
	/** Retry-After header value for rate-limit / unavailable */
	retryAfter?: string;
	/** for slow (before the first byte) and drip (between bytes) */
	delayMs?: number;
	/** for transient-5xx: status code (default 503); for html-500: the page's status (default 500) */
	status?: number;
}

interface ArmedFault extends FaultSpec {
	id: number;
	remaining: number;
	skip: number;
}

export interface FiredFault {
	id: number;
	kind: FaultKind;
	surface: string;
	method: string;
	path: string;
}

export class Faults {
	private armed: ArmedFault[] = [];
	private nextId = 1;
	readonly fired: FiredFault[] = [];

	add(spec: FaultSpec): number {
		if (!ALL_FAULTS.includes(spec.kind)) throw new Error(`Unknown fault kind "${spec.kind}"`);
		const id = this.nextId++;
		this.armed.push({ ...spec, id, remaining: spec.times ?? 1, skip: spec.after ?? 0 });
		return id;
	}

	clear(): void {
		this.armed = [];
		this.fired.length = 0;
	}

	list(): ArmedFault[] {
		return this.armed.map((f) => ({ ...f }));
	}

	/**
	 * Returns the fault to apply to this request, consuming one count, or undefined. Only kinds
	 * in `kinds` are considered, so a route asking for 'loop-next' never consumes a 'rate-limit'.
	 */
	take(
		surface: string,
		kinds: readonly string[],
		method: string,
		path: string,
	): ArmedFault | undefined {
		for (const f of this.armed) {
			if (!kinds.includes(f.kind)) continue;
			if (f.surface !== '*' && f.surface !== surface) continue;
			if (f.pathContains && !path.includes(f.pathContains)) continue;
			if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
			if (f.skip > 0) {
				f.skip--;
				continue;
			}
			f.remaining--;
			if (f.remaining <= 0) this.armed = this.armed.filter((a) => a !== f);
			this.fired.push({ id: f.id, kind: f.kind, surface, method, path });
			return f;
		}
		return undefined;
	}
}
