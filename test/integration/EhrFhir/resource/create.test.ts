// EHR FHIR node, FHIR Resource → Create, through the harness against the sandbox's FHIR stores:
// body from the JSON field and from the input item on every store vendor (one resource per item,
// paired), a type the server does not let write refused before any request, body validation
// (not JSON, not an object, another type) naming the item, a token without write scope (403), and
// an answer lost after the server created it → "state unknown", not repeated.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import {
	RES,
	STORE_VENDORS,
	dataRequestsSince,
	observation,
	runStore,
	sentSince,
	storeCount,
} from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

describe.each(STORE_VENDORS)('%s', (vendor) => {
	it('Create from the JSON field and from each input item', async () => {
		const start = await storeCount(sb, vendor, 'Observation');
		const [one] = await runStore(sb, vendor, {
			...RES('create'),
			resourceType: 'Observation',
			body: JSON.stringify(observation('pt-00001')),
		});
		expect(one.json).toMatchObject({
			resourceType: 'Observation',
			status: 'final',
			meta: { versionId: '1' },
		});
		expect(typeof one.json.id).toBe('string');
		const items = [observation('pt-00002'), observation('pt-00003', { status: 'preliminary' })].map(
			(json) => ({ json }),
		);
		const out = await runStore(
			sb,
			vendor,
			{ ...RES('create'), resourceType: 'Observation', bodyFrom: 'item' },
			items,
		);
		expect(out.map((i) => [i.json.status, i.pairedItem])).toEqual([
			['final', { item: 0 }],
			['preliminary', { item: 1 }],
		]);
		expect(await storeCount(sb, vendor, 'Observation')).toBe(start + 3);
	});

	it('a body that is not JSON, not an object or of another type is refused before sending, naming the item', async () => {
		const before = sb.app.requests.length;
		const notJson = await failure(
			runStore(sb, vendor, {
				...RES('create'),
				resourceType: 'Observation',
				body: '{"resourceType": "Observation",',
			}),
		);
		expect(notJson).toBeInstanceOf(NodeOperationError);
		expect(notJson.message).toMatch(
			/^The body of item 0 is not valid JSON \(.+\): nothing was sent$/,
		);
		const items = [
			{ json: observation('pt-00001') },
			{ json: { resourceType: 'Condition', subject: { reference: 'Patient/pt-00001' } } },
		];
		const other = await failure(
			runStore(
				sb,
				vendor,
				{ ...RES('create'), resourceType: 'Observation', bodyFrom: 'item' },
				items,
			),
		);
		expect(other.message).toBe('Input item 1 is a Condition, not an Observation: nothing was sent');
		expect(other.context.itemIndex).toBe(1);
		const none = await failure(
			runStore(sb, vendor, {
				...RES('create'),
				resourceType: 'Observation',
				body: '{"status": "final"}',
			}),
		);
		expect(none.message).toBe(
			'The body of item 0 has no resourceType, not an Observation: nothing was sent',
		);
		const list = await failure(
			runStore(sb, vendor, { ...RES('create'), resourceType: 'Observation', body: '[1]' }),
		);
		expect(list.message).toBe(
			'The body of item 0 is not a FHIR resource (a JSON object): nothing was sent',
		);
		// item 0 was created before item 1 was refused; nothing else was sent
		expect(dataRequestsSince(sb, before).map((r) => r.method)).toEqual(['POST']);
	});

	it("a token without write scope gets the server's 403", async () => {
		const scopes =
			vendor === 'smart-backend'
				? ['system/*.read']
				: vendor === 'oneup-r4'
					? ['user/*.read']
					: ['openid', 'user/*.read'];
		const e = await failure(
			runStore(
				sb,
				vendor,
				{
					...RES('create'),
					resourceType: 'Observation',
					body: JSON.stringify(observation('pt-00001')),
				},
				undefined,
				{ scopes },
			),
		);
		expect(e).toBeInstanceOf(NodeApiError);
		expect(e.httpCode).toBe('403');
		expect(e.message).toMatch(/^Create Observation failed \(HTTP 403\)/);
	});
});

describe('types the server does not let write', () => {
	it('emp: Create of an Encounter is refused before any request', async () => {
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, 'emp', {
				...RES('create'),
				resourceType: 'Encounter',
				body: JSON.stringify({ resourceType: 'Encounter', status: 'finished' }),
			}),
		);
		expect(e.message).toBe('This server does not support create on Encounter: nothing was sent');
		expect(e.description).toMatch(/On Encounter it supports: read, search\. Use one of those/);
		expect(dataRequestsSince(sb, before)).toEqual([]);
	});
});

describe('a lost answer', () => {
	it('smart: the server created it but the connection broke → state unknown, sent once', async () => {
		const start = await storeCount(sb, 'smart', 'Observation');
		sb.app.faults.add({
			surface: 'smart',
			kind: 'reset',
			method: 'POST',
			pathContains: '/Observation',
		});
		const before = sb.app.requests.length;
		const e = await failure(
			runStore(sb, 'smart', {
				...RES('create'),
				resourceType: 'Observation',
				body: JSON.stringify(observation('pt-00001')),
			}),
		);
		expect(e).toBeInstanceOf(NodeApiError);
		expect(e.message).toMatch(
			/^Create Observation: state unknown — the request was sent but its answer was lost \(.*connection was closed.*\); the Observation may or may not have been created$/,
		);
		expect(e.description).toContain('use "Create If None Exists"');
		expect(sentSince(sb, before).filter((r) => r.method === 'POST')).toHaveLength(1);
		expect(await storeCount(sb, 'smart', 'Observation')).toBe(start + 1);
	});
});
