// Deterministic scheduling data shared by the eMedicalPractice Standard API (practitioners,
// facilities, appointment categories and statuses, OpenEMR style) and the SMART FHIR store
// (Practitioner, Schedule, Slot). Same start day → identical data.

export interface SandboxPractitioner {
	/** OpenEMR's numeric id (Standard API `pc_aid`) */
	id: string;
	/** FHIR Practitioner id (SMART store) and OpenEMR uuid */
	uuid: string;
	title: string;
	fname: string;
	lname: string;
	npi: string;
	specialty: string;
	facility_id: string;
}

export interface SandboxFacility {
	id: string;
	uuid: string;
	name: string;
	street: string;
	city: string;
	state: string;
	postal_code: string;
	phone: string;
}

export const PRACTITIONERS: SandboxPractitioner[] = [
	{
		id: '1',
		uuid: 'pr-0001',
		title: 'Dr.',
		fname: 'Maria',
		lname: 'Okafor',
		npi: '1457390212',
		specialty: 'Family Medicine',
		facility_id: '3',
	},
	{
		id: '2',
		uuid: 'pr-0002',
		title: 'Dr.',
		fname: 'Jonas',
		lname: 'Berg',
		npi: '1962541083',
		specialty: 'Internal Medicine',
		facility_id: '3',
	},
	{
		id: '3',
		uuid: 'pr-0003',
		title: '',
		fname: 'Priya',
		lname: 'Raman',
		npi: '1184927365',
		specialty: 'Pediatrics',
		facility_id: '4',
	},
];

export const FACILITIES: SandboxFacility[] = [
	{
		id: '3',
		uuid: 'fac-0003',
		name: 'Main Street Clinic',
		street: '12 Main Street',
		city: 'Springfield',
		state: 'IL',
		postal_code: '62701',
		phone: '(217) 555-0100',
	},
	{
		id: '4',
		uuid: 'fac-0004',
		name: 'Riverside Health Center',
		street: '400 River Road',
		city: 'Springfield',
		state: 'IL',
		postal_code: '62704',
		phone: '(217) 555-0190',
	},
];

/** OpenEMR's default calendar categories a patient appointment can have (`pc_catid`). */
export const CATEGORIES: Record<string, string> = {
	'5': 'Office Visit',
	'9': 'Established Patient',
	'10': 'New Patient',
	'12': 'Health and Behavioral Assessment',
	'13': 'Preventive Care Services',
};

/** OpenEMR's appointment statuses (`pc_apptstatus`, list `apptstat`). */
export const APPOINTMENT_STATUSES: Record<string, string> = {
	'-': 'None',
	'*': 'Reminder done',
	'+': 'Chart pulled',
	x: 'Canceled',
	'?': 'No show',
	'@': 'Arrived',
	'~': 'Arrived late',
	'!': 'Left w/o visit',
	'#': 'Ins/fin issue',
	'<': 'In exam room',
	'>': 'Checked out',
	$: 'Coding done',
	'%': 'Canceled < 24h',
	'^': 'Pending',
};

const DAY = 86_400_000;

/** The first day with slots: the day after `nowMs` (UTC). */
export function schedulingStartDay(nowMs: number): string {
	return new Date(Math.floor(nowMs / DAY) * DAY + DAY).toISOString().slice(0, 10);
}

export interface SandboxSlot {
	id: string;
	practitioner: SandboxPractitioner;
	start: string;
	end: string;
}

/**
 * The SMART store's slots: for each practitioner, the next 5 weekdays from `startDay`, 09:00 to
 * 12:00 UTC, 30 minutes each (6 a day). Ids: `slot-<practitioner uuid>-<YYYYMMDD>-<HHMM>`.
 */
export function sandboxSlots(startDay: string): SandboxSlot[] {
	const out: SandboxSlot[] = [];
	let t = Date.parse(`${startDay}T00:00:00Z`);
	const days: string[] = [];
	while (days.length < 5) {
		const d = new Date(t);
		if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
		t += DAY;
	}
	for (const p of PRACTITIONERS) {
		for (const day of days) {
			for (let k = 0; k < 6; k++) {
				const start = Date.parse(`${day}T09:00:00Z`) + k * 30 * 60_000;
				const hhmm = new Date(start).toISOString().slice(11, 16).replace(':', '');
				out.push({
					id: `slot-${p.uuid}-${day.replace(/-/g, '')}-${hhmm}`,
					practitioner: p,
					start: new Date(start).toISOString().replace('.000', ''),
					end: new Date(start + 30 * 60_000).toISOString().replace('.000', ''),
				});
			}
		}
	}
	return out;
}
