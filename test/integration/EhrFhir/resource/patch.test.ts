// EHR FHIR node, FHIR Resource → Patch (JSON Patch, optionally If-Match), through the harness
// against the sandbox's FHIR stores: applied where declared (SMART), refused before any request
// where not (eMedicalPractice, 1upHealth), a document that is not a list of operations refused
// before sending.
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import {
	RES,
	createObservation,
	dataRequestsSince,
	runStore,
	sentSince,
	useStore,
	vendorsWhere,
} from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

describe('Patch', () => {
	it.each(vendorsWhere('patch'))('%s: applies a JSON Patch', async (vendor) => {
		const id = await createObservation(sb, vendor);
		const [out] = await runStore(sb, vendor, {
			...RES('patch'),
			resourceType: 'Observation',
			resourceId: id,
			patch: JSON.stringify([{ op: 'replace', path: '/status', value: 'amended' }]),
			ifMatch: '1',
		});
		expect(out.json).toMatchObject({ id, status: 'amended', meta: { versionId: '2' } });
		const sent = sb.app.requests.filter((r) => r.method === 'PATCH');
		expect(sent[sent.length - 1].headers['content-type']).toBe('application/json-patch+json');
	});

	it.each(vendorsWhere('patch', false))('%s: refused before any request', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, vendor, {
				...RES('patch'),
				resourceType: 'Observation',
				resourceId: 'obs-1',
				patch: '[{"op":"remove","path":"/note"}]',
			}),
		);
		expect(e.message).toBe('This server does not support patch on Observation: nothing was sent');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});

	it('a JSON Patch that is not a list of operations is refused before sending', async () => {
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, 'smart', {
				...RES('patch'),
				resourceType: 'Observation',
				resourceId: 'obs-1',
				patch: '{"op":"remove"}',
			}),
		);
		expect(e.message).toBe(
			'The JSON Patch of item 0 is not a list of operations: nothing was sent',
		);
		expect(sentSince(sb, before)).toEqual([]);
	});
});
