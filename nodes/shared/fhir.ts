// FHIR → n8n items: "Simplify" views of Patient and Immunization that read R4, STU3 and DSTU2
// alike, plus small helpers (references, dates, local filters).
import type { IDataObject } from 'n8n-workflow';
import { isRecord, str } from './values';

type R = Record<string, unknown>;

function rec(v: unknown): R | undefined {
	return isRecord(v) ? v : undefined;
}
function arr(v: unknown): unknown[] {
	return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

const REFERENCE_RE = new Map<string, RegExp>();

/** `Patient/abc`, `https://x/fhir/Patient/abc/_history/2` or `abc` → `abc`. */
export function idFromReference(ref: unknown, type = 'Patient'): string | undefined {
	const s = str(ref);
	if (!s) return undefined;
	let re = REFERENCE_RE.get(type);
	if (!re) REFERENCE_RE.set(type, (re = new RegExp(`(?:^|/)${type}/([^/?#]+)`)));
	const m = re.exec(s);
	if (m) return decodeURIComponentSafe(m[1]);
	return s.includes('/') ? undefined : s;
}

function decodeURIComponentSafe(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/** A regex for n8n's resource locator "By URL": the id after `/Patient/` in a FHIR URL. */
export const PATIENT_URL_REGEX =
	'^https?://.+/[Pp]atient/([^/?#]+)(?:/_history/[^/?#]+)?/?(?:[?#].*)?$';

function pickName(names: unknown[]): R | undefined {
	const rs = names.map(rec).filter((n): n is R => !!n);
	return rs.find((n) => n.use === 'official') ?? rs.find((n) => n.use === 'usual') ?? rs[0];
}

function isMrn(identifier: R): boolean {
	const type = rec(identifier.type);
	const codes = arr(type?.coding)
		.map(rec)
		.map((c) => c?.code);
	if (codes.includes('MR')) return true;
	return /mrn|medical.?record/i.test(`${str(identifier.system) ?? ''} ${str(type?.text) ?? ''}`);
}

function telecom(p: R, system: string): string | undefined {
	const t = arr(p.telecom)
		.map(rec)
		.filter((x): x is R => !!x && x.system === system);
	return str((t.find((x) => x.use === 'mobile' || x.use === 'home') ?? t[0])?.value);
}

/** Flat Patient fields people map in the next node. */
export function simplifyPatient(resource: unknown): IDataObject {
	const p = rec(resource) ?? {};
	const name = pickName(arr(p.name));
	const family = name
		? Array.isArray(name.family)
			? name.family.join(' ')
			: str(name.family)
		: undefined; // DSTU2: family[]
	const given = name ? arr(name.given).map(str).filter(Boolean).join(' ') : undefined;
	const addresses = arr(p.address)
		.map(rec)
		.filter((a): a is R => !!a);
	const address = addresses.find((a) => a.use === 'home') ?? addresses[0];
	const identifiers = arr(p.identifier)
		.map(rec)
		.filter((i): i is R => !!i);
	const mrn = identifiers.find(isMrn);
	return {
		id: str(p.id) ?? null,
		givenName: given || (name ? (str(name.text) ?? null) : null),
		familyName: family ?? null,
		birthDate: str(p.birthDate) ?? null,
		gender: str(p.gender) ?? null,
		phone: telecom(p, 'phone') ?? null,
		email: telecom(p, 'email') ?? null,
		addressLines: address
			? arr(address.line)
					.map(str)
					.filter((x): x is string => !!x)
			: [],
		city: str(address?.city) ?? null,
		postalCode: str(address?.postalCode) ?? null,
		mrn: str(mrn?.value) ?? null,
		identifiers: identifiers.map((i) => ({
			system: str(i.system) ?? null,
			value: str(i.value) ?? null,
		})),
	};
}

/** The date an immunization was given: R4 `occurrenceDateTime`/`occurrenceString`, STU3/DSTU2 `date`. */
export function immunizationDate(resource: unknown): string | undefined {
	const i = rec(resource) ?? {};
	return str(i.occurrenceDateTime) ?? str(i.date) ?? str(i.occurrenceString);
}

/** Status in R4 terms where the version says more (`notGiven`/`wasNotGiven` → not-done). */
export function immunizationStatus(resource: unknown): string | undefined {
	const i = rec(resource) ?? {};
	if (i.notGiven === true || i.wasNotGiven === true) return 'not-done';
	return str(i.status);
}

function performerOf(i: R): string | undefined {
	// R4: performer[].actor; STU3: practitioner[].actor; DSTU2: performer (a Reference)
	for (const p of [...arr(i.performer), ...arr(i.practitioner)]) {
		const r = rec(p);
		if (!r) continue;
		const actor = rec(r.actor) ?? r;
		const s = str(actor.display) ?? str(actor.reference);
		if (s) return s;
	}
	return undefined;
}

/** Flat Immunization fields. */
export function simplifyImmunization(resource: unknown): IDataObject {
	const i = rec(resource) ?? {};
	const vc = rec(i.vaccineCode);
	const coding = arr(vc?.coding)
		.map(rec)
		.filter((c): c is R => !!c);
	const cvx = coding.find((c) => /cvx/i.test(str(c.system) ?? '')) ?? coding[0];
	const patient = rec(i.patient) ?? rec(i.subject);
	return {
		id: str(i.id) ?? null,
		vaccineCode: str(cvx?.code) ?? null,
		vaccineName: str(vc?.text) ?? str(cvx?.display) ?? null,
		date: immunizationDate(i) ?? null,
		// R4 terms: STU3 `notGiven` / DSTU2 `wasNotGiven` read as not-done
		status: immunizationStatus(i) ?? null,
		lotNumber: str(i.lotNumber) ?? null,
		performer: performerOf(i) ?? null,
		patientId: idFromReference(patient?.reference) ?? null,
	};
}

/** `YYYY-MM-DD` or a full date-time → epoch ms at its start (UTC); undefined when empty. */
export function parseDay(v: string | undefined): number | undefined {
	if (!v) return undefined;
	const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
	return Number.isNaN(t) ? undefined : t;
}

/** Local filter for vendors whose server does not filter (dates inclusive, whole days, UTC). */
export function immunizationMatches(
	resource: unknown,
	f: { from?: string; to?: string; statuses?: string[] },
): boolean {
	if (f.statuses && f.statuses.length) {
		const s = str(rec(resource)?.status);
		const r4 = immunizationStatus(resource);
		if (!f.statuses.includes(s ?? '') && !f.statuses.includes(r4 ?? '')) return false;
	}
	if (f.from || f.to) {
		const d = parseDay(immunizationDate(resource));
		if (d === undefined) return false;
		const lo = parseDay(f.from);
		const hi = parseDay(f.to);
		if (lo !== undefined && d < lo) return false;
		if (hi !== undefined && d >= hi + 86_400_000) return false;
	}
	return true;
}
