// The MyPatientPortal dropdowns (methods/loadOptions.ts): insurance → category → type →
// availability, each loaded from the portal given the choices above it.
import type { Sandbox } from '../../../../sandbox/server';
import { options, slotsOverHttp, useMppSandbox } from '../helpers';

describe('MyPatientPortal dropdowns', () => {
	let sb: Sandbox;
	let token: string;
	useMppSandbox((s, t) => ([sb, token] = [s, t]));

	it('dropdowns load dependent options from the portal', async () => {
		const ins = await options(sb, token, 'getInsurances', { operation: 'book' });
		expect(ins.map((o) => o.value)).toEqual(
			['136', '137', '138'].sort((a, b) => {
				const names: Record<string, string> = {
					'136': 'Gesetzliche Krankenversicherung (GKV)',
					'137': 'Private Krankenversicherung (PKV)',
					'138': 'Selbstzahler',
				};
				return names[a].localeCompare(names[b]);
			}),
		);
		expect(await options(sb, token, 'getAppointmentCategories', { operation: 'book' })).toEqual([]);

		const catsPublic = await options(sb, token, 'getAppointmentCategories', {
			operation: 'book',
			insuranceId: '136',
		});
		expect(catsPublic.map((o) => [o.name, o.value])).toEqual([
			['General Practice', '53'],
			['Preventive Check-ups', '55'],
			['Vaccinations', '54'],
		]);
		const catsSelf = await options(sb, token, 'getAppointmentCategories', {
			operation: 'book',
			insuranceId: '138',
		});
		expect(catsSelf.map((o) => o.value).sort()).toEqual(['53', '54', '56']);

		const types = await options(sb, token, 'getAppointmentTypes', {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
		});
		expect(types.map((o) => [o.name, o.value, o.description])).toEqual([
			['Follow-up visit', '199', '15 min, no ASAP list'],
			['Initial consultation', '198', '30 min, ASAP list available'],
			['Video consultation', '200', '20 min, ASAP list available'],
		]);
		const typesPrivate = await options(sb, token, 'getAppointmentTypes', {
			operation: 'book',
			insuranceId: '138',
			appointmentCategoryId: '53',
		});
		expect(typesPrivate.map((o) => o.value).sort()).toEqual(['198', '199']);

		const slots = await slotsOverHttp(sb, token, 53, 198, 136);
		const avail = await options(sb, token, 'getAvailabilities', {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
		});
		expect(avail.map((o) => o.value)).toEqual(slots.map((s) => s.id));
		expect(avail[0].name).toMatch(/^\w{3}, \d{2} \w{3} \d{4}, \d{2}:\d{2}–\d{2}:\d{2}$/);

		// the from/to window narrows the list to one day
		const day = slots[0].start_time.slice(0, 10);
		const oneDay = await options(sb, token, 'getAvailabilities', {
			operation: 'book',
			insuranceId: '136',
			appointmentCategoryId: '53',
			appointmentTypeId: '198',
			from: `${day}T00:00:00Z`,
			to: `${day}T23:59:59Z`,
		});
		expect(oneDay.map((o) => o.value)).toEqual(
			slots.filter((s) => s.start_time.startsWith(day)).map((s) => s.id),
		);
		expect(oneDay.length).toBeLessThan(slots.length);
	});
});
