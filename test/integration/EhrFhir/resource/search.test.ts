// EHR FHIR node, FHIR Resource → Get Many (Search), through the harness against the sandbox's FHIR
// stores: Return All across pages (exactly the store's resources) and Limit on every store vendor
// (eMedicalPractice ignores _count: the node stops at the limit itself), search parameters or a
// query string, Count Only (_summary=count), _elements, _sort, _include / _revinclude attached or
// as separate items where declared and refused where not; onpatient's Immunization search
// through its profile (`{results, next}` lists).
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import { ds, immunizationIds } from '../fixtures';
import {
	RES,
	STORE_VENDORS,
	dataRequestsSince,
	runStore,
	seed,
	sentSince,
	vendorsWhere,
} from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

const PID = 'pt-00003';
const search = (extra: Record<string, unknown>) => ({
	...RES('search'),
	resourceType: 'Observation',
	...extra,
});
const byPatient = {
	searchBy: 'parameters',
	searchParameters: { parameter: [{ name: 'patient', value: PID }] },
};

describe.each(STORE_VENDORS)('%s', (vendor) => {
	it('Return All reads every page: exactly the seeded Observations; Limit stops at the limit', async () => {
		const seeded = await seed(sb, vendor, 230, PID);
		const all = await runStore(sb, vendor, search({ ...byPatient, returnAll: true }));
		expect(all.map((i) => i.json.id).sort()).toEqual([...seeded].sort());
		expect(
			all.every(
				(i) =>
					i.json.resourceType === 'Observation' && (i.pairedItem as { item: number }).item === 0,
			),
		).toBe(true);
		const before = sb.app.requests.length;
		const some = await runStore(
			sb,
			vendor,
			search({ ...byPatient, returnAll: false, limit: 25, simplify: true }),
		);
		expect(some).toHaveLength(25);
		expect(some[0].json).toMatchObject({
			resourceType: 'Observation',
			patientId: PID,
			status: 'final',
		});
		// eMedicalPractice ignores _count (pages of 20): two pages; the others one page of 25
		const pages = dataRequestsSince(sb, before);
		expect(pages).toHaveLength(vendor === 'emp' ? 2 : 1);
		if (vendor !== 'emp') expect(pages[0].query).toContain('_count=25');
	});

	it('a query string gives the same as the parameters; Count Only answers the total; _elements and _sort', async () => {
		const seeded = await seed(sb, vendor, 30, PID);
		const q = await runStore(
			sb,
			vendor,
			search({
				searchBy: 'query',
				query: `?patient=${PID}&code=http://loinc.org|8867-4`,
				returnAll: true,
			}),
		);
		const p = await runStore(
			sb,
			vendor,
			search({
				searchParameters: {
					parameter: [
						{ name: 'patient', value: PID },
						{ name: 'code', value: 'http://loinc.org|8867-4' },
					],
				},
				returnAll: true,
			}),
		);
		expect(q.map((i) => i.json.id)).toEqual(p.map((i) => i.json.id));
		expect(q).toHaveLength(5); // every sixth seeded Observation is a heart rate
		const count = await runStore(
			sb,
			vendor,
			search({ ...byPatient, options: { countOnly: true } }),
		);
		expect(count.map((i) => i.json)).toEqual([{ resourceType: 'Observation', total: 30 }]);
		const sorted = await runStore(
			sb,
			vendor,
			search({
				...byPatient,
				returnAll: true,
				options: { sort: '-date', elements: 'status,effectiveDateTime' },
			}),
		);
		expect(sorted.map((i) => i.json.id)).toEqual(seeded); // seeded newest first
		expect(Object.keys(sorted[0].json).sort()).toEqual([
			'effectiveDateTime',
			'id',
			'meta',
			'resourceType',
			'status',
		]);
	});
});

describe('_include / _revinclude', () => {
	it.each(vendorsWhere('includes'))(
		'%s: included resources attached to the resource, or as separate items',
		async (vendor) => {
			const seeded = await seed(sb, vendor, 12, PID);
			const attached = await runStore(
				sb,
				vendor,
				search({ ...byPatient, returnAll: true, options: { include: 'Observation:patient' } }),
			);
			expect(attached).toHaveLength(12);
			for (const item of attached)
				expect(
					(item.json._included as Array<{ resourceType: string; id: string }>).map(
						(r) => `${r.resourceType}/${r.id}`,
					),
				).toEqual([`Patient/${PID}`]);
			const separate = await runStore(
				sb,
				vendor,
				search({
					...byPatient,
					returnAll: true,
					options: { include: 'Observation:patient', includedMode: 'separate' },
				}),
			);
			expect(separate.filter((i) => i.json.resourceType === 'Observation')).toHaveLength(12);
			const patients = separate.filter((i) => i.json.resourceType === 'Patient');
			expect(patients.map((i) => i.json.id)).toEqual([PID]);
			expect(patients[0].json._includedBy).toBe(`Observation/${String(separate[0].json.id)}`);
			// reverse: the patient with the Observations that point at it
			const rev = await runStore(sb, vendor, {
				...RES('search'),
				resourceType: 'Patient',
				searchBy: 'query',
				query: `_id=${PID}`,
				options: { revinclude: 'Observation:subject' },
				returnAll: true,
			});
			expect(rev).toHaveLength(1);
			expect((rev[0].json._included as Array<{ id: string }>).map((r) => r.id).sort()).toEqual(
				[...seeded].sort(),
			);
			const revSeparate = await runStore(sb, vendor, {
				...RES('search'),
				resourceType: 'Patient',
				searchBy: 'query',
				query: `_id=${PID}`,
				options: { revinclude: 'Observation:subject', includedMode: 'separate' },
				returnAll: true,
			});
			expect(revSeparate.map((i) => i.json.resourceType)).toEqual([
				'Patient',
				...seeded.map(() => 'Observation'),
			]);
		},
	);

	it.each(vendorsWhere('includes', false))(
		'%s: refused before any request (none declared)',
		async (vendor) => {
			const before = sb.app.requests.length;
			const e = await failure(
				runStore(sb, vendor, search({ ...byPatient, options: { include: 'Observation:patient' } })),
			);
			expect(e.message).toBe(
				'This server does not support _include=Observation:patient on Observation: nothing was sent',
			);
			expect(dataRequestsSince(sb, before)).toEqual([]);
		},
	);

	it('smart: an include the statement does not list is refused, naming the ones it lists', async () => {
		const e = await failure(
			runStore(
				sb,
				'smart',
				search({ ...byPatient, options: { include: 'Observation:performer' } }),
			),
		);
		expect(e.message).toBe(
			'This server does not support _include=Observation:performer on Observation: nothing was sent',
		);
		expect(e.description).toContain(
			'On Observation it declares: Observation:patient, Observation:subject.',
		);
	});
});

describe('onpatient (profile: Immunization search, {results, next} lists)', () => {
	it('Search Immunization by patient reads every page; a Patient search is refused before any request', async () => {
		const out = await runStore(sb, 'onpatient', {
			...RES('search'),
			resourceType: 'Immunization',
			searchBy: 'query',
			query: 'patient=pt-00007',
			returnAll: true,
		});
		expect(out.map((i) => i.json.id)).toEqual(immunizationIds(sb, 'pt-00007'));
		expect(out[0].json).toEqual(ds(sb).immunizations('pt-00007')[0]);
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, 'onpatient', { ...RES('search'), resourceType: 'Patient', returnAll: true }),
		);
		expect(e.message).toBe('This server does not support search on Patient: nothing was sent');
		expect(sentSince(sb, before)).toEqual([]);
	});
});
