// Admin routes of the stores: `POST /_admin/fhir/seed {surface, resourceType, count, patient?}`
// creates N deterministic resources (answer `{created, ids}`); `GET /_admin/fhir/store?surface=
// &type=` counts what a surface holds (current, not deleted); `POST /_admin/fhir/options {surface,
// lastUpdatedPrecision: 'ms' | 's'}` sets the precision of new `meta.lastUpdated` stamps (reset: ms).
import type { SandboxApp } from '../app';
import { sendJson } from '../http';
import { datasetFor } from '../data';
import { STORE_TYPES } from './params';
import { storeFor, type StoreSurface } from './server';
import type { Res } from './store';

const SURFACES: StoreSurface[] = ['smart', 'emp', 'oneup'];
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const REF = Date.UTC(2025, 5, 1);
const HOUR = 3_600_000;

/** Vital signs: LOINC code, display, UCUM unit, low value and spread. */
const VITALS: Array<[string, string, string, number, number]> = [
	['8867-4', 'Heart rate', '/min', 55, 50],
	['8310-5', 'Body temperature', 'Cel', 36.1, 2],
	['29463-7', 'Body weight', 'kg', 50, 60],
	['8302-2', 'Body height', 'cm', 150, 45],
	['9279-1', 'Respiratory rate', '/min', 12, 10],
	['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', '%', 92, 8],
];

const CONDITIONS: Array<[string, string]> = [
	['38341003', 'Hypertensive disorder'],
	['44054006', 'Diabetes mellitus type 2'],
	['195967001', 'Asthma'],
	['35489007', 'Depressive disorder'],
];

/** A deterministic resource number `i` of `type` for patient `pid`. */
function build(type: string, i: number, pid: string): Record<string, unknown> | undefined {
	const subject = { reference: `Patient/${pid}` };
	const when = new Date(REF - (i + 1) * HOUR).toISOString().replace('.000Z', 'Z');
	if (type === 'Observation') {
		const [code, display, unit, lo, spread] = VITALS[i % VITALS.length];
		const value = Math.round((lo + (((i * 7919) % 1000) / 1000) * spread) * 10) / 10;
		return {
			resourceType: 'Observation',
			status: 'final',
			category: [
				{
					coding: [
						{
							system: 'http://terminology.hl7.org/CodeSystem/observation-category',
							code: 'vital-signs',
							display: 'Vital Signs',
						},
					],
				},
			],
			code: { coding: [{ system: LOINC, code, display }], text: display },
			subject,
			effectiveDateTime: when,
			valueQuantity: { value, unit, system: UCUM, code: unit },
		};
	}
	if (type === 'Condition') {
		const [code, display] = CONDITIONS[i % CONDITIONS.length];
		return {
			resourceType: 'Condition',
			clinicalStatus: {
				coding: [
					{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
				],
			},
			code: { coding: [{ system: 'http://snomed.info/sct', code, display }], text: display },
			subject,
			recordedDate: when,
		};
	}
	if (type === 'Encounter') {
		return {
			resourceType: 'Encounter',
			status: 'finished',
			class: {
				system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
				code: 'AMB',
				display: 'ambulatory',
			},
			subject,
			period: { start: when, end: new Date(Date.parse(when) + HOUR / 2).toISOString() },
		};
	}
	return undefined;
}

export function registerStoreAdmin(app: SandboxApp): void {
	app.route('POST', '/_admin/fhir/seed', 'admin', (req, res) => {
		const b = (req.json<{
			surface?: string;
			resourceType?: string;
			count?: number;
			patient?: string;
		}>() ?? {}) as Record<string, unknown>;
		const surface = b.surface as StoreSurface;
		if (!SURFACES.includes(surface))
			return sendJson(res, 400, {
				error: 'invalid_request',
				error_description: `surface is one of ${SURFACES.join(', ')}`,
			});
		const type = String(b.resourceType ?? 'Observation');
		const count = Number(b.count ?? 1);
		if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
			return sendJson(res, 400, {
				error: 'invalid_request',
				error_description: 'count is an integer from 1 to 1000000',
			});
		const ds = datasetFor(app);
		if (b.patient !== undefined && !ds.patient(String(b.patient)))
			return sendJson(res, 400, {
				error: 'invalid_request',
				error_description: `unknown patient ${String(b.patient)}`,
			});
		if (!build(type, 0, 'x'))
			return sendJson(res, 400, {
				error: 'invalid_request',
				error_description: 'resourceType is Observation, Condition or Encounter',
			});
		const store = storeFor(app, surface);
		const ids: string[] = [];
		for (let i = 0; i < count; i++) {
			const pid = b.patient !== undefined ? String(b.patient) : ds.patientIdAt(i % ds.patientCount);
			const id = store.newId(type);
			store.write(type, id, { ...(build(type, i, pid) as Res), id }, 'POST');
			ids.push(id);
		}
		sendJson(res, 201, { created: count, ids });
	});
	app.route('POST', '/_admin/fhir/options', 'admin', (req, res) => {
		const b = (req.json<Record<string, unknown> | null>() ?? {}) as Record<string, unknown>;
		const surface = b.surface as StoreSurface;
		if (!SURFACES.includes(surface))
			return sendJson(res, 400, {
				error: 'invalid_request',
				error_description: `surface is one of ${SURFACES.join(', ')}`,
			});
		const store = storeFor(app, surface);
		if (b.lastUpdatedPrecision !== undefined) {
			if (b.lastUpdatedPrecision !== 'ms' && b.lastUpdatedPrecision !== 's')
				return sendJson(res, 400, {
					error: 'invalid_request',
					error_description: 'lastUpdatedPrecision is ms or s',
				});
			store.lastUpdatedPrecision = b.lastUpdatedPrecision;
		}
		sendJson(res, 200, { surface, lastUpdatedPrecision: store.lastUpdatedPrecision });
	});
	app.route('GET', '/_admin/fhir/store', 'admin', (req, res) => {
		const surface = (req.query.get('surface') ?? 'smart') as StoreSurface;
		if (!SURFACES.includes(surface))
			return sendJson(res, 400, {
				error: 'invalid_request',
				error_description: `surface is one of ${SURFACES.join(', ')}`,
			});
		const store = storeFor(app, surface);
		const type = req.query.get('type');
		const types = type ? [type] : STORE_TYPES;
		const counts = Object.fromEntries(types.map((t) => [t, store.count(t)]));
		sendJson(res, 200, {
			surface,
			counts,
			count: type ? counts[type] : undefined,
			writes: store.history.length,
		});
	});
}
