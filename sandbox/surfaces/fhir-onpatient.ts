// onpatient (drchrono) FHIR reads, under the API host prefix `/onpatient/api` (https://drchrono.com).
//
//   GET /onpatient_api/fhir/Patient/{id}        one Patient object
//   GET /onpatient_api/fhir/patient/{id}        legacy path: always 302 → …/Patient/{id} (same query)
//   GET /onpatient_api/fhir/Immunization         paginated list (all the token may see)
//       ?patient=  ?page= (1-based)  ?page-size= (default 50, at most 1000)
//       ?date= (FHIR prefixes, repeatable)  ?date_range=YYYY-MM-DD/YYYY-MM-DD  ?since= (lastUpdated)
//       ?status= (completed, not-done, entered-in-error; comma = or)
//   GET /onpatient_api/fhir/Immunization/{id}   one Immunization
//
// Changes (onpatient itself has no write API; the triggers' tests need lists that change):
// `POST /_admin/onpatient/immunizations {id?, patient?, status?, lotNumber?, occurrenceDateTime?}`
// updates an immunization (given id: fields over the current one, `meta.lastUpdated` now) or
// creates one for `patient` (new id `imm-w-000001`…, listed after the generated ones); answer the
// resource. Reads and lists show the changes; `POST /_admin/reset` forgets them.
//
// List shape: `{count, next, previous, results}` with absolute `next`/`previous` URLs, or (switch
// `onpatientListShape: 'bundle'`) a FHIR searchset Bundle with `link[relation=next]`. Errors in
// Django REST framework shape `{detail}`; list errors (bad parameters, a page past the end,
// another patient) answer 403 as drchrono's lists do; a read of another patient answers 404.
// Scopes: none (= all scopes, as onpatient grants when scope is omitted), a SMART-like
// `patient/…`/`user/…` read scope, or drchrono's `patients:read` (Patient) / `clinical:read`
// (Immunization). A token with TokenRecord.patient reads only that patient.
import type { ServerResponse } from 'node:http';
import { PREFIX, type SandboxApp } from '../app';
import { redirect, sendJson, type SandboxRequest } from '../http';
import { scopeAllows } from '../tokens';
import {
	SearchError,
	dataset,
	faultedNext,
	fhirSettings,
	immunizationFilter,
	intParam,
	matchesFilter,
	maybeRedirect,
	parseDateParam,
	render,
	searchsetBundle,
	selectImmunizations,
	selfUrl,
	withQuery,
	type Access,
} from './fhir-common';
import { patientRef } from './fhir-server';
import type { FhirImmunization } from '../data';

/** immunizations written through the admin route, by id (updates and creations) */
function writes(app: SandboxApp): Map<string, FhirImmunization> {
	return (app.state.onpatientWrites ??= new Map()) as Map<string, FhirImmunization>;
}

function currentImmunization(app: SandboxApp, id: string): FhirImmunization | undefined {
	return writes(app).get(id) ?? dataset(app).immunization(id);
}

const BASE = `${PREFIX.onpatientApi}/onpatient_api/fhir`;
const MAX_PAGE_SIZE = 1000;

function allows(type: 'Patient' | 'Immunization') {
	const legacy = type === 'Patient' ? ['patients:read', 'user:read'] : ['clinical:read'];
	return (scopes: string[]) =>
		scopes.length === 0 ||
		scopeAllows(scopes, `patient/${type}.read`) ||
		scopeAllows(scopes, `user/${type}.read`) ||
		legacy.some((s) => scopes.includes(s));
}

function access(
	app: SandboxApp,
	req: SandboxRequest,
	res: ServerResponse,
	type: 'Patient' | 'Immunization',
): Access | undefined {
	const token = app.requireBearer(req, res, 'onpatient', allows(type));
	if (!token) return undefined;
	return { token, only: token.patient };
}

const denied = (
	res: ServerResponse,
	detail = 'You do not have permission to perform this action.',
) => sendJson(res, 403, { detail });
const notFound = (res: ServerResponse) => sendJson(res, 404, { detail: 'Not found.' });

export function registerOnpatient(app: SandboxApp): void {
	app.route('GET', `${BASE}/Patient/:id`, 'onpatient', (req, res) => {
		if (maybeRedirect(app, req, res)) return;
		const acc = access(app, req, res, 'Patient');
		if (!acc) return;
		const id = req.params.id;
		if (acc.only !== undefined && id !== acc.only) return notFound(res);
		const p = dataset(app).patient(id);
		if (!p) return notFound(res);
		sendJson(res, 200, p);
	});

	// legacy lower-case path: a permanent move, answered before any auth check (like a URL conf)
	app.route('GET', `${BASE}/patient/:id`, 'onpatient', (req, res) => {
		redirect(
			res,
			app.url(`${BASE}/Patient/${encodeURIComponent(req.params.id)}${req.url.search}`),
			302,
		);
	});

	app.route('GET', `${BASE}/Immunization/:id`, 'onpatient', (req, res) => {
		if (maybeRedirect(app, req, res)) return;
		const acc = access(app, req, res, 'Immunization');
		if (!acc) return;
		const imm = currentImmunization(app, req.params.id);
		if (!imm || (acc.only !== undefined && patientRef(imm.patient.reference ?? '') !== acc.only))
			return notFound(res);
		sendJson(res, 200, imm);
	});

	app.route('GET', `${BASE}/Immunization`, 'onpatient', (req, res) => {
		if (maybeRedirect(app, req, res)) return;
		const acc = access(app, req, res, 'Immunization');
		if (!acc) return;
		let pageNo: number;
		let size: number;
		let filter;
		try {
			pageNo = intParam(req.query, 'page', 1);
			if (pageNo < 1) throw new SearchError('Invalid page.');
			size = Math.min(intParam(req.query, 'page-size', 50), MAX_PAGE_SIZE);
			if (size < 1) throw new SearchError('page-size must be at least 1.');
			filter = immunizationFilter(req.query, 'r4');
			const range = req.query.get('date_range');
			if (range) {
				const m = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(range);
				if (!m) throw new SearchError('date_range must be YYYY-MM-DD/YYYY-MM-DD.');
				filter.dates.push(parseDateParam(`ge${m[1]}`), parseDateParam(`le${m[2]}`));
			}
			const since = req.query.get('since');
			if (since) filter.since = parseDateParam(since).lo;
		} catch (e) {
			if (e instanceof SearchError) return denied(res, e.message);
			throw e;
		}
		const asked = req.query.get('patient');
		let ids: string[] | undefined;
		if (asked) {
			const pid = patientRef(asked);
			if (acc.only !== undefined && pid !== acc.only) return denied(res);
			ids = [pid];
		} else if (acc.only !== undefined) {
			ids = [acc.only];
		}
		const offset = (pageNo - 1) * size;
		const generated = selectImmunizations(dataset(app), ids, filter, offset, size);
		// admin writes: updates in place, creations after the generated ones
		const w = writes(app);
		const created = [...w.values()].filter(
			(x) =>
				!dataset(app).immunization(x.id) &&
				(!ids || ids.includes(patientRef(x.patient.reference ?? ''))) &&
				matchesFilter(x, filter, 'r4'),
		);
		const total = generated.total + created.length;
		const items = generated.items.map((x) => w.get(x.id) ?? x);
		if (items.length < size)
			items.push(
				...created.slice(
					Math.max(0, offset - generated.total),
					Math.max(0, offset - generated.total) + size - items.length,
				),
			);
		if (pageNo > 1 && offset >= total) return denied(res, 'Invalid page.');
		const realNext = offset + size < total ? withQuery(app, req, { page: pageNo + 1 }) : null;
		const next = faultedNext(app, req, realNext);
		const previous = pageNo > 1 ? withQuery(app, req, { page: pageNo - 1 }) : null;
		if (fhirSettings(app).onpatientListShape === 'bundle') {
			return sendJson(
				res,
				200,
				searchsetBundle({
					total,
					self: selfUrl(app, req),
					next,
					previous,
					entries: items.map((r) => ({
						fullUrl: app.url(`${BASE}/Immunization/${r.id}`),
						resource: render(r, 'r4'),
					})),
				}),
			);
		}
		sendJson(res, 200, { count: total, next, previous, results: items });
	});

	app.onReset(() => writes(app).clear());

	app.route('POST', '/_admin/onpatient/immunizations', 'admin', (req, res) => {
		const body = req.json<Record<string, unknown> | null>() ?? {};
		const now = new Date(app.clock.now()).toISOString();
		const id = typeof body.id === 'string' ? body.id : undefined;
		const fields: Partial<FhirImmunization> = {};
		if (typeof body.status === 'string') fields.status = body.status as FhirImmunization['status'];
		if (typeof body.lotNumber === 'string') fields.lotNumber = body.lotNumber;
		if (typeof body.occurrenceDateTime === 'string')
			fields.occurrenceDateTime = body.occurrenceDateTime;
		if (id) {
			const current = currentImmunization(app, id);
			if (!current) return sendJson(res, 404, { detail: `Immunization ${id} does not exist.` });
			const v = Number(current.meta.versionId ?? 1);
			const next = {
				...current,
				...fields,
				meta: { ...current.meta, versionId: String(v + 1), lastUpdated: now },
			};
			writes(app).set(id, next);
			return sendJson(res, 200, next);
		}
		const patient = typeof body.patient === 'string' ? body.patient : 'pt-00001';
		const template =
			dataset(app).immunizations(patient)[0] ?? dataset(app).immunizations('pt-00001')[0];
		const n = [...writes(app).keys()].filter((k) => k.startsWith('imm-w-')).length + 1;
		const created: FhirImmunization = {
			...template,
			id: `imm-w-${String(n).padStart(6, '0')}`,
			patient: { reference: `Patient/${patient}` },
			occurrenceDateTime: now,
			recorded: now,
			...fields,
			meta: { ...template.meta, versionId: '1', lastUpdated: now },
		};
		writes(app).set(created.id, created);
		sendJson(res, 201, created);
	});
}
