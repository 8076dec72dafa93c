// EHR FHIR node, FHIR Resource → Update (PUT by ID), through the harness against the sandbox's
// FHIR stores on every store vendor: the resource replaced, If-Match of an old version → 412 and
// nothing written, a body id that differs from the resource refused before sending, and the PUT
// repeated after a lost answer (it is idempotent).
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import {
	RES,
	STORE_VENDORS,
	createObservation,
	observation,
	runStore,
	sentSince,
	useStore,
} from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

describe.each(STORE_VENDORS)('Update: %s', (vendor) => {
	it('replaces the resource; If-Match of an old version → 412 and nothing written', async () => {
		const id = await createObservation(sb, vendor);
		const [v2] = await runStore(sb, vendor, {
			...RES('update'),
			resourceType: 'Observation',
			resourceId: id,
			body: JSON.stringify(observation('pt-00001', { status: 'amended' })),
			ifMatch: '1',
		});
		expect(v2.json).toMatchObject({ id, status: 'amended', meta: { versionId: '2' } });
		const stale = await failure(
			runStore(sb, vendor, {
				...RES('update'),
				resourceType: 'Observation',
				resourceId: id,
				body: JSON.stringify(observation('pt-00001', { status: 'cancelled' })),
				ifMatch: 'W/"1"',
			}),
		);
		expect(stale).toBeInstanceOf(NodeApiError);
		expect(stale.httpCode).toBe('412');
		expect(stale.message).toMatch(
			new RegExp(
				`^Update Observation/${id} failed: Observation/${id} is no longer at version 1 \\(it changed meanwhile\\); nothing was written`,
			),
		);
		const [now] = await runStore(sb, vendor, {
			...RES('get'),
			resourceType: 'Observation',
			resourceId: id,
		});
		expect(now.json).toMatchObject({ status: 'amended', meta: { versionId: '2' } });
	});

	it('a body with another id is refused before sending', async () => {
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, vendor, {
				...RES('update'),
				resourceType: 'Observation',
				resourceId: 'obs-a',
				body: JSON.stringify(observation('pt-00001', { id: 'obs-b' })),
			}),
		);
		expect(e).toBeInstanceOf(NodeOperationError);
		expect(e.message).toBe(
			'The body of item 0 has the id "obs-b", but the resource to update is Observation/obs-a: nothing was sent',
		);
		expect(sentSince(sb, before)).toEqual([]);
	});
});

describe('Update is repeated after a lost answer (idempotent)', () => {
	it('smart: the connection breaks once, the PUT is sent again and succeeds', async () => {
		const id = await createObservation(sb, 'smart');
		sb.app.faults.add({
			surface: 'smart',
			kind: 'reset',
			method: 'PUT',
			pathContains: `/Observation/${id}`,
		});
		const before = sb.app.requests.length;
		const [out] = await runStore(sb, 'smart', {
			...RES('update'),
			resourceType: 'Observation',
			resourceId: id,
			body: JSON.stringify(observation('pt-00001', { status: 'amended' })),
		});
		expect(out.json).toMatchObject({ id, status: 'amended' });
		expect(sentSince(sb, before).filter((r) => r.method === 'PUT')).toHaveLength(2);
	});
});
