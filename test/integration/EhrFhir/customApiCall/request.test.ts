// EHR FHIR node, Custom API Call (the option n8n adds), through the harness against the sandbox's SMART
// FHIR store: GET metadata and a Patient by a path under the FHIR base (one item per input item,
// paired), a POST that the store then holds, the Custom API Call n8n adds to another resource's
// Operation list running the same request, and refusals before anything is sent (a URL of another
// server, a path that climbs out of the FHIR base, a body that is not JSON).
import { NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { failure, useFhirSandbox } from '../helpers';
import { observation, runStore, sentSince, storeCount } from '../store';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
});
beforeEach(() => sb.app.reset());

/** the Custom API Call n8n adds to the Resource list, and its one operation */
const CALL = { resource: '__CUSTOM_API_CALL__', operation: '__CUSTOM_API_CALL__' };

it('GET metadata and GET Patient/<id> by path: one item per input item, paired', async () => {
	const [meta] = await runStore(sb, 'smart', { ...CALL, method: 'GET', path: 'metadata' });
	expect(meta.json.resourceType).toBe('CapabilityStatement');
	const from = sb.app.requests.length;
	const out = await runStore(sb, 'smart', { ...CALL, method: 'GET', path: '/Patient/pt-00001' }, [
		{ json: {} },
		{ json: {} },
	]);
	expect(out.map((i) => [i.json.resourceType, i.json.id, i.pairedItem])).toEqual([
		['Patient', 'pt-00001', { item: 0 }],
		['Patient', 'pt-00001', { item: 1 }],
	]);
	const sent = sentSince(sb, from);
	expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
		'GET /smart/fhir/Patient/pt-00001',
		'GET /smart/fhir/Patient/pt-00001',
	]);
	expect(sent[0].headers.authorization).toMatch(/^Bearer /);
});

it('a search with Query Parameters returns the Bundle as one item', async () => {
	const [bundle] = await runStore(sb, 'smart', {
		...CALL,
		method: 'GET',
		path: `${sb.url}/smart/fhir/Patient?_count=2`,
		queryParameters: { parameter: [{ name: '_id', value: 'pt-00001' }] },
	});
	expect(bundle.json).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
	expect((bundle.json.entry as unknown[]).length).toBe(1);
});

it('POST an Observation: the store holds it', async () => {
	const start = await storeCount(sb, 'smart', 'Observation');
	const [one] = await runStore(sb, 'smart', {
		...CALL,
		method: 'POST',
		path: 'Observation',
		requestBody: JSON.stringify(observation('pt-00001')),
	});
	expect(await storeCount(sb, 'smart', 'Observation')).toBe(start + 1);
	const [read] = await runStore(sb, 'smart', {
		...CALL,
		method: 'GET',
		path: `Observation/${String(one.json.id)}`,
	});
	expect(read.json).toMatchObject({ resourceType: 'Observation', status: 'final' });
});

it('the Custom API Call n8n adds to the Patient operations sends the request too', async () => {
	const [meta] = await runStore(sb, 'smart', {
		resource: 'patient',
		operation: '__CUSTOM_API_CALL__',
		method: 'GET',
		path: 'metadata',
	});
	expect(meta.json.resourceType).toBe('CapabilityStatement');
});

it('a URL of another server, or a path out of the FHIR base, is refused with nothing sent', async () => {
	const from = sb.app.requests.length;
	const other = await failure(
		runStore(sb, 'smart', {
			...CALL,
			method: 'GET',
			path: 'https://other.example/fhir/Patient/pt-00001',
		}),
	);
	expect(other).toBeInstanceOf(NodeOperationError);
	expect(other.message).toBe(
		`The URL is on https://other.example, but the credential's FHIR server is ${sb.url}/smart/fhir: nothing was sent`,
	);
	const sameOrigin = await failure(
		runStore(sb, 'smart', { ...CALL, method: 'GET', path: `${sb.url}/emp/fhir/r4/metadata` }),
	);
	expect(sameOrigin.message).toMatch(/^The URL is on .+, but the credential's FHIR server is /);
	const climb = await failure(
		runStore(sb, 'smart', { ...CALL, method: 'GET', path: '../../_admin/fhir/store' }),
	);
	expect(climb.message).toBe(
		`The path "../../_admin/fhir/store" is not under the credential's FHIR server ${sb.url}/smart/fhir: nothing was sent`,
	);
	expect(sb.app.requests.slice(from)).toEqual([]);
});

it('a body that is not JSON is refused naming the item, nothing sent; Continue On Fail pairs it', async () => {
	const from = sb.app.requests.length;
	const bad = await failure(
		runStore(sb, 'smart', {
			...CALL,
			method: 'POST',
			path: 'Observation',
			requestBody: '{"resourceType": "Observation",',
		}),
	);
	expect(bad).toBeInstanceOf(NodeOperationError);
	expect(bad.message).toMatch(/^The body of item 0 is not valid JSON \(.+\): nothing was sent$/);
	expect(sb.app.requests.slice(from)).toEqual([]);
	const out = await runStore(
		sb,
		'smart',
		{ ...CALL, method: 'POST', path: 'Observation', requestBody: '{' },
		[{ json: {} }],
		{ continueOnFail: true },
	);
	expect(out[0].json.error).toMatch(/^The body of item 0 is not valid JSON/);
	expect(out[0].pairedItem).toEqual({ item: 0 });
});
