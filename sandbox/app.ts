// The sandbox application: configuration, shared state (clock, tokens, clients, data, faults,
// request log), the router of both origins, the admin API and the auth check every data route
// uses. Surfaces (surfaces/*.ts) and the OAuth servers (oauth/*.ts) register routes on it.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from './clock';
import { FRAMEWORK_FAULTS, Faults, type FaultSpec } from './faults';
import {
	HttpError,
	Router,
	sendHtml,
	sendJson,
	bearerToken,
	type Handler,
	type SandboxRequest,
} from './http';
import { TokenStore, scopeAllows, type TokenRecord } from './tokens';

export const SURFACES = ['onpatient', 'oneup', 'mpp', 'emp', 'smart'] as const;
export type SurfaceId = (typeof SURFACES)[number];

/** Where each surface lives under the main origin. Credentials point their base URLs here. */
export const PREFIX = {
	onpatientAuth: '/onpatient/auth', // stands for https://onpatient.com
	onpatientApi: '/onpatient/api', // stands for https://drchrono.com
	oneupAuth: '/1up/auth', // stands for https://auth.1up.health
	oneupApi: '/1up/api', // stands for https://api.1up.health
	mpp: '/mpp', // stands for https://<practice>.your-patient-portal.com
	emp: '/emp', // stands for https://fhirbackup.emedpractice.com:8443
	smart: '/smart', // a generic SMART on FHIR R4 server
} as const;

export interface SandboxOptions {
	host?: string;
	/** main origin port; 0 = any free port */
	port?: number;
	/** second origin (bulk files with requiresAccessToken false, foreign `next` links); 0 = any */
	filePort?: number;
	/** data seed (default 42) */
	seed?: number;
	/** number of synthetic patients (default 50) */
	patients?: number;
	/** registration file with the OAuth clients (default: sandbox/clients.json) */
	clientsFile?: string;
	/** more redirect URIs for every browser-login client of the clients file */
	redirectUris?: string[];
	/** ports of n8n instances on this machine: their OAuth callback URLs become redirect URIs too */
	n8nPorts?: number[];
	/** authorize pages approve at once, without a click (default false) */
	autoApprove?: boolean;
	/** token lifetimes in seconds, per surface, plus `clientCredentials` (default 60) */
	tokenLifetimes?: Partial<Record<SurfaceId | 'clientCredentials', number>>;
	/** log each request to stdout */
	verbose?: boolean;
	/** data set: patient id → exact immunization count (e.g. { 'pt-00001': 10000 } for benchmarks) */
	heavyPatients?: Record<string, number>;
	/** data set: [min, max] immunizations per ordinary patient (default [3, 15]) */
	immunizationsPerPatient?: [number, number];
	/** onpatient Immunization list shape: {count,next,previous,results} (default) or a FHIR Bundle */
	onpatientListShape?: 'results' | 'bundle';
	/** eMedicalPractice FHIR page size (_count is ignored there; default 20) */
	empPageSize?: number;
	/** generic SMART server: default and maximum _count (20, 100) */
	smartDefaultCount?: number;
	smartMaxCount?: number;
	/** surface-specific settings (documented by each surface) */
	[key: string]: unknown;
}

export interface LoggedRequest {
	seq: number;
	origin: 'main' | 'files';
	surface?: string;
	method: string;
	path: string;
	query: string;
	headers: Record<string, string>;
	status?: number;
	fault?: string;
}

export const DEFAULT_LIFETIMES: Record<SurfaceId | 'clientCredentials', number> = {
	onpatient: 48 * 3600,
	oneup: 7200,
	mpp: 3600,
	emp: 3600,
	smart: 3600,
	clientCredentials: 60,
};

type AuthShape = 'drf' | 'oauth' | 'fhir' | 'oneup';

export class SandboxApp {
	readonly clock = new Clock();
	readonly faults = new Faults();
	readonly tokens: TokenStore;
	readonly router = new Router();
	readonly fileRouter = new Router();
	readonly requests: LoggedRequest[] = [];
	/** per-surface state owned by the surfaces (data sets, bookings, bulk jobs…) */
	readonly state: Record<string, unknown> = {};
	/** called by `reset()`: surfaces re-create their state here */
	private resetters: Array<() => void> = [];
	private closers: Array<() => void> = [];
	private seq = 0;
	mainUrl = '';
	fileUrl = '';
	autoApprove: boolean;
	lifetimes: Record<SurfaceId | 'clientCredentials', number>;

	constructor(readonly options: SandboxOptions) {
		this.tokens = new TokenStore(this.clock);
		this.autoApprove = options.autoApprove ?? false;
		this.lifetimes = {
			...DEFAULT_LIFETIMES,
			...(options.tokenLifetimes ?? {}),
		} as typeof this.lifetimes;
		this.registerAdmin();
	}

	/** Registers a route. `pattern` is the full path including the surface prefix. */
	route(
		method: string,
		pattern: string,
		surface: string,
		handler: Handler,
		origin: 'main' | 'files' = 'main',
	): void {
		(origin === 'main' ? this.router : this.fileRouter).add(method, pattern, surface, handler);
	}

	/** Registers state that `POST /_admin/reset` (and tests) re-create. Runs it once now. */
	onReset(fn: () => void): void {
		this.resetters.push(fn);
		fn();
	}

	/** Registers what `close()` of the sandbox runs (timers to clear). */
	onClose(fn: () => void): void {
		this.closers.push(fn);
	}

	/** Runs the close hooks (sandbox/server.ts calls it when the servers stop). */
	closing(): void {
		for (const fn of this.closers.splice(0)) fn();
	}

	reset(): void {
		this.faults.clear();
		this.clock.reset();
		this.requests.length = 0;
		for (const fn of this.resetters) fn();
	}

	/** Absolute URL on the main origin. */
	url(path: string): string {
		return this.mainUrl + path;
	}

	/** Absolute URL on the second (file) origin. */
	filesUrl(path: string): string {
		return this.fileUrl + path;
	}

	/** The fault a route should apply now, if one is armed for it. */
	takeFault(req: SandboxRequest, kind: string): FaultSpec | undefined {
		return this.faults.take(req.surface ?? '', [kind], req.method, req.path);
	}

	/**
	 * Checks the bearer token of a data request: present, known, for this surface, not expired,
	 * with a scope that `needed` accepts. On failure it answers 401/403 in the surface's own
	 * error shape and returns undefined; the route then returns.
	 */
	requireBearer(
		req: SandboxRequest,
		res: ServerResponse,
		surface: SurfaceId,
		needed: string | string[] | ((scopes: string[]) => boolean),
	): TokenRecord | undefined {
		const rec = this.tokens.check(surface, bearerToken(req));
		if (typeof rec === 'string') {
			const desc =
				rec === 'missing'
					? 'Authentication credentials were not provided.'
					: rec === 'expired'
						? 'The access token expired.'
						: 'The access token is invalid.';
			this.authError(
				req,
				res,
				surface,
				401,
				rec === 'missing' ? 'invalid_request' : 'invalid_token',
				desc,
			);
			return undefined;
		}
		const ok =
			typeof needed === 'function'
				? needed(rec.scopes)
				: (Array.isArray(needed) ? needed : [needed]).some((n) => scopeAllows(rec.scopes, n));
		if (!ok) {
			this.authError(
				req,
				res,
				surface,
				403,
				'insufficient_scope',
				'The access token does not grant the scope this request needs.',
			);
			return undefined;
		}
		return rec;
	}

	/** A 401/403 in the vendor's own shape. */
	authError(
		req: SandboxRequest,
		res: ServerResponse,
		surface: string,
		status: number,
		code: string,
		description: string,
	): void {
		const headers: Record<string, string> =
			status === 401
				? { 'WWW-Authenticate': `Bearer error="${code}", error_description="${description}"` }
				: {};
		switch (authShape(surface, req.path)) {
			case 'drf':
				return sendJson(
					res,
					status,
					{
						detail:
							status === 403 ? 'You do not have permission to perform this action.' : description,
					},
					headers,
				);
			case 'oneup':
				return sendJson(
					res,
					status,
					{ success: false, error: code, error_description: description },
					headers,
				);
			case 'fhir':
				return sendJson(
					res,
					status,
					{
						resourceType: 'OperationOutcome',
						issue: [
							{
								severity: 'error',
								code: status === 401 ? 'login' : 'forbidden',
								diagnostics: description,
							},
						],
					},
					headers,
					'application/fhir+json',
				);
			default:
				return sendJson(res, status, { error: code, error_description: description }, headers);
		}
	}

	/** The whole request pipeline: log, admin, route, framework faults, handler, errors. */
	async handle(req: SandboxRequest, res: ServerResponse): Promise<void> {
		const entry: LoggedRequest = {
			seq: ++this.seq,
			origin: req.origin,
			method: req.method,
			path: req.path,
			query: req.url.search,
			headers: Object.fromEntries(
				Object.entries(req.headers).map(([k, v]) => [
					k,
					Array.isArray(v) ? v.join(', ') : String(v ?? ''),
				]),
			),
		};
		if (!req.path.startsWith('/_admin')) {
			this.requests.push(entry);
			if (this.requests.length > 20000) this.requests.splice(0, this.requests.length - 20000);
		}
		res.on('finish', () => {
			entry.status = res.statusCode;
			if (this.options.verbose)
				console.log(
					`${entry.origin} ${entry.method} ${entry.path}${entry.query} → ${res.statusCode}`,
				);
		});
		const found = (req.origin === 'main' ? this.router : this.fileRouter).match(
			req.method,
			req.path,
		);
		if (!found) {
			return sendJson(res, 404, {
				error: 'not_found',
				error_description: `No sandbox route for ${req.method} ${req.path}`,
			});
		}
		req.params = found.params;
		req.surface = found.route.surface;
		entry.surface = req.surface;
		try {
			if (req.surface && req.surface !== 'admin') {
				const fault = this.faults.take(req.surface, FRAMEWORK_FAULTS, req.method, req.path);
				if (fault) {
					entry.fault = fault.kind;
					const handled = await this.applyFault(fault, req, res);
					if (handled) return;
				}
			}
			await found.route.handler(req, res);
		} catch (err) {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			if (err instanceof HttpError) {
				const body = err.body;
				if (typeof body === 'string') sendHtml(res, err.status, body, err.headers);
				else sendJson(res, err.status, body, err.headers);
				return;
			}
			console.error('sandbox: route failed', err);
			sendJson(res, 500, {
				error: 'server_error',
				error_description: 'The sandbox route failed; see its log.',
			});
		}
	}

	/** Applies a framework fault; returns true when the response is complete. */
	private async applyFault(
		fault: FaultSpec,
		req: SandboxRequest,
		res: ServerResponse,
	): Promise<boolean> {
		switch (fault.kind) {
			case 'rate-limit':
				sendJson(
					res,
					429,
					{ error: 'rate_limited', error_description: 'Too many requests' },
					{ 'Retry-After': fault.retryAfter ?? '1' },
				);
				return true;
			case 'unavailable':
				sendJson(
					res,
					503,
					{ error: 'service_unavailable', error_description: 'Service temporarily unavailable' },
					fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
				);
				return true;
			case 'html-200':
			case 'html-500':
				sendHtml(
					res,
					fault.kind === 'html-200' ? 200 : (fault.status ?? 500),
					'<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>',
					fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
				);
				return true;
			case 'expired-token':
				this.authError(
					req,
					res,
					req.surface ?? '',
					401,
					'invalid_token',
					'The access token expired.',
				);
				return true;
			case 'slow':
				await sleep(fault.delayMs ?? 2000);
				return false;
			case 'reset':
				breakMidBody(res);
				return false;
			case 'drip':
				dripBody(res, fault.delayMs ?? 1000);
				return false;
			default:
				return false;
		}
	}

	private registerAdmin(): void {
		const admin = (method: string, path: string, h: Handler) =>
			this.route(method, `/_admin${path}`, 'admin', h);
		admin('GET', '/health', (_q, res) =>
			sendJson(res, 200, { ok: true, mainUrl: this.mainUrl, fileUrl: this.fileUrl }),
		);
		admin('POST', '/faults', (req, res) => {
			const body = req.json<FaultSpec | FaultSpec[]>();
			const specs = Array.isArray(body) ? body : [body];
			try {
				const ids = specs.map((s) => this.faults.add(s));
				sendJson(res, 201, { ids });
			} catch (e) {
				sendJson(res, 400, { error: 'invalid_fault', error_description: (e as Error).message });
			}
		});
		admin('GET', '/faults', (_q, res) =>
			sendJson(res, 200, { armed: this.faults.list(), fired: this.faults.fired }),
		);
		admin('DELETE', '/faults', (_q, res) => {
			this.faults.clear();
			sendJson(res, 200, { ok: true });
		});
		admin('POST', '/clock', (req, res) => {
			const { advanceSeconds } = req.json<{ advanceSeconds: number }>();
			this.clock.advance(Number(advanceSeconds) || 0);
			sendJson(res, 200, { now: this.clock.now() });
		});
		admin('DELETE', '/clock', (_q, res) => {
			this.clock.reset();
			sendJson(res, 200, { now: this.clock.now() });
		});
		admin('POST', '/auto-approve', (req, res) => {
			this.autoApprove = Boolean(req.json<{ on: boolean }>().on);
			sendJson(res, 200, { autoApprove: this.autoApprove });
		});
		admin('POST', '/tokens', (req, res) => {
			const b = req.json<{
				surface: SurfaceId;
				clientId?: string;
				scopes?: string[];
				lifetimeSeconds?: number;
				withRefresh?: boolean;
				patient?: string;
			}>();
			sendJson(
				res,
				201,
				this.tokens.issue({
					surface: b.surface,
					clientId: b.clientId ?? 'admin',
					scopes: b.scopes ?? [],
					lifetimeSeconds: b.lifetimeSeconds ?? this.lifetimes[b.surface] ?? 3600,
					withRefresh: b.withRefresh,
					patient: b.patient,
				}),
			);
		});
		admin('POST', '/tokens/expire', (req, res) => {
			const { surface } = req.json<{ surface?: string }>() ?? {};
			sendJson(res, 200, { expired: this.tokens.expireAll(surface) });
		});
		admin('GET', '/requests', (req, res) => {
			const since = Number(req.query.get('since') ?? 0);
			sendJson(res, 200, { requests: this.requests.filter((r) => r.seq > since) });
		});
		admin('POST', '/reset', (_q, res) => {
			this.reset();
			sendJson(res, 200, { ok: true });
		});
	}
}

function authShape(surface: string, path: string): AuthShape {
	if (surface === 'onpatient')
		return path.includes('/fhir/') && path.includes('Bundle') ? 'fhir' : 'drf';
	if (surface === 'oneup') return path.includes('/user-management/') ? 'oneup' : 'fhir';
	if (surface === 'emp') return path.includes('/fhir/') ? 'fhir' : 'oauth';
	if (surface === 'smart') return path.includes('/fhir') ? 'fhir' : 'oauth';
	return 'oauth';
}

/**
 * Lets the response start, then destroys the socket halfway through the body. The cut point is
 * half the declared Content-Length when known, else half of the first chunk (so a small JSON
 * body sent with `end(body)` is cut too); the socket is always destroyed, never ended cleanly.
 */
/** Sends the body one byte per `ms` (headers at once), like a server that trickles its answer. */
function dripBody(res: ServerResponse, ms: number): void {
	const origWrite = res.write.bind(res) as (chunk: unknown) => boolean;
	const origEnd = res.end.bind(res) as () => ServerResponse;
	const queue: number[] = [];
	let ended = false;
	let timer: NodeJS.Timeout | undefined;
	const pump = () => {
		if (res.destroyed) return;
		const b = queue.shift();
		if (b !== undefined) origWrite(Buffer.from([b]));
		if (queue.length > 0) timer = setTimeout(pump, ms);
		else if (ended) origEnd();
		else timer = undefined;
	};
	const take = (chunk: unknown) => {
		if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
		for (const b of typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
			queue.push(b);
		if (!timer) timer = setTimeout(pump, 0);
	};
	res.on('close', () => clearTimeout(timer));
	(res as unknown as { write: unknown }).write = (chunk: unknown) => {
		take(chunk);
		return true;
	};
	(res as unknown as { end: unknown }).end = (chunk?: unknown) => {
		take(chunk);
		ended = true;
		if (!timer) timer = setTimeout(pump, 0);
		return res;
	};
}

function breakMidBody(res: ServerResponse): void {
	let sent = 0;
	let limit = -1;
	let destroyed = false;
	const origWrite = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
	const origWriteHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
	let declared = NaN;
	(res as unknown as { writeHead: unknown }).writeHead = (...args: unknown[]) => {
		const headers = args.find((a) => a && typeof a === 'object') as
			Record<string, unknown> | undefined;
		for (const [k, v] of Object.entries(headers ?? {}))
			if (k.toLowerCase() === 'content-length') declared = Number(v);
		return origWriteHead(...args);
	};
	const kill = () => {
		if (destroyed) return;
		destroyed = true;
		// flush what was written, then kill the connection without a clean end
		setImmediate(() => res.socket?.destroy());
	};
	const cut = (chunk: unknown): boolean => {
		if (destroyed) return false;
		const buf =
			typeof chunk === 'string'
				? Buffer.from(chunk)
				: Buffer.isBuffer(chunk)
					? chunk
					: Buffer.alloc(0);
		if (limit < 0) {
			const fromHeader = Number.isFinite(declared)
				? declared
				: Number(res.getHeader('content-length'));
			limit =
				Number.isFinite(fromHeader) && fromHeader > 1
					? Math.floor(fromHeader / 2)
					: Math.max(1, Math.floor(buf.length / 2));
		}
		const room = limit - sent;
		if (buf.length < room) {
			sent += buf.length;
			origWrite(buf);
			return true;
		}
		origWrite(buf.subarray(0, Math.max(0, room)));
		sent = limit;
		kill();
		return false;
	};
	(res as unknown as { write: unknown }).write = (chunk: unknown) => cut(chunk);
	(res as unknown as { end: unknown }).end = (chunk?: unknown) => {
		if (chunk !== undefined && typeof chunk !== 'function') cut(chunk);
		kill();
		return res;
	};
}
