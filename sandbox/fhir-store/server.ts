// The HTTP face of a store surface: `GET metadata` (no token), then one route under the base that
// checks the bearer token, the Content-Type and the JSON body of writes, and hands the request to
// the interaction code (ops.ts) or, for `POST [base]`, to batch/transaction (bundle.ts).
//
// Strict like the vendors: a write with another Content-Type → 415, a body that is not JSON → 400,
// all as OperationOutcome. PATCH takes `application/json-patch+json`, `_search` a form body.
import type { ServerResponse } from 'node:http';
import type { SandboxApp } from '../app';
import { sendFhir, type SandboxRequest } from '../http';
import { datasetFor } from '../data';
import { fhirSettings, maybeRedirect } from '../surfaces/fhir-common';
import { outcomeOf, type Result } from './access';
import { bundleOp } from './bundle';
import type { OpCtx } from './context';
import { execute } from './ops';
import { PROFILES, storeCapabilities, withholding, type StoreProfile } from './profiles';
import { FhirStore } from './store';
import { seedScheduling } from './scheduling';
import { SUBSCRIPTION, subscriptionOp, watchStore } from './subscriptions';

export type StoreSurface = 'smart' | 'emp' | 'oneup';

export interface StoreServerConfig {
	surface: StoreSurface;
	base: string;
	lowerCaseTypes?: boolean;
	pageSize(q: URLSearchParams): number;
}

/** The store of a surface (re-created by `POST /_admin/reset`). */
export function storeFor(app: SandboxApp, surface: StoreSurface): FhirStore {
	const stores = (app.state.fhirStores ??= {}) as Record<string, FhirStore>;
	let store = stores[surface];
	if (!store) {
		store = stores[surface] = new FhirStore(datasetFor(app), () => app.clock.now());
		if (PROFILES[surface].scheduling) seedScheduling(store, app.clock.now());
		if (PROFILES[surface].subscriptions) watchStore(app, surface, store);
	}
	return store;
}

export function resetStores(app: SandboxApp): void {
	app.state.fhirStores = {};
}

function send(res: ServerResponse, r: Result): void {
	if (r.body === undefined) {
		res.writeHead(r.status, { 'Content-Length': '0', ...(r.headers ?? {}) });
		res.end();
		return;
	}
	sendFhir(res, r.status, r.body, r.headers ?? {});
}

const reject = (res: ServerResponse, status: number, code: string, diagnostics: string) =>
	sendFhir(res, status, outcomeOf(code, diagnostics));

function header(req: SandboxRequest, name: string): string | undefined {
	const v = req.headers[name];
	return Array.isArray(v) ? v.join(', ') : v;
}

/** The JSON body of a write, or undefined after answering 415 / 400. */
function jsonBody(
	req: SandboxRequest,
	res: ServerResponse,
	patch: boolean,
): { value: unknown } | undefined {
	const ct = (header(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	const ok = patch
		? ct === 'application/json-patch+json'
		: ct === 'application/fhir+json' || ct === 'application/json';
	if (!ok) {
		const want = patch ? 'application/json-patch+json' : 'application/fhir+json';
		reject(
			res,
			415,
			'not-supported',
			`Content-Type ${ct || '(none)'} is not accepted here; send ${want}.`,
		);
		return undefined;
	}
	try {
		return { value: JSON.parse(req.text()) };
	} catch {
		reject(res, 400, 'structure', 'The body is not valid JSON.');
		return undefined;
	}
}

export function registerStoreServer(app: SandboxApp, cfg: StoreServerConfig): void {
	const { surface, base } = cfg;
	// the SMART profile less the interactions the `smartWithhold` setting leaves out
	const profileNow = (): StoreProfile =>
		surface === 'smart'
			? withholding(PROFILES.smart, fhirSettings(app).smartWithhold)
			: PROFILES[surface];
	app.route('GET', `${base}/metadata`, surface, (_req, res) =>
		sendFhir(res, 200, storeCapabilities(app, profileNow(), base)),
	);
	app.route('*', `${base}/*rest`, surface, (req, res) => {
		const parts = req.params.rest ? req.params.rest.split('/') : [];
		if (req.method === 'GET' && maybeRedirect(app, req, res)) return;
		const token = app.requireBearer(req, res, surface, () => true);
		if (!token) return;
		const ctx: OpCtx = {
			app,
			surface,
			base,
			profile: profileNow(),
			store: storeFor(app, surface),
			ds: datasetFor(app),
			token,
			pageSize: cfg.pageSize,
			lowerCaseTypes: cfg.lowerCaseTypes,
			faultReq: req,
		};
		const method = req.method;
		let query = req.query;
		let self = app.url(req.path + req.url.search);
		let body: unknown;
		if (method === 'POST' && parts.length === 2 && parts[1] === '_search') {
			const ct = (header(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
			if (ct !== 'application/x-www-form-urlencoded')
				return reject(
					res,
					415,
					'not-supported',
					`POST ${parts[0]}/_search takes application/x-www-form-urlencoded, not ${ct || '(none)'}.`,
				);
			query = new URLSearchParams(req.url.search);
			for (const [k, v] of new URLSearchParams(req.text())) query.append(k, v);
			const s = query.toString();
			self = app.url(`${base}/${parts[0]}${s ? `?${s}` : ''}`);
		} else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
			const parsed = jsonBody(req, res, method === 'PATCH');
			if (!parsed) return;
			body = parsed.value;
		}
		if (parts.length === 0) {
			if (method !== 'POST')
				return reject(
					res,
					405,
					'not-supported',
					`${method} on the base is not supported; POST a batch or transaction Bundle.`,
				);
			return send(res, bundleOp(ctx, body));
		}
		const op = {
			method,
			parts,
			query,
			ifMatch: header(req, 'if-match'),
			ifNoneExist: header(req, 'if-none-exist'),
			prefer: header(req, 'prefer'),
			body,
			self,
		};
		if (ctx.profile.subscriptions && parts[0] === SUBSCRIPTION)
			return send(res, subscriptionOp(ctx, op));
		send(res, execute(ctx, op));
	});
}
