import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
	createDataset,
	toVersion,
	CVX_SYSTEM,
	REFERENCE_DATE,
	datasetFor,
	type FhirImmunization,
} from '../../sandbox/data';

describe('synthetic data set', () => {
	it('numbers patients pt-00001… and answers undefined for unknown ids', () => {
		const ds = createDataset({ patients: 12 });
		expect(ds.patientCount).toBe(12);
		expect(ds.patientIds()).toHaveLength(12);
		expect(ds.patientIds()[0]).toBe('pt-00001');
		expect(ds.patientIds()[11]).toBe('pt-00012');
		expect(ds.patient('pt-00012')?.id).toBe('pt-00012');
		expect(ds.patient('pt-00013')).toBeUndefined();
		expect(ds.patient('pt-1')).toBeUndefined();
		expect(ds.patient('../pt-00001')).toBeUndefined();
		expect(ds.patientAt(3).id).toBe('pt-00004');
		expect(() => ds.patientAt(12)).toThrow(RangeError);
		expect(ds.immunizations('nope')).toEqual([]);
		expect(ds.immunizationCount('nope')).toBe(0);
	});

	it('is deterministic for a seed and differs for another seed', () => {
		const a = createDataset({ seed: 7 });
		const b = createDataset({ seed: 7 });
		const c = createDataset({ seed: 8 });
		const dump = (d: typeof a) =>
			JSON.stringify([...d.iterate('Patient'), ...d.iterate('Immunization')]);
		expect(dump(a)).toBe(dump(b));
		expect(dump(a)).not.toBe(dump(c));
		// a patient generated on its own equals the same patient generated in sequence
		expect(JSON.stringify(createDataset({ seed: 7, patients: 5000 }).patient('pt-00031'))).toBe(
			JSON.stringify(a.patient('pt-00031')),
		);
	});

	it('produces realistic patients', () => {
		const ds = createDataset();
		for (const p of ds.iterate('Patient')) {
			expect(p.resourceType).toBe('Patient');
			expect(p.identifier[0].system).toMatch(/^https:\/\//);
			expect(p.identifier[0].value).toMatch(/^MRN\d{7}$/);
			expect(p.name[0].family.length).toBeGreaterThan(1);
			expect(p.name[0].given.length).toBeGreaterThanOrEqual(1);
			expect(['male', 'female', 'other']).toContain(p.gender);
			expect(p.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
			expect(p.telecom.map((t) => t.system)).toEqual(['phone', 'email']);
			expect(p.address[0]).toMatchObject({ country: 'US' });
			expect(p.address[0].postalCode).toMatch(/^\d{5}$/);
			expect(Date.parse(p.meta.lastUpdated)).toBeLessThanOrEqual(REFERENCE_DATE.getTime());
		}
		const mrns = new Set([...ds.iterate('Patient')].map((p) => p.identifier[0].value));
		expect(mrns.size).toBe(50);
	});

	it('produces 3–15 plausible immunizations per patient, after birth, with real CVX codes', () => {
		const ds = createDataset();
		const statuses = new Map<string, number>();
		let total = 0;
		for (const id of ds.patientIds()) {
			const p = ds.patient(id)!;
			const imms = ds.immunizations(id);
			expect(imms.length).toBe(ds.immunizationCount(id));
			expect(imms.length).toBeGreaterThanOrEqual(3);
			expect(imms.length).toBeLessThanOrEqual(15);
			total += imms.length;
			let prev = '';
			for (const imm of imms) {
				expect(imm.patient.reference).toBe(`Patient/${id}`);
				expect(imm.vaccineCode.coding![0].system).toBe(CVX_SYSTEM);
				expect([
					'08',
					'20',
					'10',
					'03',
					'21',
					'133',
					'116',
					'83',
					'62',
					'115',
					'141',
					'208',
					'207',
					'114',
				]).toContain(imm.vaccineCode.coding![0].code);
				expect(imm.occurrenceDateTime > p.birthDate).toBe(true);
				expect(imm.occurrenceDateTime >= prev).toBe(true);
				prev = imm.occurrenceDateTime;
				if (['208', '207'].includes(imm.vaccineCode.coding![0].code!))
					expect(imm.occurrenceDateTime >= '2020-12-11').toBe(true);
				expect(imm.lotNumber).toMatch(/^[A-Z]{2}\d{4}$/);
				expect(imm.performer[0].actor.display).toBeTruthy();
				expect(imm.manufacturer.display).toBeTruthy();
				expect(typeof imm.primarySource).toBe('boolean');
				expect(imm.status === 'not-done').toBe(imm.statusReason !== undefined);
				statuses.set(imm.status, (statuses.get(imm.status) ?? 0) + 1);
			}
		}
		expect(ds.count('Immunization')).toBe(total);
		expect(statuses.get('completed')! / total).toBeGreaterThan(0.8);
		expect(statuses.get('not-done')).toBeGreaterThan(0);
		expect(statuses.get('entered-in-error')).toBeGreaterThan(0);
		const ids = [...ds.iterate('Immunization')].map((i) => i.id);
		expect(new Set(ids).size).toBe(total);
		expect(ds.immunization(ids[17])?.id).toBe(ids[17]);
	});

	it('gives a heavy patient the exact count asked for', () => {
		const ds = createDataset({ heavyPatients: { 'pt-00002': 10000, 'pt-00003': 0 } });
		expect(ds.immunizationCount('pt-00002')).toBe(10000);
		const list = ds.immunizations('pt-00002');
		expect(list).toHaveLength(10000);
		expect(new Set(list.map((i) => i.id)).size).toBe(10000);
		expect(list[9999].id).toBe('imm-00002-10000');
		expect(ds.immunizations('pt-00003')).toEqual([]);
	});

	it('filters iterate() by since and patientIds', () => {
		const ds = createDataset();
		const since = new Date('2024-01-01T00:00:00Z');
		const all = [...ds.iterate('Immunization')];
		const recent = [...ds.iterate('Immunization', { since })];
		expect(recent.length).toBe(
			all.filter((i) => Date.parse(i.meta.lastUpdated) >= since.getTime()).length,
		);
		expect(recent.length).toBeGreaterThan(0);
		expect(recent.length).toBeLessThan(all.length);
		const two = [...ds.iterate('Immunization', { patientIds: ['pt-00003', 'bogus', 'pt-00001'] })];
		expect(two.length).toBe(ds.immunizationCount('pt-00003') + ds.immunizationCount('pt-00001'));
		expect(two[0].patient.reference).toBe('Patient/pt-00003');
		expect([...ds.iterate('Patient', { patientIds: ['pt-00002'] })].map((p) => p.id)).toEqual([
			'pt-00002',
		]);
	});

	it('renders STU3 and DSTU2 shapes', () => {
		const ds = createDataset();
		const notDone = [...ds.iterate('Immunization')].find(
			(i) => i.status === 'not-done',
		) as FhirImmunization;
		const stu3 = toVersion(notDone, 'stu3');
		expect(stu3).toMatchObject({
			status: 'completed',
			notGiven: true,
			date: notDone.occurrenceDateTime,
			primarySource: notDone.primarySource,
		});
		expect(stu3).not.toHaveProperty('occurrenceDateTime');
		expect(stu3).not.toHaveProperty('performer');
		expect((stu3.explanation as { reasonNotGiven: unknown[] }).reasonNotGiven).toHaveLength(1);
		const dstu2 = toVersion(notDone, 'dstu2');
		expect(dstu2).toMatchObject({
			status: 'completed',
			wasNotGiven: true,
			reported: !notDone.primarySource,
			date: notDone.occurrenceDateTime,
		});
		expect(dstu2).not.toHaveProperty('primarySource');
		expect(dstu2).not.toHaveProperty('occurrenceDateTime');
		expect(toVersion(notDone, 'r4')).toBe(notDone);
		const p = ds.patient('pt-00001')!;
		expect(
			(
				toVersion(p, 'dstu2').identifier as Array<{ type: { coding: Array<{ system: string }> } }>
			)[0].type.coding[0].system,
		).toBe('http://hl7.org/fhir/v2/0203');
		expect(p.identifier[0].type!.coding![0].system).toBe(
			'http://terminology.hl7.org/CodeSystem/v2-0203',
		);
	});

	it('datasetFor() shares one data set per app, built from the options', () => {
		const app = {
			options: { seed: 3, patients: 7, heavyPatients: { 'pt-00001': 60 } },
			state: {} as Record<string, unknown>,
		};
		const ds = datasetFor(app);
		expect(datasetFor(app)).toBe(ds);
		expect(ds.patientCount).toBe(7);
		expect(ds.immunizationCount('pt-00001')).toBe(60);
	});

	it('streams 200,000 patients of immunizations with little heap growth (separate process)', () => {
		// a fresh process: jest's vm makes this loop several times slower and shares its heap
		const tsx = join(__dirname, '../../node_modules/.bin/tsx');
		const out = execFileSync(
			tsx,
			[join(__dirname, '../../sandbox/data/stream-check.ts'), '200000', '3', '5'],
			{ encoding: 'utf8', timeout: 20_000 },
		);
		const r = JSON.parse(out.trim().split('\n').pop()!) as {
			count: number;
			expected: number;
			heapGrowthMB: number;
			ms: number;
		};
		expect(r.count).toBe(r.expected);
		expect(r.count).toBeGreaterThan(700_000);
		expect(r.heapGrowthMB).toBeLessThan(50);
	}, 25_000);

	it('iterate() is lazy: the first resource of a 1,000,000-patient set arrives at once', () => {
		const ds = createDataset({ patients: 1_000_000 });
		const t0 = Date.now();
		const it = ds.iterate('Immunization');
		const first = it.next();
		expect(first.done).toBe(false);
		expect((first.value as FhirImmunization).patient.reference).toBe('Patient/pt-00001');
		expect(Date.now() - t0).toBeLessThan(200);
		expect(ds.patient('pt-1000000')?.id).toBe('pt-1000000');
	});
});
