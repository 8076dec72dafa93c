// Deterministic MyPatientPortal data from a seed: insurances, appointment categories, appointment
// types (some with the ASAP list enabled), availabilities (slots with opaque ids that contain
// `+ / = _ -`, like the vendor's example), patient profiles and a few seeded appointments.
// Same seed + same start date → byte-identical data. Slot times are whole minutes.
import { DAY, isoDate, isoSeconds } from './dates';
import { pad, patientId } from './ids';
import { mulberry32 } from './rng';

/** `pt-00001` style id for patient number n (1-based), as in the FHIR data set. */
export { patientId };

export interface MppInsurance {
	id: number;
	name: string;
	kind: 'public' | 'private' | 'self_pay';
}

export interface MppCategory {
	id: number;
	name: string;
	description: string;
	/** insurances this category is bookable with */
	insurance_ids: number[];
}

export interface MppType {
	id: number;
	appointment_category_id: number;
	name: string;
	duration_minutes: number;
	asap_notifications_enabled: boolean;
	/** insurances this type is bookable with */
	insurance_ids: number[];
}

export interface MppSlot {
	/** opaque availability id: matched byte for byte */
	id: string;
	appointment_category_id: number;
	appointment_type_id: number;
	start_time: string;
	end_time: string;
	/** epoch ms of start_time, for filtering */
	startMs: number;
}

export interface MppProfile {
	id: string;
	first_name: string;
	last_name: string;
	email: string;
	date_of_birth: string;
	phone: string;
}

export interface MppSeedAppointment {
	patientId: string;
	slotId: string;
	insuranceId: number;
	status: 'booked' | 'cancelled';
	comment: string | null;
}

export interface MppData {
	insurances: MppInsurance[];
	categories: MppCategory[];
	types: MppType[];
	slots: MppSlot[];
	seedAppointments: MppSeedAppointment[];
	/** deterministic appointment ids, in order of creation */
	nextAppointmentId: () => string;
	profile: (patientId: string) => MppProfile;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function chars(rand: () => number, n: number, alphabet = B64): string {
	let s = '';
	for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
	return s;
}

/**
 * An availability id in the vendor's style (a long base64-like token). Every id contains each of
 * `+`, `/`, `=`, `_` and `-`, so that a client that mangles any of them fails to book.
 */
function availabilityId(rand: () => number): string {
	return (
		chars(rand, 38) +
		'_' +
		chars(rand, 21) +
		'+' +
		chars(rand, 27) +
		'/' +
		chars(rand, 19) +
		'--' +
		chars(rand, 24) +
		'_' +
		chars(rand, 9) +
		'+' +
		chars(rand, 14) +
		'=='
	);
}

const FIRST = [
	'Anna',
	'Ben',
	'Clara',
	'David',
	'Emma',
	'Felix',
	'Greta',
	'Hugo',
	'Ida',
	'Jonas',
	'Lena',
	'Max',
	'Nora',
	'Paul',
	'Sophie',
];
const LAST = [
	'Meyer',
	'Schmidt',
	'Fischer',
	'Weber',
	'Wagner',
	'Becker',
	'Hoffmann',
	'Koch',
	'Richter',
	'Klein',
	'Wolf',
	'Neumann',
];

/** Midnight UTC of the day after `nowMs`: the default first day of availabilities. */
export function defaultStartDate(nowMs: number): string {
	return isoDate(nowMs + DAY);
}

export interface MppDataOptions {
	seed?: number;
	/** first day with availabilities, YYYY-MM-DD (UTC) */
	startDate: string;
	/** days with availabilities (weekdays only are used), default 21 */
	days?: number;
}

export function buildMppData(opts: MppDataOptions): MppData {
	const seed = opts.seed ?? 42;
	const rand = mulberry32(seed * 7919 + 17);

	const insurances: MppInsurance[] = [
		{ id: 136, name: 'Gesetzliche Krankenversicherung (GKV)', kind: 'public' },
		{ id: 137, name: 'Private Krankenversicherung (PKV)', kind: 'private' },
		{ id: 138, name: 'Selbstzahler', kind: 'self_pay' },
	];
	const categories: MppCategory[] = [
		{
			id: 53,
			name: 'General Practice',
			description: 'Consultations with a general practitioner',
			insurance_ids: [136, 137, 138],
		},
		{
			id: 54,
			name: 'Vaccinations',
			description: 'Travel and routine vaccinations',
			insurance_ids: [136, 137, 138],
		},
		{
			id: 55,
			name: 'Preventive Check-ups',
			description: 'Health check-ups and screenings',
			insurance_ids: [136, 137],
		},
		{
			id: 56,
			name: 'Private Services',
			description: 'Services not covered by public insurance',
			insurance_ids: [137, 138],
		},
	];
	const types: MppType[] = [
		{
			id: 198,
			appointment_category_id: 53,
			name: 'Initial consultation',
			duration_minutes: 30,
			asap_notifications_enabled: true,
			insurance_ids: [136, 137, 138],
		},
		{
			id: 199,
			appointment_category_id: 53,
			name: 'Follow-up visit',
			duration_minutes: 15,
			asap_notifications_enabled: false,
			insurance_ids: [136, 137, 138],
		},
		{
			id: 200,
			appointment_category_id: 53,
			name: 'Video consultation',
			duration_minutes: 20,
			asap_notifications_enabled: true,
			insurance_ids: [136, 137],
		},
		{
			id: 210,
			appointment_category_id: 54,
			name: 'Flu vaccination',
			duration_minutes: 10,
			asap_notifications_enabled: false,
			insurance_ids: [136, 137, 138],
		},
		{
			id: 211,
			appointment_category_id: 54,
			name: 'Travel vaccination advice',
			duration_minutes: 30,
			asap_notifications_enabled: true,
			insurance_ids: [137, 138],
		},
		{
			id: 220,
			appointment_category_id: 55,
			name: 'Check-up 35',
			duration_minutes: 45,
			asap_notifications_enabled: true,
			insurance_ids: [136, 137],
		},
		{
			id: 221,
			appointment_category_id: 55,
			name: 'Skin cancer screening',
			duration_minutes: 30,
			asap_notifications_enabled: false,
			insurance_ids: [136],
		},
		{
			id: 230,
			appointment_category_id: 56,
			name: 'Sports medicine examination',
			duration_minutes: 60,
			asap_notifications_enabled: false,
			insurance_ids: [137, 138],
		},
	];

	// Slots: weekdays from startDate, a handful per day and type, on a quarter-hour grid.
	const days = opts.days ?? 21;
	const start = Date.parse(`${opts.startDate}T00:00:00Z`);
	const slots: MppSlot[] = [];
	for (const type of types) {
		for (let d = 0; d < days; d++) {
			const dayMs = start + d * DAY;
			const wd = new Date(dayMs).getUTCDay();
			if (wd === 0 || wd === 6) continue;
			const perDay = 3 + Math.floor(rand() * 4); // 3..6
			const used = new Set<number>();
			for (let k = 0; k < perDay; k++) {
				// 07:00..16:45 UTC on a 15-minute grid
				let q = Math.floor(rand() * 40);
				while (used.has(q)) q = (q + 1) % 40;
				used.add(q);
				const s = dayMs + (7 * 60 + q * 15) * 60 * 1000;
				slots.push({
					id: availabilityId(rand),
					appointment_category_id: type.appointment_category_id,
					appointment_type_id: type.id,
					start_time: isoSeconds(s),
					end_time: isoSeconds(s + type.duration_minutes * 60 * 1000),
					startMs: s,
				});
			}
		}
	}
	slots.sort((a, b) => a.startMs - b.startMs || a.appointment_type_id - b.appointment_type_id);

	// A few appointments that exist before anyone books: patients 2..6, one each (pt-00001 starts
	// empty so tests can count its own bookings); one of them cancelled.
	const seedAppointments: MppSeedAppointment[] = [];
	for (let n = 2; n <= 6; n++) {
		const slot = slots[Math.floor(rand() * slots.length)];
		if (seedAppointments.some((a) => a.slotId === slot.id)) continue;
		seedAppointments.push({
			patientId: patientId(n),
			slotId: slot.id,
			insuranceId: n % 2 === 0 ? 136 : 137,
			status: n === 4 ? 'cancelled' : 'booked',
			comment: n === 3 ? 'Please call before the visit.' : null,
		});
	}

	const idRand = mulberry32(seed * 104729 + 3);
	const nextAppointmentId = () => chars(idRand, 28);

	const profile = (pid: string): MppProfile => {
		const n = Number(/(\d+)$/.exec(pid)?.[1] ?? 0);
		const r = mulberry32(seed * 31 + n * 977);
		const first = FIRST[Math.floor(r() * FIRST.length)];
		const last = LAST[Math.floor(r() * LAST.length)];
		const year = 1950 + Math.floor(r() * 55);
		const month = 1 + Math.floor(r() * 12);
		const day = 1 + Math.floor(r() * 28);
		return {
			id: pid,
			first_name: first,
			last_name: last,
			email: `${first}.${last}.${n}@example.org`.toLowerCase(),
			date_of_birth: `${year}-${pad(month, 2)}-${pad(day, 2)}`,
			phone: `+49 30 ${String(1000000 + Math.floor(r() * 8999999))}`,
		};
	};

	return { insurances, categories, types, slots, seedAppointments, nextAppointmentId, profile };
}
