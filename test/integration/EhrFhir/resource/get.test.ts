// EHR FHIR node, FHIR Resource → Get, through the harness against the sandbox's FHIR stores: a
// resource by ID and by URL on every store vendor and on onpatient (its profile lists Patient and
// Immunization reads), a URL of another server or of another type refused before any request,
// the type and ID by expression per item, Simplify, and a server without /metadata (asked).
import { NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { sendJson } from '../../../../sandbox/http';
import { runNode } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import {
	adHocCredentials,
	failure,
	serveAdHocFhir,
	useFhirSandbox,
	type AdHocFhir,
} from '../helpers';
import { ds } from '../fixtures';
import { RES, STORE_VENDORS, observation, runStore, sentSince } from '../store';

let sb: Sandbox;
let adHoc: AdHocFhir;
useFhirSandbox((s) => {
	sb = s;
	adHoc = serveAdHocFhir(s);
});
beforeEach(() => sb.app.reset());

describe.each(STORE_VENDORS)('%s', (vendor) => {
	it('Get reads a resource by ID and by its URL on the server (one metadata read per execution)', async () => {
		const [created] = await runStore(sb, vendor, {
			...RES('create'),
			resourceType: 'Observation',
			body: JSON.stringify(observation('pt-00001')),
		});
		const id = String(created.json.id);
		const before = sb.app.requests.length;
		const byId = await runStore(sb, vendor, {
			...RES('get'),
			resourceType: 'Observation',
			resourceId: id,
		});
		expect(byId[0].json).toMatchObject({
			resourceType: 'Observation',
			id,
			status: 'final',
			valueQuantity: { value: 72 },
		});
		expect(sentSince(sb, before).filter((r) => r.path.endsWith('/metadata'))).toHaveLength(1);
		const base =
			vendor === 'emp' ? '/emp/fhir/r4' : vendor === 'oneup-r4' ? '/1up/api/r4' : '/smart/fhir';
		const byUrl = await runStore(sb, vendor, {
			...RES('get'),
			resourceType: 'Observation',
			resourceId: `${sb.url}${base}/Observation/${id}`,
		});
		expect(byUrl[0].json).toEqual(byId[0].json);
		const simple = await runStore(sb, vendor, {
			...RES('get'),
			resourceType: 'Observation',
			resourceId: id,
			simplify: true,
		});
		expect(simple[0].json).toMatchObject({
			resourceType: 'Observation',
			id,
			code: '8867-4',
			name: 'Heart rate',
			value: 72,
			unit: '/min',
			patientId: 'pt-00001',
		});
	});

	it('a URL of another server or of another type is refused before any request', async () => {
		const before = sb.app.requests.length;
		const other = await failure(
			runStore(sb, vendor, {
				...RES('get'),
				resourceType: 'Observation',
				resourceId: 'https://other.example/fhir/Observation/1',
			}),
		);
		expect(other).toBeInstanceOf(NodeOperationError);
		expect(other.message).toMatch(
			/^The resource URL is on https:\/\/other\.example\/fhir, but the credential's FHIR server is .*: nothing was sent$/,
		);
		const base =
			vendor === 'emp' ? '/emp/fhir/r4' : vendor === 'oneup-r4' ? '/1up/api/r4' : '/smart/fhir';
		const type = await failure(
			runStore(sb, vendor, {
				...RES('get'),
				resourceType: 'Observation',
				resourceId: `${sb.url}${base}/Condition/1`,
			}),
		);
		expect(type.message).toBe(
			'The URL is of a Condition, but the resource type chosen is Observation: nothing was sent',
		);
		expect(sentSince(sb, before)).toEqual([]);
	});
});

describe('the resource type by expression, per item', () => {
	it('smart: each item names its own type and ID', async () => {
		const [obs] = await runStore(sb, 'smart', {
			...RES('create'),
			resourceType: 'Observation',
			body: JSON.stringify(observation('pt-00001')),
		});
		const items = [
			{ json: { type: 'Patient', id: 'pt-00002' } },
			{ json: { type: 'Observation', id: String(obs.json.id) } },
		];
		const before = sb.app.requests.length;
		const out = await runStore(
			sb,
			'smart',
			{ ...RES('get'), resourceType: '={{ $json.type }}', resourceId: '={{ $json.id }}' },
			items,
		);
		// the CapabilityStatement is read once for the execution, not per item
		expect(sentSince(sb, before).map((r) => r.path.replace(/^\/smart\/fhir\//, ''))).toEqual([
			'metadata',
			'Patient/pt-00002',
			`Observation/${String(obs.json.id)}`,
		]);
		expect(out.map((i) => [i.json.resourceType, i.json.id, i.pairedItem])).toEqual([
			['Patient', 'pt-00002', { item: 0 }],
			['Observation', obs.json.id, { item: 1 }],
		]);
		const bad = await failure(
			runStore(sb, 'smart', { ...RES('get'), resourceType: '={{ $json.type }}', resourceId: 'x' }, [
				{ json: { type: 'observation' } },
			]),
		);
		expect(bad.message).toBe('"observation" is not a FHIR resource type');
	});
});

describe('onpatient (no CapabilityStatement: the profile lists Patient and Immunization reads)', () => {
	it('Get reads a Patient and an Immunization; a write or another type is refused before any request', async () => {
		const imm = ds(sb).immunizations('pt-00001')[0];
		const [p] = await runStore(sb, 'onpatient', {
			...RES('get'),
			resourceType: 'Patient',
			resourceId: 'pt-00001',
		});
		expect(p.json).toMatchObject({ resourceType: 'Patient', id: 'pt-00001' });
		const [i] = await runStore(sb, 'onpatient', {
			...RES('get'),
			resourceType: 'Immunization',
			resourceId: imm.id,
		});
		expect(i.json).toMatchObject({ resourceType: 'Immunization', id: imm.id });
		const before = sb.app.requests.length;
		const obs = await failure(
			runStore(sb, 'onpatient', {
				...RES('get'),
				resourceType: 'Observation',
				resourceId: 'obs-1',
			}),
		);
		expect(obs.message).toBe('This server does not support read on Observation: nothing was sent');
		expect(obs.description).toBe(
			'The list comes from the onpatient (drchrono) profile of this node (the server has no CapabilityStatement). It does not list Observation at all; it lists: Patient, Immunization.',
		);
		const create = await failure(
			runStore(sb, 'onpatient', {
				...RES('create'),
				resourceType: 'Patient',
				body: JSON.stringify({ resourceType: 'Patient' }),
			}),
		);
		expect(create.message).toBe('This server does not support create on Patient: nothing was sent');
		expect(sentSince(sb, before)).toEqual([]);
	});
});

describe('a server without /metadata and without a profile list', () => {
	it('is asked (the metadata read fails quietly) and answers itself', async () => {
		adHoc.patientRead = (req, res) =>
			sendJson(res, 200, { resourceType: 'Patient', id: req.params.id });
		const { type, store } = adHocCredentials(sb);
		const before = sb.app.requests.length;
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...RES('get'),
				resourceType: 'Patient',
				resourceId: 'p9',
			} as never,
			credentials: store,
		});
		expect(output[0].map((i) => i.json)).toEqual([{ resourceType: 'Patient', id: 'p9' }]);
		expect(sentSince(sb, before).map((r) => r.path)).toEqual([
			'/adhoc/fhir/metadata',
			'/adhoc/fhir/Patient/p9',
		]);
	});
});
