// EHR FHIR node, List Immunizations (resource `immunization`, operation `list`), through the node's
// real execute (harness) against the sandbox: Return All across pages and Limit for every vendor,
// date and status filters (server-side or local), one patient or all patients, both onpatient list
// shapes, Date From / Date To values (refused when not a date, Date and DateTime objects read as
// days), the Limit rule, a patient id of "..", and search answers that are not a list (ad-hoc
// server). Exact items, compared with the sandbox's data set, or the exact error class and message.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { sendJson } from '../../../../sandbox/http';
import { toVersion } from '../../../../sandbox/data';
import { runNode } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import { simplifyImmunization } from '../../../../nodes/shared/fhir';
import {
	VENDORS,
	LIST,
	byId,
	credentialsFor,
	ds,
	ids,
	immunizationIds,
	versionOf,
} from '../fixtures';
import {
	adHocCredentials,
	failure,
	runFhir,
	serveAdHocFhir,
	useFhirSandbox,
	type AdHocFhir,
} from '../helpers';

let sb: Sandbox;
let adHoc: AdHocFhir;
useFhirSandbox((s) => {
	sb = s;
	adHoc = serveAdHocFhir(s);
});

describe.each(VENDORS)('%s', (vendor) => {
	it('List Immunizations (Return All) returns every immunization of the patient, across pages', async () => {
		const { output } = await runFhir(sb, vendor, {
			...LIST,
			scope: 'patient',
			patientId: byId('pt-00007'),
			returnAll: true,
			simplify: false,
		});
		const expected = immunizationIds(sb, 'pt-00007');
		expect(expected).toHaveLength(130);
		expect(ids(output[0])).toEqual(expected);
		const first = ds(sb).immunizations('pt-00007')[0];
		expect(output[0][0].json).toEqual(
			vendor === 'onpatient' ? first : toVersion(first, versionOf(vendor)),
		);
		expect(output[0].every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('List Immunizations with a Limit stops at the limit and simplifies', async () => {
		const before = sb.app.requests.length;
		const { output } = await runFhir(sb, vendor, {
			...LIST,
			scope: 'patient',
			patientId: byId('pt-00007'),
			returnAll: false,
			limit: 25,
		});
		expect(ids(output[0])).toEqual(immunizationIds(sb, 'pt-00007').slice(0, 25));
		const imm = ds(sb).immunizations('pt-00007')[0];
		expect(output[0][0].json).toEqual({
			id: imm.id,
			vaccineCode: imm.vaccineCode.coding[0].code,
			vaccineName: imm.vaccineCode.text,
			date: imm.occurrenceDateTime,
			status: imm.status,
			lotNumber: imm.lotNumber,
			performer: imm.performer[0].actor.display,
			patientId: 'pt-00007',
		});
		// pages of at most 25 (eMedicalPractice: fixed pages of 20, so two pages)
		const listCalls = sb.app.requests.slice(before).filter((r) => /immunization/i.test(r.path));
		expect(listCalls).toHaveLength(vendor === 'emp' ? 2 : 1);
	});
});

describe('filters and scopes', () => {
	const patient = 'pt-00007';
	const all = () => ds(sb).immunizations(patient);

	it.each(VENDORS)(
		'%s: date from/to and status (server-side or local) give the same items',
		async (vendor) => {
			const from = '2000-01-01';
			const to = '2015-12-31';
			const statuses =
				vendor === 'oneup-stu3' || vendor === 'oneup-dstu2'
					? ['completed', 'entered-in-error']
					: ['completed'];
			const { output } = await runFhir(sb, vendor, {
				...LIST,
				scope: 'patient',
				patientId: byId(patient),
				returnAll: true,
				filters: { dateFrom: `${from}T00:00:00`, dateTo: `${to}T00:00:00`, status: statuses },
			});
			const want = all()
				.filter(
					(i) =>
						i.occurrenceDateTime >= `${from}T00:00:00Z` &&
						i.occurrenceDateTime < '2016-01-01T00:00:00Z',
				)
				.filter((i) => {
					const st =
						versionOf(vendor) === 'r4'
							? i.status
							: i.status === 'entered-in-error'
								? 'entered-in-error'
								: 'completed';
					return statuses.includes(st);
				})
				.map((i) => i.id);
			expect(want.length).toBeGreaterThan(5);
			expect(ids(output[0])).toEqual(want);
		},
	);

	it('not-done on STU3 is filtered locally (notGiven), not refused by the server', async () => {
		const before = sb.app.requests.length;
		const { output } = await runFhir(sb, 'oneup-stu3', {
			...LIST,
			scope: 'patient',
			patientId: byId(patient),
			returnAll: true,
			filters: { status: ['not-done'] },
		});
		// STU3 has no not-done status: those immunizations are `completed` with notGiven true
		const want = all()
			.filter((i) => i.status === 'not-done')
			.map((i) => i.id);
		expect(want.length).toBeGreaterThan(0);
		expect(ids(output[0])).toEqual(want);
		expect(output[0].map((i) => i.json.status)).toEqual(want.map(() => 'not-done'));
		expect(sb.app.requests.slice(before).filter((r) => r.query.includes('status='))).toHaveLength(
			0,
		);
	});

	it('all patients: every immunization the token sees, in server order', async () => {
		const { output } = await runFhir(sb, 'smart', {
			...LIST,
			scope: 'all',
			returnAll: false,
			limit: 140,
		});
		const want = ds(sb)
			.patientIds()
			.flatMap((id) => immunizationIds(sb, id))
			.slice(0, 140);
		expect(ids(output[0])).toEqual(want);
	});

	it('all patients with a patient-limited token: only that patient', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient', { patient: 'pt-00004' });
		const { output } = await runNode(EhrFhir, {
			parameters: { authentication: type, ...LIST, scope: 'all', returnAll: true } as never,
			credentials: store,
		});
		expect(ids(output[0])).toEqual(immunizationIds(sb, 'pt-00004'));
	});

	it('onpatient as FHIR Bundles: the same items', async () => {
		await fetch(`${sb.url}/_admin/fhir/settings`, {
			method: 'POST',
			body: JSON.stringify({ onpatientListShape: 'bundle' }),
		});
		const { output } = await runFhir(sb, 'onpatient', {
			...LIST,
			scope: 'patient',
			patientId: byId(patient),
			returnAll: true,
		});
		expect(ids(output[0])).toEqual(immunizationIds(sb, patient));
		expect(output[0][3].json).toEqual(simplifyImmunization(all()[3]));
	});
});

describe('date filters', () => {
	it.each([
		['dateFrom', 'yesterday'],
		['dateTo', '2024-13-45'],
		['dateFrom', '2024-02-30T00:00:00'],
	])('%s "%s" is refused before any request, not silently dropped', async (field, value) => {
		const { type, store } = credentialsFor(sb, 'emp');
		const before = sb.app.requests.length;
		const err = await failure(
			runNode(EhrFhir, {
				parameters: {
					authentication: type,
					...LIST,
					scope: 'patient',
					patientId: byId('pt-00001'),
					returnAll: true,
					filters: { [field]: value },
				} as never,
				credentials: store,
			}),
		);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(err.message).toBe(
			`Date ${field === 'dateFrom' ? 'From' : 'To'} "${value}" is not a date`,
		);
		expect(err.description).toBe(
			'Enter a date such as 2024-05-31 (or pick one), or remove the filter.',
		);
		expect(sb.app.requests.length).toBe(before);
	});

	it('a Date and a Luxon-like DateTime from an expression are read as days', async () => {
		const { type, store } = credentialsFor(sb, 'emp');
		const imms = ds(sb).immunizations('pt-00001');
		const day = String(imms[1].occurrenceDateTime).slice(0, 10);
		const want = imms.filter((i) => String(i.occurrenceDateTime).startsWith(day)).map((i) => i.id);
		expect(want.length).toBeLessThan(imms.length);
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...LIST,
				scope: 'patient',
				patientId: byId('pt-00001'),
				returnAll: true,
				simplify: true,
				filters: {
					dateFrom: new Date(`${day}T00:00:00Z`),
					dateTo: { toISO: () => `${day}T12:00:00.000+00:00` },
				},
			} as never,
			credentials: store,
		});
		expect(ids(output[0])).toEqual(want);
	});
});

describe('Limit', () => {
	it.each([0, -3, NaN, 'abc'])(
		'Limit %p is refused before any request (not read as 1, not sent as _count=NaN)',
		async (limit) => {
			const { type, store } = credentialsFor(sb, 'smart');
			const before = sb.app.requests.length;
			const err = await failure(
				runNode(EhrFhir, {
					parameters: {
						authentication: type,
						...LIST,
						scope: 'patient',
						patientId: byId('pt-00001'),
						returnAll: false,
						limit,
					} as never,
					credentials: store,
				}),
			);
			expect(err).toBeInstanceOf(NodeOperationError);
			expect(err.message).toBe(`Limit must be a number of 1 or more, not "${String(limit)}"`);
			expect(err.description).toBe(
				'Enter how many immunizations to return at most, or turn on Return All.',
			);
			expect(sb.app.requests.length).toBe(before);
		},
	);

	it('Limit 2.5 returns 2 items (the server is never asked for _count=2.5)', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...LIST,
				scope: 'patient',
				patientId: byId('pt-00001'),
				returnAll: false,
				limit: 2.5,
			} as never,
			credentials: store,
		});
		expect(ids(output[0])).toEqual(
			ds(sb)
				.immunizations('pt-00001')
				.slice(0, 2)
				.map((i) => i.id),
		);
	});
});

describe('a patient id that is not one', () => {
	it('List Immunizations of patient ".." is refused before any request', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient');
		const before = sb.app.requests.length;
		const err = await failure(
			runNode(EhrFhir, {
				parameters: {
					authentication: type,
					...LIST,
					scope: 'patient',
					patientId: byId('..'),
					returnAll: true,
				} as never,
				credentials: store,
			}),
		);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(sb.app.requests.length).toBe(before);
	});
});

describe('a search answer that is not a list', () => {
	const listAdHoc = async () => {
		const { type, store } = adHocCredentials(sb);
		return failure(
			runNode(EhrFhir, {
				parameters: {
					authentication: type,
					...LIST,
					scope: 'patient',
					patientId: byId('pt-00001'),
					returnAll: true,
				} as never,
				credentials: store,
			}),
		);
	};

	it('an OperationOutcome at 200: an error with the vendor message, not zero immunizations', async () => {
		adHoc.immunizationSearch = (_req, res) =>
			sendJson(res, 200, {
				resourceType: 'OperationOutcome',
				issue: [
					{
						severity: 'error',
						code: 'too-costly',
						diagnostics: 'Search would return too many results',
					},
				],
			});
		const err = await listAdHoc();
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'List Immunizations of patient pt-00001 failed: the server answered with an OperationOutcome instead of a list (status 200): error/too-costly: Search would return too many results',
		);
	});

	it.each([
		['an empty body', ''],
		['null', 'null'],
		['an empty object', '{}'],
		['a Patient', '{"resourceType":"Patient","id":"pt-00001"}'],
	])('%s at 200: an error, not zero immunizations', async (_name, text) => {
		adHoc.immunizationSearch = (_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
			res.end(text);
		};
		const err = await listAdHoc();
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'List Immunizations of patient pt-00001 failed: the server\'s answer (status 200) is not a list (no Bundle, "results" or "data")',
		);
		expect(err.description).toBe(
			'Check the base URL in the credential; if it is right, the server sent an unexpected answer: try again later.',
		);
	});

	it('a Bundle without entry is an empty list, not an error', async () => {
		adHoc.immunizationSearch = (_req, res) =>
			sendJson(res, 200, { resourceType: 'Bundle', type: 'searchset', total: 0 });
		const { type, store } = adHocCredentials(sb);
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...LIST,
				scope: 'patient',
				patientId: byId('pt-00001'),
				returnAll: true,
			} as never,
			credentials: store,
		});
		expect(output).toEqual([[]]);
	});
});
