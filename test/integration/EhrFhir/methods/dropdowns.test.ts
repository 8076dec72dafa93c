// EHR FHIR node, the Resource Type and Search Parameter dropdowns (loadOptions through the
// harness): from each store's CapabilityStatement (one metadata read per load), from the onpatient
// profile (no request), and the common types for a server without a statement (ad-hoc server).
import type { Sandbox } from '../../../../sandbox/server';
import { loadOptions } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import { paramList } from '../../../../sandbox/fhir-store/params';
import { PROFILES, profileTypes } from '../../../../sandbox/fhir-store/profiles';
import { adHocCredentials, serveAdHocFhir, useFhirSandbox } from '../helpers';
import { STORE_SURFACE, STORE_VENDORS, sentSince, storeCredentials } from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
	serveAdHocFhir(s);
});

describe.each(STORE_VENDORS)('%s', (vendor) => {
	it('Resource Type lists the declared types; Search Parameter the declared parameters of the chosen type', async () => {
		const { type, store } = storeCredentials(sb, vendor);
		const before = sb.app.requests.length;
		const types = await loadOptions(EhrFhir, 'getResourceTypes', {
			parameters: { authentication: type, resource: 'resource', operation: 'search' },
			credentials: store,
		});
		// the types the store declares (eMedicalPractice: no Schedule or Slot, as on OpenEMR; the
		// SMART store also serves Subscription, sandbox/fhir-store/subscriptions.ts)
		const surface = vendor === 'emp' ? 'emp' : vendor === 'oneup-r4' ? 'oneup' : 'smart';
		const profile = PROFILES[surface];
		const served = [...profileTypes(profile), ...(profile.subscriptions ? ['Subscription'] : [])];
		expect(types.map((t) => t.value)).toEqual(served.sort());
		if (vendor === 'emp') expect(types.map((t) => t.value)).not.toContain('Slot');
		expect(sentSince(sb, before).map((r) => r.path)).toEqual([
			expect.stringMatching(/\/metadata$/),
		]);
		const params = await loadOptions(EhrFhir, 'getSearchParameters', {
			parameters: {
				authentication: type,
				resource: 'resource',
				operation: 'search',
				resourceType: 'Observation',
			},
			credentials: store,
		});
		expect(params.map((p) => p.value)).toEqual(
			paramList('Observation')
				.map((p) => p.name)
				.sort((a, b) => a.localeCompare(b)),
		);
		expect(params.find((p) => p.value === 'date')?.description).toBe('A date parameter');
	});
});

describe('without a CapabilityStatement', () => {
	it("onpatient: the profile's types, no request", async () => {
		const { type, store } = storeCredentials(sb, 'onpatient');
		const before = sb.app.requests.length;
		const types = await loadOptions(EhrFhir, 'getResourceTypes', {
			parameters: { authentication: type },
			credentials: store,
		});
		expect(types.map((t) => t.value)).toEqual(['Immunization', 'Patient']);
		const params = await loadOptions(EhrFhir, 'getSearchParameters', {
			parameters: { authentication: type, resourceType: 'Immunization' },
			credentials: store,
		});
		expect(params.map((p) => p.value)).toEqual(['_id', '_lastUpdated']);
		expect(sentSince(sb, before)).toEqual([]);
	});

	it('a server whose /metadata is missing: the common FHIR types', async () => {
		const { type, store } = adHocCredentials(sb);
		const types = await loadOptions(EhrFhir, 'getResourceTypes', {
			parameters: { authentication: type },
			credentials: store,
		});
		expect(types.map((t) => t.value)).toContain('Observation');
		expect(types.map((t) => t.value)).toContain('MedicationRequest');
	});
});
