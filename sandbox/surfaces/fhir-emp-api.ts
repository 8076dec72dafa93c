// eMedicalPractice standard API (OpenEMR style) under `/emp/api`:
//
//   GET /api/patient                      list; filters fname, lname, DOB (YYYY-MM-DD), sex, city, state, postal_code
//   GET /api/patient/{puuid}              one patient
//   GET /api/patient/{puuid}/immunization the patient's immunizations
//
// Every answer is wrapped as `{validationErrors, internalErrors, data}`; a malformed parameter
// answers 422 with validationErrors; an unknown patient 404 with an empty data list; 401/403
// bodies are `{error, error_description}` (app.requireBearer). Scopes: `api:oemr` plus
// `user/patient.read` (and `user/immunization.read`), wildcards like `user/*.read` accepted.
import type { ServerResponse } from 'node:http';
import { PREFIX, type SandboxApp } from '../app';
import { sendJson, type SandboxRequest } from '../http';
import { scopeAllows } from '../tokens';
import type { FhirImmunization, FhirPatient } from '../data';
import { dataset } from './fhir-common';

const BASE = `${PREFIX.emp}/api`;

/** OpenEMR's Standard API answer: `{validationErrors, internalErrors, data}` */
export function envelope(
	res: ServerResponse,
	status: number,
	data: unknown,
	validationErrors: unknown = [],
	internalErrors: unknown = [],
): void {
	sendJson(res, status, { validationErrors, internalErrors, data });
}

/** a Standard API route's scope check: `api:oemr` plus the route's own scope */
export const needs = (scope: string) => (scopes: string[]) =>
	scopes.includes('api:oemr') && scopeAllows(scopes, scope);

/** OpenEMR's patient record shape. */
export function toOemrPatient(p: FhirPatient, index: number): Record<string, unknown> {
	const name = p.name[0];
	const addr = p.address[0];
	const phone = p.telecom.find((t) => t.system === 'phone');
	return {
		id: String(index + 1),
		pid: String(index + 1),
		uuid: p.id,
		pubpid: p.identifier[0]?.value ?? '',
		title: '',
		fname: name.given[0] ?? '',
		mname: name.given[1] ?? '',
		lname: name.family,
		street: addr.line.join(', '),
		postal_code: addr.postalCode,
		city: addr.city,
		state: addr.state,
		country_code: 'USA',
		phone_home: phone?.use === 'home' ? phone.value : '',
		phone_cell: phone?.use === 'mobile' ? phone.value : '',
		email: p.telecom.find((t) => t.system === 'email')?.value ?? '',
		DOB: p.birthDate,
		sex: p.gender === 'male' ? 'Male' : p.gender === 'female' ? 'Female' : 'Unknown',
		status: '',
		drivers_license: '',
		ss: '',
	};
}

/** OpenEMR's immunization record shape. */
export function toOemrImmunization(imm: FhirImmunization, pid: string): Record<string, unknown> {
	const code = imm.vaccineCode.coding?.[0];
	return {
		id: imm.id.split('-').pop(),
		uuid: imm.id,
		patient_id: pid,
		cvx_code: code?.code ?? '',
		cvx_code_text: code?.display ?? '',
		administered_date: imm.occurrenceDateTime.replace('T', ' ').replace('Z', ''),
		manufacturer: imm.manufacturer.display ?? '',
		lot_number: imm.lotNumber,
		administered_by: imm.performer[0]?.actor.display ?? '',
		expiration_date: imm.expirationDate,
		completion_status: imm.status === 'not-done' ? 'Refused' : 'Completed',
		refusal_reason: imm.statusReason?.coding?.[0]?.display ?? '',
		added_erroneously: imm.status === 'entered-in-error' ? '1' : '0',
		update_date: imm.meta.lastUpdated.replace('T', ' ').replace('Z', ''),
	};
}

const PUUID = /^pt-\d{5,}$/;

export function registerEmpApi(app: SandboxApp): void {
	const find = (
		req: SandboxRequest,
		res: ServerResponse,
	): { p: FhirPatient; index: number } | undefined => {
		const puuid = req.params.puuid;
		if (!PUUID.test(puuid)) {
			envelope(res, 422, [], { puuid: { invalid: `"${puuid}" is not a valid patient uuid` } });
			return undefined;
		}
		const ds = dataset(app);
		const index = ds.indexOf(puuid);
		if (index < 0) {
			envelope(res, 404, [], [], [`Patient ${puuid} was not found`]);
			return undefined;
		}
		return { p: ds.patientAt(index), index };
	};

	app.route('GET', `${BASE}/patient`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/patient.read'))) return;
		const q = req.query;
		const dob = q.get('DOB');
		if (dob !== null && !/^\d{4}-\d{2}-\d{2}$/.test(dob))
			return envelope(res, 422, [], { DOB: { invalid: 'DOB must be YYYY-MM-DD' } });
		const sex = q.get('sex');
		if (sex !== null && !['Male', 'Female', 'Unknown'].includes(sex))
			return envelope(res, 422, [], { sex: { invalid: 'sex must be Male, Female or Unknown' } });
		const eq = (field: string, value: unknown) => {
			const want = q.get(field);
			return want === null || String(value).toLowerCase() === want.toLowerCase();
		};
		const out: Array<Record<string, unknown>> = [];
		let index = 0;
		for (const p of dataset(app).iterate('Patient')) {
			const rec = toOemrPatient(p, index++);
			if (
				['fname', 'lname', 'DOB', 'sex', 'city', 'state', 'postal_code'].every((f) => eq(f, rec[f]))
			)
				out.push(rec);
		}
		envelope(res, 200, out);
	});

	app.route('GET', `${BASE}/patient/:puuid`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/patient.read'))) return;
		const hit = find(req, res);
		if (hit) envelope(res, 200, toOemrPatient(hit.p, hit.index));
	});

	app.route('GET', `${BASE}/patient/:puuid/immunization`, 'emp', (req, res) => {
		if (!app.requireBearer(req, res, 'emp', needs('user/immunization.read'))) return;
		const hit = find(req, res);
		if (!hit) return;
		const pid = String(hit.index + 1);
		envelope(
			res,
			200,
			dataset(app)
				.immunizations(hit.p.id)
				.map((i) => toOemrImmunization(i, pid)),
		);
	});
}
