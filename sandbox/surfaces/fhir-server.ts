// A generic read-only FHIR server over the data set, configured per vendor: today 1upHealth
// STU3 and DSTU2 (`/1up/api/{stu3,dstu2}`); the R4 surfaces are the FHIR store (sandbox/fhir-store).
//
// Routes under `base`: `GET metadata` (when configured), `GET Patient/{id}`, `GET Patient?…`,
// `GET Patient/{id}/$everything` (when configured), `GET Immunization?…`, `GET Immunization/{id}`.
// Lists are searchset Bundles paged by `_offset` (the server writes it into `next`; clients only
// follow links). Errors are OperationOutcome.
import type { ServerResponse } from 'node:http';
import type { SandboxApp, SurfaceId } from '../app';
import { sendFhir, type SandboxRequest } from '../http';
import type { FhirImmunization, FhirPatient, FhirVersion } from '../data';
import {
	SearchError,
	dataset,
	faultedNext,
	immunizationFilter,
	intParam,
	maybeRedirect,
	render,
	searchPatients,
	searchsetBundle,
	selectImmunizations,
	selfUrl,
	sendOutcome,
	withQuery,
	type Access,
} from './fhir-common';

export interface FhirServerConfig {
	surface: SurfaceId;
	/** path of the FHIR base on the main origin, e.g. `/emp/fhir/r4` */
	base: string;
	version: FhirVersion;
	/** also answer lower-case resource paths (`/patient/1`), as OpenEMR does */
	lowerCaseTypes?: boolean;
	/** page size for this request; throw SearchError to refuse it (400) */
	pageSize(q: URLSearchParams): number;
	/** bearer check; answers 401/403 itself and returns undefined */
	access(
		req: SandboxRequest,
		res: ServerResponse,
		type: 'Patient' | 'Immunization',
	): Access | undefined;
	/** a CapabilityStatement for `GET base/metadata` (no token needed) */
	metadata?: () => Record<string, unknown>;
	/** register `Patient/{id}/$everything` */
	everything?: boolean;
}

/** `pt-00001`, `Patient/pt-00001` or an absolute `…/Patient/pt-00001` → `pt-00001`. */
export function patientRef(v: string): string {
	const m = /(?:^|\/)Patient\/([^/?#]+)$/.exec(v);
	return m ? m[1] : v;
}

export function registerFhirServer(app: SandboxApp, cfg: FhirServerConfig): void {
	const { surface, base, version } = cfg;
	const url = (path: string) => app.url(base + path);
	const types = (t: string) => (cfg.lowerCaseTypes ? [t, t.toLowerCase()] : [t]);

	/** runs a handler, turning SearchError into a 400 OperationOutcome */
	const guard =
		(fn: (req: SandboxRequest, res: ServerResponse) => void) =>
		(req: SandboxRequest, res: ServerResponse) => {
			try {
				fn(req, res);
			} catch (e) {
				if (e instanceof SearchError) return sendOutcome(res, 400, 'invalid', e.message);
				throw e;
			}
		};

	const forbidden = (res: ServerResponse, pid: string) =>
		sendOutcome(
			res,
			403,
			'forbidden',
			`The access token is limited to another patient; it cannot read Patient/${pid}.`,
		);

	const page = <T>(
		req: SandboxRequest,
		res: ServerResponse,
		total: number,
		items: T[],
		offset: number,
		size: number,
		fullUrl: (r: T) => string,
	) => {
		const hasNext = size > 0 && offset + size < total;
		const next = faultedNext(
			app,
			req,
			hasNext ? withQuery(app, req, { _offset: offset + size }) : null,
		);
		const previous =
			offset > 0 && size > 0
				? withQuery(app, req, { _offset: Math.max(0, offset - size) || undefined })
				: null;
		sendFhir(
			res,
			200,
			searchsetBundle({
				total,
				self: selfUrl(app, req),
				next,
				previous,
				entries: items.map((r) => ({
					fullUrl: fullUrl(r),
					resource: render(r as FhirPatient | FhirImmunization, version),
				})),
			}),
		);
	};

	const paging = (req: SandboxRequest) => ({
		offset: intParam(req.query, '_offset', 0),
		size: cfg.pageSize(req.query),
	});

	/** A GET route of this server: the redirect fault, the token and scope check for `type`, then `fn`. */
	const read = (
		path: string,
		type: 'Patient' | 'Immunization',
		fn: (req: SandboxRequest, res: ServerResponse, acc: Access) => void,
	) =>
		app.route(
			'GET',
			path,
			surface,
			guard((req, res) => {
				if (maybeRedirect(app, req, res)) return;
				const acc = cfg.access(req, res, type);
				if (acc) fn(req, res, acc);
			}),
		);

	/** The patient `id` the token may read, or undefined after answering 403/404. */
	const readablePatient = (
		res: ServerResponse,
		acc: Access,
		id: string,
	): FhirPatient | undefined => {
		if (acc.only !== undefined && id !== acc.only) {
			forbidden(res, id);
			return undefined;
		}
		const p = dataset(app).patient(id);
		if (!p) sendOutcome(res, 404, 'not-found', `Resource Patient/${id} is not known.`);
		return p;
	};

	if (cfg.metadata) {
		const meta = cfg.metadata;
		app.route('GET', `${base}/metadata`, surface, (_req, res) => sendFhir(res, 200, meta()));
	}

	for (const T of types('Patient')) {
		read(`${base}/${T}/:id`, 'Patient', (req, res, acc) => {
			const p = readablePatient(res, acc, req.params.id);
			if (p) sendFhir(res, 200, render(p, version));
		});
		read(`${base}/${T}`, 'Patient', (req, res, acc) => {
			const { offset, size } = paging(req);
			const all = searchPatients(dataset(app), req.query, acc.only);
			page(req, res, all.length, all.slice(offset, offset + size), offset, size, (p) =>
				url(`/Patient/${p.id}`),
			);
		});
		if (cfg.everything) {
			for (const op of ['$everything', '%24everything']) {
				read(`${base}/${T}/:id/${op}`, 'Patient', (req, res, acc) => {
					const p = readablePatient(res, acc, req.params.id);
					if (!p) return;
					const { offset, size } = paging(req);
					const everything: Array<FhirPatient | FhirImmunization> = [
						p,
						...dataset(app).immunizations(p.id),
					];
					page(
						req,
						res,
						everything.length,
						everything.slice(offset, offset + size),
						offset,
						size,
						(r) => url(`/${r.resourceType}/${r.id}`),
					);
				});
			}
		}
	}

	for (const T of types('Immunization')) {
		read(`${base}/${T}/:id`, 'Immunization', (req, res, acc) => {
			const imm = dataset(app).immunization(req.params.id);
			if (!imm)
				return sendOutcome(
					res,
					404,
					'not-found',
					`Resource Immunization/${req.params.id} is not known.`,
				);
			const pid = patientRef(imm.patient.reference ?? '');
			if (acc.only !== undefined && pid !== acc.only) return forbidden(res, pid);
			sendFhir(res, 200, render(imm, version));
		});
		read(`${base}/${T}`, 'Immunization', (req, res, acc) => {
			const { offset, size } = paging(req);
			const filter = immunizationFilter(req.query, version);
			const asked = req.query.get('patient') ?? req.query.get('subject');
			let ids: string[] | undefined;
			if (asked !== null && asked !== '') {
				const pid = patientRef(asked);
				if (acc.only !== undefined && pid !== acc.only) return forbidden(res, pid);
				ids = [pid];
			} else if (acc.only !== undefined) {
				ids = [acc.only];
			}
			const { total, items } = selectImmunizations(
				dataset(app),
				ids,
				filter,
				offset,
				size,
				version,
			);
			page(req, res, total, items, offset, size, (r) => url(`/Immunization/${r.id}`));
		});
	}
}

/** A CapabilityStatement with the SMART security extension (oauth-uris). */
export function capabilityStatement(
	app: SandboxApp,
	opts: { name: string; base: string; authorize: string; token: string; software: string },
): Record<string, unknown> {
	const search = (names: Array<[string, string]>) => names.map(([name, type]) => ({ name, type }));
	return {
		resourceType: 'CapabilityStatement',
		status: 'active',
		date: '2025-06-01',
		kind: 'instance',
		name: opts.name,
		software: { name: opts.software },
		implementation: { description: opts.name, url: app.url(opts.base) },
		fhirVersion: '4.0.1',
		format: ['application/fhir+json'],
		rest: [
			{
				mode: 'server',
				security: {
					service: [
						{
							coding: [
								{
									system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
									code: 'SMART-on-FHIR',
								},
							],
						},
					],
					extension: [
						{
							url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
							extension: [
								{ url: 'authorize', valueUri: app.url(opts.authorize) },
								{ url: 'token', valueUri: app.url(opts.token) },
							],
						},
					],
				},
				resource: [
					{
						type: 'Patient',
						interaction: [{ code: 'read' }, { code: 'search-type' }],
						searchParam: search([
							['_id', 'token'],
							['identifier', 'token'],
							['name', 'string'],
							['family', 'string'],
							['given', 'string'],
							['birthdate', 'date'],
							['gender', 'token'],
						]),
					},
					{
						type: 'Immunization',
						interaction: [{ code: 'read' }, { code: 'search-type' }],
						searchParam: search([
							['patient', 'reference'],
							['date', 'date'],
							['status', 'token'],
						]),
					},
				],
			},
		],
	};
}
