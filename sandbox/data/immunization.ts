// The synthetic R4 Immunizations of one patient, generated from (seed, patient index) alone.
import { DAY, REF, YEAR, isoDate, isoSeconds } from './dates';
import { pad, patientId } from './ids';
import { patientCore, STREAM_COUNT, STREAM_IMMS } from './patient';
import { rngFor } from './rng';
import { MVX, NOT_DONE_REASONS, PERFORMERS, VACCINES } from './tables';
import { CVX_SYSTEM, type FhirImmunization, type Reference } from './types';

// Shared, frozen sub-objects (resources are read-only): fewer allocations when streaming.
const deepFreeze = <T>(o: T): T => {
	if (o && typeof o === 'object') {
		for (const v of Object.values(o as object)) deepFreeze(v);
		Object.freeze(o);
	}
	return o;
};
const VACCINE_CODE = VACCINES.map((v) =>
	deepFreeze({
		coding: [{ system: CVX_SYSTEM, code: v.cvx, display: v.display }],
		text: v.display,
	}),
);
const MANUFACTURER: Record<string, Reference> = Object.fromEntries(
	Object.entries(MVX).map(([code, name]) => [
		code,
		deepFreeze({ reference: `Organization/mvx-${code.toLowerCase()}`, display: name }),
	]),
);
const PERFORMER = PERFORMERS.map((name) =>
	deepFreeze([
		{
			function: {
				coding: [
					{
						system: 'http://terminology.hl7.org/CodeSystem/v2-0443',
						code: 'AP',
						display: 'Administering Provider',
					},
				],
			},
			actor: { display: name },
		},
	]),
);
const STATUS_REASON = NOT_DONE_REASONS.map(([code, display]) =>
	deepFreeze({
		coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code, display }],
	}),
);
const REPORT_ORIGIN = deepFreeze({
	coding: [
		{
			system: 'http://terminology.hl7.org/CodeSystem/immunization-origin',
			code: 'record',
			display: 'Written Record',
		},
	],
});

const VACCINE_FROM = VACCINES.map((v) => Date.parse(`${v.from}T00:00:00Z`));

/** Number of immunizations of the ordinary patient at index `i`: uniform in [min, max]. */
export function drawImmunizationCount(seed: number, i: number, min: number, max: number): number {
	const r = rngFor(seed, i, STREAM_COUNT);
	return min + Math.floor(r() * (max - min + 1));
}

/**
 * `n` Immunizations of the patient at index `i`, sorted by occurrenceDateTime, with ids
 * `imm-00001-001`…: vaccines fit the patient's age and the product's dates.
 */
export function buildImmunizations(seed: number, i: number, n: number): FhirImmunization[] {
	if (n === 0) return [];
	const pid = patientId(i + 1);
	const { birthMs } = patientCore(seed, i);
	const r = rngFor(seed, i, STREAM_IMMS);
	// vaccines that fit this patient's age and the product's history: [index, lo, hi]
	const fits: Array<[number, number, number]> = [];
	let totalWeight = 0;
	for (let v = 0; v < VACCINES.length; v++) {
		const lo = Math.max(birthMs + VACCINES[v].age[0] * YEAR, VACCINE_FROM[v]);
		const hi = Math.min(birthMs + VACCINES[v].age[1] * YEAR, REF - DAY);
		if (lo < hi) {
			fits.push([v, lo, hi]);
			totalWeight += VACCINES[v].weight;
		}
	}
	const draws: Array<{ v: number; at: number; u: number[] }> = [];
	for (let j = 0; j < n; j++) {
		let w = r() * totalWeight;
		let chosen = fits[fits.length - 1];
		for (const f of fits) {
			w -= VACCINES[f[0]].weight;
			if (w < 0) {
				chosen = f;
				break;
			}
		}
		const [v, lo, hi] = chosen;
		const day = Math.floor((lo + r() * (hi - lo)) / DAY) * DAY;
		const at = day + (8 * 60 + Math.floor(r() * 9 * 60)) * 60_000; // 08:00–16:59 UTC
		draws.push({ v, at, u: [r(), r(), r(), r(), r(), r(), r(), r()] });
	}
	draws.sort((a, b) => a.at - b.at);
	const width = Math.max(3, String(n).length);
	const base = `imm-${pid.slice(3)}-`;
	const patientRef: Reference = Object.freeze({ reference: `Patient/${pid}` });
	return draws.map((d, j) => {
		const vac = VACCINES[d.v];
		const [uStatus, uReason, uLot, uMvx, uPerf, uPrimary, uUpd, uExp] = d.u;
		const status: FhirImmunization['status'] =
			uStatus < 0.9 ? 'completed' : uStatus < 0.96 ? 'not-done' : 'entered-in-error';
		const mvx = vac.mvx[Math.floor(uMvx * vac.mvx.length)];
		const primarySource = uPrimary < 0.85;
		const lotNum = Math.floor(uLot * 26 * 26 * 10000);
		const lotNumber = `${String.fromCharCode(65 + (lotNum % 26))}${String.fromCharCode(65 + (Math.floor(lotNum / 26) % 26))}${pad(Math.floor(lotNum / 676), 4)}`;
		const occurrence = isoSeconds(d.at);
		const imm: FhirImmunization = {
			resourceType: 'Immunization',
			id: base + pad(j + 1, width),
			meta: {
				lastUpdated: isoSeconds(Math.min(REF, d.at + Math.floor(uUpd * 30 * DAY))),
				versionId: '1',
			},
			status,
			vaccineCode: VACCINE_CODE[d.v],
			patient: patientRef,
			occurrenceDateTime: occurrence,
			recorded: occurrence,
			primarySource,
			manufacturer: MANUFACTURER[mvx],
			lotNumber,
			expirationDate: isoDate(d.at + (180 + Math.floor(uExp * 540)) * DAY),
			performer: PERFORMER[Math.floor(uPerf * PERFORMERS.length)] as FhirImmunization['performer'],
		};
		if (status === 'not-done') {
			imm.statusReason = STATUS_REASON[Math.floor(uReason * NOT_DONE_REASONS.length)];
		}
		if (!primarySource) {
			imm.reportOrigin = REPORT_ORIGIN;
		}
		return imm;
	});
}
