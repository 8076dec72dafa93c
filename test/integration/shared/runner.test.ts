// The shared per-item runner seen through all three nodes, over loopback HTTP against the
// sandbox: a failing input item gives the same Continue On Fail item in every node, paired with
// it, and without Continue On Fail the thrown error names the failing item (itemIndex).
import type { INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { MyPatientPortal } from '../../../nodes/MyPatientPortal/MyPatientPortal.node';
import { FhirBulkExport } from '../../../nodes/FhirBulkExport/FhirBulkExport.node';

let sb: Sandbox;
let statusUrl: string;
beforeAll(async () => {
	sb = await withSandbox();
	// a real export job, so that the first item of the Bulk Export case succeeds
	const token = sb.app.tokens.issue({
		surface: 'smart',
		clientId: 'test',
		scopes: ['system/*.read'],
		lifetimeSeconds: 3600,
	}).access_token;
	const res = await fetch(`${sb.url}/smart/fhir/$export`, {
		headers: {
			authorization: `Bearer ${token}`,
			accept: 'application/fhir+json',
			prefer: 'respond-async',
		},
	});
	expect(res.status).toBe(202);
	statusUrl = res.headers.get('content-location')!;
});
afterAll(() => sb.close());

interface Case {
	node: new () => INodeType;
	parameters: INodeParameters;
	credentials: () => Record<string, Record<string, unknown>>;
	/** one input item that works, then one that fails */
	items: () => INodeExecutionData[];
	/** the message of the failing item */
	message: RegExp;
}

function oauth(surface: string, scopes: string[], patient?: string) {
	const t = sb.app.tokens.issue({
		surface,
		clientId: 'test',
		scopes,
		lifetimeSeconds: 3600,
		patient,
	});
	return { access_token: t.access_token, token_type: 'Bearer' };
}

const CASES: Record<string, Case> = {
	'EHR FHIR (Get Patient, unknown patient)': {
		node: EhrFhir,
		parameters: {
			authentication: 'smartOnFhirOAuth2Api',
			resource: 'patient',
			operation: 'get',
			patientId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
		},
		credentials: () => ({
			smartOnFhirOAuth2Api: {
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				oauthTokenData: oauth('smart', ['user/*.read']),
			},
		}),
		items: () => [{ json: { id: 'pt-00001' } }, { json: { id: 'pt-99999' } }],
		message: /^Get Patient pt-99999 failed \(HTTP 404\)/,
	},
	'MyPatientPortal (List Appointments, Limit 0)': {
		node: MyPatientPortal,
		parameters: { operation: 'list', returnAll: false, limit: '={{ $json.limit }}' },
		credentials: () => ({
			myPatientPortalOAuth2Api: {
				portalUrl: `${sb.url}/mpp`,
				oauthTokenData: oauth(
					'mpp',
					['profile_read', 'appointment_read', 'appointment_write'],
					'pt-00001',
				),
			},
		}),
		items: () => [{ json: { limit: 5 } }, { json: { limit: 0 } }],
		message: /^Limit must be a number of 1 or more, not "0"$/,
	},
	'FHIR Bulk Export (Check Export Status, not a URL)': {
		node: FhirBulkExport,
		parameters: {
			authentication: 'smartOnFhirOAuth2Api',
			resource: 'export',
			operation: 'checkStatus',
			statusUrl: '={{ $json.url }}',
		},
		credentials: () => ({
			smartOnFhirOAuth2Api: {
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				oauthTokenData: oauth('smart', ['system/*.read']),
			},
		}),
		items: () => [{ json: { url: statusUrl } }, { json: { url: 'not-a-status-url' } }],
		message: /^Status URL is missing or not a URL$/,
	},
};

describe.each(Object.entries(CASES))('%s', (_name, c) => {
	it('Continue On Fail: the failing item becomes { error, description }, paired with it; the good item is kept', async () => {
		const { output } = await runNode(c.node, {
			parameters: c.parameters,
			credentials: c.credentials() as never,
			items: c.items(),
			continueOnFail: true,
		});
		const items = output[0];
		const failed = items.filter((i) => 'error' in i.json);
		expect(failed).toHaveLength(1);
		expect(Object.keys(failed[0].json).sort()).toEqual(['description', 'error']);
		expect(failed[0].json.error).toMatch(c.message);
		expect(typeof failed[0].json.description).toBe('string');
		expect((failed[0].json.description as string).length).toBeGreaterThan(10);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		const good = items.filter((i) => !('error' in i.json));
		expect(good.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(items[items.length - 1]).toBe(failed[0]);
	});

	it('without Continue On Fail: the thrown error carries the itemIndex of the failing item', async () => {
		const err = (await runNode(c.node, {
			parameters: c.parameters,
			credentials: c.credentials() as never,
			items: c.items(),
		}).catch((e) => e)) as {
			message: string;
			context: { itemIndex?: number };
		};
		expect(err.message).toMatch(c.message);
		expect(err.context.itemIndex).toBe(1);
	});
});
