// EHR FHIR node, Bundle → Transaction, through the harness against the sandbox's FHIR stores: 100
// input items → one transaction (one output item per entry response, paired), one failing entry →
// one error naming the entry and its input item and nothing written, a Full URL (urn:uuid) per
// entry, a lost answer → state unknown, Continue On Fail, refusals before any request where the
// server declares no transaction (1upHealth: use Batch; eMedicalPractice), and an item's body,
// URL or method refused before anything is sent.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure } from '../helpers';
import { BATCH, PER_ITEM, TX, post, stalePut } from './entries';
import {
	dataRequestsSince,
	observation,
	runStore,
	sentSince,
	storeCount,
	useStore,
	vendorsWhere,
} from '../store';

let sb: Sandbox;
useStore((s) => {
	sb = s;
});

describe.each(vendorsWhere('transaction'))('Transaction: %s', (vendor) => {
	it('100 input items → one transaction, 100 output items paired with their items', async () => {
		const start = await storeCount(sb, vendor, 'Observation');
		const items = Array.from({ length: 100 }, (_, i) => ({
			json: observation('pt-00002', { valueQuantity: { value: i, unit: '/min' } }),
		}));
		const before = sb.app.requests.length;
		const out = await runStore(
			sb,
			vendor,
			{ ...TX, method: 'POST', url: 'Observation', bodyFrom: 'item' },
			items,
		);
		expect(dataRequestsSince(sb, before).map((r) => `${r.method} ${r.path}`)).toEqual([
			`POST /smart/fhir`,
		]);
		expect(out).toHaveLength(100);
		expect(out.map((i) => (i.pairedItem as { item: number }).item)).toEqual(items.map((_, i) => i));
		expect(
			out.every(
				(i) =>
					i.json.statusCode === 201 && i.json.status === '201 Created' && i.json.etag === 'W/"1"',
			),
		).toBe(true);
		expect(out[42].json).toMatchObject({
			method: 'POST',
			url: 'Observation',
			location: expect.stringMatching(/\/Observation\/[^/]+\/_history\/1$/),
		});
		expect(
			(out[42].json.resource as { valueQuantity: { value: number } }).valueQuantity.value,
		).toBe(42);
		expect(await storeCount(sb, vendor, 'Observation')).toBe(start + 100);
	});

	it('one failing entry → one error naming the entry and its input item; nothing written', async () => {
		const start = await storeCount(sb, vendor, 'Observation');
		const items = Array.from({ length: 100 }, (_, i) =>
			i === 57 ? stalePut : post('pt-00002', i),
		);
		const e = await failure(runStore(sb, vendor, { ...TX, ...PER_ITEM }, items));
		expect(e).toBeInstanceOf(NodeApiError);
		expect(e.httpCode).toBe('412');
		expect(e.message).toMatch(
			/^Transaction of 100 entries failed \(HTTP 412\): the server refused entry 57 \(input item 57: PUT Patient\/pt-00001\): .*; nothing was written \(a transaction is all or nothing\)$/,
		);
		expect(e.context.itemIndex).toBe(57);
		expect(await storeCount(sb, vendor, 'Observation')).toBe(start);
	});
});

describe('conditional entries, expressions and a lost answer', () => {
	it('smart: a Full URL (urn:uuid) per entry lets the other entries reference the patient it creates', async () => {
		const uuid = 'urn:uuid:0b7c4b9e-1f0a-4c1e-9d3a-5f6e7a8b9c0d';
		const items = [
			{
				json: {
					method: 'POST',
					url: 'Patient',
					fullUrl: uuid,
					resource: { resourceType: 'Patient', name: [{ family: 'Linked' }] },
				},
			},
			{
				json: {
					method: 'POST',
					url: 'Observation',
					resource: { ...observation('x'), subject: { reference: uuid } },
				},
			},
		];
		const out = await runStore(
			sb,
			'smart',
			{ ...TX, ...PER_ITEM, entryOptions: { fullUrl: '={{ $json.fullUrl ?? "" }}' } },
			items,
		);
		const pid = String((out[0].json.resource as { id: string }).id);
		expect((out[1].json.resource as { subject: { reference: string } }).subject.reference).toBe(
			`Patient/${pid}`,
		);
	});

	it('smart: a transaction whose answer is lost → state unknown (not repeated)', async () => {
		sb.app.faults.add({
			surface: 'smart',
			kind: 'reset',
			method: 'POST',
			pathContains: '/smart/fhir',
		});
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, 'smart', { ...TX, ...PER_ITEM }, [post('pt-00002', 1), post('pt-00002', 2)]),
		);
		expect(e.message).toMatch(
			/^Transaction of 2 entries: state unknown — the request was sent but its answer was lost \(.*\); the transaction may or may not have been carried out \(all of it or nothing\)$/,
		);
		expect(dataRequestsSince(sb, before).filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	it('smart: Continue On Fail → one error item for the refused bundle', async () => {
		const out = await runStore(
			sb,
			'smart',
			{ ...TX, ...PER_ITEM },
			[post('pt-00002', 1), stalePut],
			{ continueOnFail: true },
		);
		expect(out).toHaveLength(1);
		expect(String(out[0].json.error)).toMatch(
			/^Transaction of 2 entries failed \(HTTP 412\): the server refused entry 1 \(input item 1/,
		);
	});
});

describe('refusals before any request', () => {
	it.each(vendorsWhere('transaction', false))('%s: Transaction not declared', async (vendor) => {
		const before = sb.app.requests.length;
		const e = await failure(runStore(sb, vendor, { ...TX, ...PER_ITEM }, [post('pt-00002', 1)]));
		expect(e).toBeInstanceOf(NodeOperationError);
		expect(e.message).toBe('This server does not support a Transaction Bundle: nothing was sent');
		expect(e.description).toMatch(
			vendor === 'oneup-r4'
				? /It supports Batch \(not atomic\): use that, or the entries as single requests/
				: /Send the entries as single requests/,
		);
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});

	it('an entry on a type the server does not list, a body of another type, a foreign URL or a bad method are refused', async () => {
		const before = sb.app.requests.length;
		const basic = await failure(
			runStore(sb, 'oneup-r4', { ...BATCH, ...PER_ITEM }, [
				post('pt-00002', 1),
				{ json: { method: 'POST', url: 'Basic', resource: { resourceType: 'Basic' } } },
			]),
		);
		expect(basic.message).toBe('This server does not support create on Basic: nothing was sent');
		expect(basic.context.itemIndex).toBe(1);
		const bad = await failure(
			runStore(sb, 'smart', { ...TX, ...PER_ITEM }, [
				post('pt-00002', 1),
				{ json: { method: 'POST', url: 'Observation', resource: { resourceType: 'Condition' } } },
			]),
		);
		expect(bad.message).toBe(
			'The body of item 1 is a Condition, not an Observation: nothing was sent',
		);
		expect(bad.context.itemIndex).toBe(1);
		const url = await failure(
			runStore(sb, 'smart', { ...TX, ...PER_ITEM }, [
				{ json: { method: 'DELETE', url: 'https://other.example/fhir/Patient/1' } },
			]),
		);
		expect(url.message).toMatch(
			/^Input item 0: the URL https:\/\/other\.example\/fhir\/Patient\/1 is not on the credential's FHIR server \(.*\); nothing was sent$/,
		);
		const method = await failure(
			runStore(sb, 'smart', { ...TX, ...PER_ITEM }, [
				{ json: { method: 'HEAD', url: 'Patient/1' } },
			]),
		);
		expect(method.message).toBe(
			'Input item 0: "HEAD" is not a method of a Bundle entry; nothing was sent',
		);
		expect(sentSince(sb, before).filter((r) => !r.path.endsWith('/metadata'))).toEqual([]);
	});
});
