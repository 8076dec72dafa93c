// EHR FHIR node, FHIR Resource → Delete, through the harness against the sandbox's FHIR stores:
// `{ deleted: true, resourceType, id }`, then the resource is gone (410) and deleting again still
// answers deleted, where declared (SMART, 1upHealth); refused before any request where not
// (eMedicalPractice).
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import {
	RES,
	createObservation,
	dataRequestsSince,
	runStore,
	storeCount,
	useStore,
	vendorsWhere,
} from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

describe('Delete', () => {
	it.each(vendorsWhere('delete'))(
		'%s: deletes; then the resource is gone (410) and deleting again still answers deleted',
		async (vendor) => {
			const id = await createObservation(sb, vendor);
			const start = await storeCount(sb, vendor, 'Observation');
			const out = await runStore(sb, vendor, {
				...RES('delete'),
				resourceType: 'Observation',
				resourceId: id,
			});
			expect(out.map((i) => i.json)).toEqual([{ deleted: true, resourceType: 'Observation', id }]);
			expect(await storeCount(sb, vendor, 'Observation')).toBe(start - 1);
			const gone = await failure(
				runStore(sb, vendor, { ...RES('get'), resourceType: 'Observation', resourceId: id }),
			);
			expect(gone.httpCode).toBe('410');
			const again = await runStore(sb, vendor, {
				...RES('delete'),
				resourceType: 'Observation',
				resourceId: id,
			});
			expect(again.map((i) => i.json)).toEqual([
				{ deleted: true, resourceType: 'Observation', id },
			]);
		},
	);

	it.each(vendorsWhere('delete', false))('%s: refused before any request', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, vendor, { ...RES('delete'), resourceType: 'Patient', resourceId: 'pt-00001' }),
		);
		expect(e.message).toBe('This server does not support delete on Patient: nothing was sent');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});
