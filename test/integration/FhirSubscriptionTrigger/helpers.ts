// Shared setup of the FHIR Subscription Trigger tests: the sandbox, the trigger in the harness
// with a SMART (or other) credential, and a real HTTP listener on loopback standing in for n8n's
// webhook endpoint: every POST it gets is handed to the node's real webhook() through the
// harness, and the node's answer (or n8n's 200 for a started execution) goes back to the sender.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { smartFhir, withSandbox } from '../../helpers/sandbox';

export { smartFhir as smartWrite };
import { webhookHarness, type WebhookHarness } from '../../harness';
import { FhirSubscriptionTrigger } from '../../../nodes/FhirSubscriptionTrigger/FhirSubscriptionTrigger.node';
import { storeCredentials } from '../EhrFhir/store';
import type { Vendor } from '../EhrFhir/fixtures';

export interface Endpoint {
	url: string;
	/** what arrived and what was answered, in order */
	calls: Array<{ headers: Record<string, string>; body: string; status: number }>;
	/** items of every execution the node would have started */
	executions: INodeExecutionData[][];
	/** the trigger the listener hands requests to */
	use(h: WebhookHarness): void;
	close(): Promise<void>;
}

/** A listener on 127.0.0.1 that feeds the trigger's webhook() like n8n's webhook server does. */
export async function startEndpoint(): Promise<Endpoint> {
	let trigger: WebhookHarness | undefined;
	const calls: Endpoint['calls'] = [];
	const executions: INodeExecutionData[][] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const text = raw.toString('utf8');
			const headers = Object.fromEntries(
				Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : String(v)]),
			);
			const done = (status: number, body: unknown) => {
				calls.push({ headers, body: text, status });
				res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
			};
			if (!trigger) return done(404, { message: 'no trigger' });
			// n8n 2.41's body parser fills the body for `application/json` only (and XML, forms,
			// text); a FHIR server's `application/fhir+json` reaches the node as rawBody alone
			const contentType = (headers['content-type'] ?? '').split(';')[0].trim();
			let body: IDataObject = {};
			if (contentType === 'application/json' && text) {
				try {
					body = JSON.parse(text) as IDataObject;
				} catch {
					return done(422, { message: 'Failed to parse request body' });
				}
			}
			trigger.receive({ headers, body, rawBody: raw }).then(
				(a) => {
					if (a.items) {
						executions.push(a.items);
						return done(200, { message: 'Workflow was started' });
					}
					done(a.response?.status ?? 500, a.response?.body ?? {});
				},
				(e: Error) => done(500, { message: e.message }),
			);
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}/webhook/harness-webhook-id/webhook`,
		calls,
		executions,
		use: (h) => {
			trigger = h;
		},
		close: () => new Promise((r) => server.close(() => r())),
	};
}

/** The trigger in the harness with this vendor's writing credential. */
export function trigger(
	sb: Sandbox,
	vendor: Vendor,
	webhookUrl: string,
	parameters: Record<string, unknown> = {},
	staticData?: IDataObject,
): WebhookHarness {
	const { type, store } = storeCredentials(sb, vendor);
	return webhookHarness(FhirSubscriptionTrigger, {
		parameters: { authentication: type, resourceType: 'Patient', ...parameters } as never,
		credentials: store,
		webhookUrl,
		staticData,
	});
}

export async function until<T>(
	fn: () => T | undefined | false | Promise<T | undefined | false>,
	what: string,
): Promise<T> {
	for (let i = 0; i < 300; i++) {
		const v = await fn();
		if (v !== undefined && v !== false) return v;
		await new Promise((r) => setTimeout(r, 10));
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** The Subscription as the SMART store holds it (read with a fresh token). */
export const readSubscription = (sb: Sandbox, id: string) =>
	smartFhir(sb, 'GET', `Subscription/${id}`);

/**
 * One sandbox and one endpoint per test file; before each test the sandbox is reset and the
 * endpoint's record emptied. `use` gets them once they run.
 */
export function useTriggerSandbox(use: (sb: Sandbox, ep: Endpoint) => void): void {
	let sb: Sandbox;
	let ep: Endpoint;
	beforeAll(async () => {
		sb = await withSandbox({ patients: 20 });
		ep = await startEndpoint();
		use(sb, ep);
	});
	afterAll(async () => {
		await ep.close();
		await sb.close();
	});
	beforeEach(() => {
		sb.app.reset();
		ep.calls.length = 0;
		ep.executions.length = 0;
	});
}
