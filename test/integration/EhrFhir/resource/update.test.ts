// EHR FHIR node, FHIR Resource → Update, Patch and Delete, through the harness against the
// sandbox's FHIR stores: Update (PUT) with and without If-Match (412 → nothing written) and a
// body id that differs from the resource refused; Patch (JSON Patch) where declared; Delete
// (`{ deleted: true, resourceType, id }`, then 410); each refused before any request where the
// server does not declare it; PUT by ID repeated after a lost answer, a PATCH not.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import { RES, STORE_VENDORS, dataRequestsSince, observation, runStore, sentSince, storeCount, vendorsWhere, type StoreVendor } from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

async function created(vendor: StoreVendor): Promise<string> {
	const [one] = await runStore(sb, vendor, { ...RES('create'), resourceType: 'Observation', body: JSON.stringify(observation('pt-00001')) });
	return String(one.json.id);
}

describe.each(STORE_VENDORS)('Update: %s', (vendor) => {
	it('replaces the resource; If-Match of an old version → 412 and nothing written', async () => {
		const id = await created(vendor);
		const [v2] = await runStore(sb, vendor, { ...RES('update'), resourceType: 'Observation', resourceId: id, body: JSON.stringify(observation('pt-00001', { status: 'amended' })), ifMatch: '1' });
		expect(v2.json).toMatchObject({ id, status: 'amended', meta: { versionId: '2' } });
		const stale = await failure(runStore(sb, vendor, { ...RES('update'), resourceType: 'Observation', resourceId: id, body: JSON.stringify(observation('pt-00001', { status: 'cancelled' })), ifMatch: 'W/"1"' }));
		expect(stale).toBeInstanceOf(NodeApiError);
		expect(stale.httpCode).toBe('412');
		expect(stale.message).toMatch(new RegExp(`^Update Observation/${id} failed: Observation/${id} is no longer at version 1 \\(it changed meanwhile\\); nothing was written`));
		const [now] = await runStore(sb, vendor, { ...RES('get'), resourceType: 'Observation', resourceId: id });
		expect(now.json).toMatchObject({ status: 'amended', meta: { versionId: '2' } });
	});

	it('a body with another id is refused before sending', async () => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, vendor, { ...RES('update'), resourceType: 'Observation', resourceId: 'obs-a', body: JSON.stringify(observation('pt-00001', { id: 'obs-b' })) }));
		expect(e).toBeInstanceOf(NodeOperationError);
		expect(e.message).toBe('The body of item 0 has the id "obs-b", but the resource to update is Observation/obs-a: nothing was sent');
		expect(sentSince(sb, before)).toEqual([]);
	});
});

describe('Update is repeated after a lost answer (idempotent)', () => {
	it('smart: the connection breaks once, the PUT is sent again and succeeds', async () => {
		const id = await created('smart');
		sb.app.faults.add({ surface: 'smart', kind: 'reset', method: 'PUT', pathContains: `/Observation/${id}` });
		const before = sb.app.requests.length;
		const [out] = await runStore(sb, 'smart', { ...RES('update'), resourceType: 'Observation', resourceId: id, body: JSON.stringify(observation('pt-00001', { status: 'amended' })) });
		expect(out.json).toMatchObject({ id, status: 'amended' });
		expect(sentSince(sb, before).filter((r) => r.method === 'PUT')).toHaveLength(2);
	});
});

describe('Patch', () => {
	it.each(vendorsWhere('patch'))('%s: applies a JSON Patch', async (vendor) => {
		const id = await created(vendor);
		const [out] = await runStore(sb, vendor, { ...RES('patch'), resourceType: 'Observation', resourceId: id, patch: JSON.stringify([{ op: 'replace', path: '/status', value: 'amended' }]), ifMatch: '1' });
		expect(out.json).toMatchObject({ id, status: 'amended', meta: { versionId: '2' } });
		const sent = sb.app.requests.filter((r) => r.method === 'PATCH');
		expect(sent[sent.length - 1].headers['content-type']).toBe('application/json-patch+json');
	});

	it.each(vendorsWhere('patch', false))('%s: refused before any request', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, vendor, { ...RES('patch'), resourceType: 'Observation', resourceId: 'obs-1', patch: '[{"op":"remove","path":"/note"}]' }));
		expect(e.message).toBe('This server does not support patch on Observation: nothing was sent');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});

	it('a JSON Patch that is not a list of operations is refused before sending', async () => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, 'smart', { ...RES('patch'), resourceType: 'Observation', resourceId: 'obs-1', patch: '{"op":"remove"}' }));
		expect(e.message).toBe('The JSON Patch of item 0 is not a list of operations: nothing was sent');
		expect(sentSince(sb, before)).toEqual([]);
	});
});

describe('Delete', () => {
	it.each(vendorsWhere('delete'))('%s: deletes; then the resource is gone (410) and deleting again still answers deleted', async (vendor) => {
		const id = await created(vendor);
		const start = await storeCount(sb, vendor, 'Observation');
		const out = await runStore(sb, vendor, { ...RES('delete'), resourceType: 'Observation', resourceId: id });
		expect(out.map((i) => i.json)).toEqual([{ deleted: true, resourceType: 'Observation', id }]);
		expect(await storeCount(sb, vendor, 'Observation')).toBe(start - 1);
		const gone = await failure(runStore(sb, vendor, { ...RES('get'), resourceType: 'Observation', resourceId: id }));
		expect(gone.httpCode).toBe('410');
		const again = await runStore(sb, vendor, { ...RES('delete'), resourceType: 'Observation', resourceId: id });
		expect(again.map((i) => i.json)).toEqual([{ deleted: true, resourceType: 'Observation', id }]);
	});

	it.each(vendorsWhere('delete', false))('%s: refused before any request', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, vendor, { ...RES('delete'), resourceType: 'Patient', resourceId: 'pt-00001' }));
		expect(e.message).toBe('This server does not support delete on Patient: nothing was sent');
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});
