// FHIR surfaces of the sandbox (onpatient, 1upHealth, eMedicalPractice, generic SMART) and the
// eMedicalPractice standard API. SMART, eMedicalPractice and 1upHealth R4 are served by the FHIR
// store (sandbox/fhir-store: reads and writes over the shared data set); onpatient and 1upHealth
// STU3/DSTU2 are read-only views of the data set (fhir-onpatient.ts, fhir-server.ts).
//
// | surface   | base (main origin)                         | lists                                   | page size          |
// |-----------|--------------------------------------------|-----------------------------------------|--------------------|
// | onpatient | /onpatient/api/onpatient_api/fhir          | {count,next,previous,results} or Bundle | page-size, def. 50 |
// | oneup     | /1up/api/r4 (store), /1up/api/stu3, /dstu2 | Bundle, link next                       | _count 1–100, def. 10 (else 400) |
// | emp       | /emp/fhir/r4 (store; also lower-case types)| Bundle, link next                       | fixed (empPageSize, 20); _count ignored |
// | emp       | /emp/api (standard API)                    | {validationErrors, internalErrors, data}| none               |
// | smart     | /smart/fhir (store)                        | Bundle, link next                       | _count, def. 20, max 100 (clamped), 0 = total only |
//
// Route faults (POST /_admin/faults): `loop-next` (a page's next points at itself),
// `foreign-next` (next on the files origin, which answers 404 without data and reports whether an
// Authorization header arrived), `redirect` (302 to the same path with the trailing slash toggled).
// Settings: SandboxOptions `onpatientListShape`, `empPageSize`, `smartDefaultCount`,
// `smartMaxCount`; at run time `POST /_admin/fhir/settings` with any of them (reset restores), and
// `smartWithhold` (interactions the SMART store leaves out of its CapabilityStatement and refuses).
import type { ServerResponse } from 'node:http';
import { PREFIX, type SandboxApp } from '../app';
import { bearerToken, sendJson, type SandboxRequest } from '../http';
import type { FhirVersion } from '../data';
import {
	SearchError,
	defaultSettings,
	fhirSettings,
	intParam,
	type Access,
	type FhirSettings,
} from './fhir-common';
import { registerFhirServer } from './fhir-server';
import { registerStoreServer, resetStores, storeFor } from '../fhir-store/server';
import { registerStoreAdmin } from '../fhir-store/seed';
import { registerSubscriptionAdmin } from '../fhir-store/subscriptions';
import { PROFILES, storeCapabilities } from '../fhir-store/profiles';
import { registerOnpatient } from './fhir-onpatient';
import { registerEmpApi } from './fhir-emp-api';
import { registerEmpAppointments } from './emp-appointments';

export function register(app: SandboxApp): void {
	app.onReset(() => {
		app.state.fhirSettings = defaultSettings(app);
		resetStores(app);
	});
	registerAdmin(app);
	registerStoreAdmin(app);
	registerSubscriptionAdmin(app, (surface) =>
		surface in PROFILES && PROFILES[surface as keyof typeof PROFILES].subscriptions
			? storeFor(app, surface as keyof typeof PROFILES)
			: undefined,
	);
	registerOnpatient(app);
	registerOneUp(app);
	registerEmp(app);
	registerSmart(app);
	registerForeignOrigin(app);
}

function registerAdmin(app: SandboxApp): void {
	app.route('GET', '/_admin/fhir/settings', 'admin', (_req, res) =>
		sendJson(res, 200, fhirSettings(app)),
	);
	app.route('POST', '/_admin/fhir/settings', 'admin', (req, res) => {
		const body = req.json<Partial<FhirSettings>>() ?? {};
		const s = fhirSettings(app);
		if (body.onpatientListShape !== undefined) {
			if (body.onpatientListShape !== 'results' && body.onpatientListShape !== 'bundle') {
				return sendJson(res, 400, {
					error: 'invalid_setting',
					error_description: 'onpatientListShape is results or bundle',
				});
			}
			s.onpatientListShape = body.onpatientListShape;
		}
		for (const k of ['empPageSize', 'smartDefaultCount', 'smartMaxCount'] as const) {
			if (body[k] === undefined) continue;
			const n = Number(body[k]);
			if (!Number.isInteger(n) || n < 1)
				return sendJson(res, 400, {
					error: 'invalid_setting',
					error_description: `${k} must be a positive integer`,
				});
			s[k] = n;
		}
		if (body.smartWithhold !== undefined) {
			const list: unknown = body.smartWithhold;
			const ok = (v: unknown) =>
				typeof v === 'string' && /^[A-Z][A-Za-z]+\.(?:[a-z]+(?:-[a-z]+)?)$/.test(v);
			if (!Array.isArray(list) || !list.every(ok))
				return sendJson(res, 400, {
					error: 'invalid_setting',
					error_description:
						'smartWithhold is a list of "Type.interaction", e.g. "Appointment.update"',
				});
			s.smartWithhold = list as string[];
		}
		sendJson(res, 200, s);
	});
}

function registerOneUp(app: SandboxApp): void {
	const access = (req: SandboxRequest, res: ServerResponse, type: string): Access | undefined => {
		const token = app.requireBearer(req, res, 'oneup', [
			`user/${type}.read`,
			`patient/${type}.read`,
		]);
		return token ? { token, only: token.patient } : undefined;
	};
	const pageSize = (q: URLSearchParams) => {
		const n = intParam(q, '_count', 10);
		if (n < 1 || n > 100) throw new SearchError(`_count must be between 1 and 100, not ${n}.`);
		return n;
	};
	registerStoreServer(app, { surface: 'oneup', base: `${PREFIX.oneupApi}/r4`, pageSize });
	for (const version of ['stu3', 'dstu2'] as FhirVersion[]) {
		registerFhirServer(app, {
			surface: 'oneup',
			base: `${PREFIX.oneupApi}/${version}`,
			version,
			everything: true,
			access,
			pageSize,
		});
	}
}

function registerEmp(app: SandboxApp): void {
	const base = `${PREFIX.emp}/fhir/r4`;
	// OpenEMR ignores _count: fixed pages, follow `next`
	registerStoreServer(app, {
		surface: 'emp',
		base,
		lowerCaseTypes: true,
		pageSize: () => fhirSettings(app).empPageSize,
	});
	app.route('GET', `${PREFIX.emp}/metadata`, 'emp', (_req, res) =>
		sendJson(res, 200, storeCapabilities(app, PROFILES.emp, base), {}, 'application/fhir+json'),
	);
	registerEmpApi(app);
	registerEmpAppointments(app);
}

function registerSmart(app: SandboxApp): void {
	registerStoreServer(app, {
		surface: 'smart',
		base: `${PREFIX.smart}/fhir`,
		pageSize: (q) =>
			Math.min(
				intParam(q, '_count', fhirSettings(app).smartDefaultCount),
				fhirSettings(app).smartMaxCount,
			),
	});
}

/**
 * The files origin under the FHIR prefixes: where `foreign-next` links point. It serves no data:
 * 404, saying whether an Authorization header arrived (the request log has the headers too).
 */
function registerForeignOrigin(app: SandboxApp): void {
	const prefixes = [
		PREFIX.onpatientApi,
		PREFIX.oneupApi,
		`${PREFIX.emp}/fhir`,
		`${PREFIX.emp}/api`,
		`${PREFIX.smart}/fhir`,
	];
	for (const p of prefixes) {
		app.route(
			'*',
			`${p}/*rest`,
			'files',
			(req, res) => {
				const leaked = bearerToken(req) !== undefined || req.headers.authorization !== undefined;
				sendJson(res, 404, {
					error: 'not_found',
					error_description:
						'This origin serves no FHIR data; a next link pointing here is foreign.',
					authorizationReceived: leaked,
				});
			},
			'files',
		);
	}
}
