// EHR FHIR node, FHIR Resource → Get Version (vread), through the harness against the sandbox's
// FHIR stores: an earlier and the current version after an update where declared (SMART,
// 1upHealth), refused before any request where not (eMedicalPractice).
import { NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import {
	RES,
	createObservation,
	dataRequestsSince,
	observation,
	runStore,
	useStore,
	vendorsWhere,
} from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

describe('Get Version (vread)', () => {
	it.each(vendorsWhere('vread'))('%s: reads an earlier version after an update', async (vendor) => {
		const id = await createObservation(sb, vendor);
		await runStore(sb, vendor, {
			...RES('update'),
			resourceType: 'Observation',
			resourceId: id,
			body: JSON.stringify(observation('pt-00001', { status: 'amended' })),
		});
		const [v1] = await runStore(sb, vendor, {
			...RES('getVersion'),
			resourceType: 'Observation',
			resourceId: id,
			versionId: 'W/"1"',
		});
		expect(v1.json).toMatchObject({ id, status: 'final', meta: { versionId: '1' } });
		const [v2] = await runStore(sb, vendor, {
			...RES('getVersion'),
			resourceType: 'Observation',
			resourceId: id,
			versionId: '2',
		});
		expect(v2.json).toMatchObject({ id, status: 'amended', meta: { versionId: '2' } });
	});

	it.each(vendorsWhere('vread', false))(
		'%s: refused before any request (not declared)',
		async (vendor) => {
			const before = sb.app.requests.length;
			const e = await failure(
				runStore(sb, vendor, {
					...RES('getVersion'),
					resourceType: 'Patient',
					resourceId: 'pt-00001',
					versionId: '1',
				}),
			);
			expect(e).toBeInstanceOf(NodeOperationError);
			expect(e.message).toBe(
				'This server does not support reading a version (vread) on Patient: nothing was sent',
			);
			expect(e.description).toMatch(
				/^The list comes from its CapabilityStatement \(GET .*\/metadata\)\. On Patient it supports: read, search, create, update\./,
			);
			expect(dataRequestsSince(sb, before)).toEqual([]);
		},
	);
});
