// EHR FHIR node, Bundle → Batch, through the harness against the sandbox's FHIR stores: one
// failing entry fails alone (its output item has the status and outcome, the others are written)
// on SMART and 1upHealth, If None Exist per entry (a batch sent twice writes once), refused before
// any request where the server declares no batch (eMedicalPractice).
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import { BATCH, PER_ITEM, post, stalePut } from './entries';
import { dataRequestsSince, runStore, storeCount, useStore, vendorsWhere } from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

describe.each(vendorsWhere('batch'))('Batch: %s', (vendor) => {
	it('a failing entry fails alone: its output item has the status and outcome, the others are written', async () => {
		const start = await storeCount(sb, vendor, 'Observation');
		const out = await runStore(sb, vendor, { ...BATCH, ...PER_ITEM }, [
			post('pt-00002', 1),
			stalePut,
			post('pt-00002', 3),
		]);
		expect(out.map((i) => [i.json.statusCode, i.pairedItem])).toEqual([
			[201, { item: 0 }],
			[412, { item: 1 }],
			[201, { item: 2 }],
		]);
		expect(out[1].json.outcome).toMatchObject({ resourceType: 'OperationOutcome' });
		expect(await storeCount(sb, vendor, 'Observation')).toBe(start + 2);
	});
});

describe('entries', () => {
	it('smart: If None Exist per entry → a batch sent twice writes the patient once', async () => {
		const start = await storeCount(sb, 'smart', 'Patient');
		const item = {
			json: {
				method: 'POST',
				url: 'Patient',
				resource: {
					resourceType: 'Patient',
					identifier: [{ system: 'http://clinic.example/mrn', value: 'b-1' }],
				},
			},
		};
		const params = {
			...BATCH,
			...PER_ITEM,
			entryOptions: { ifNoneExist: 'identifier=http://clinic.example/mrn|b-1' },
		};
		const first = await runStore(sb, 'smart', params, [item]);
		const second = await runStore(sb, 'smart', params, [item]);
		expect([first[0].json.statusCode, second[0].json.statusCode]).toEqual([201, 200]);
		expect(await storeCount(sb, 'smart', 'Patient')).toBe(start + 1);
	});
});

describe('refusals before any request', () => {
	it.each(vendorsWhere('batch', false))('%s: Batch not declared', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, vendor, { ...BATCH, ...PER_ITEM }, [post('pt-00002', 1)]));
		expect(e.message).toBe('This server does not support a Batch Bundle: nothing was sent');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});
