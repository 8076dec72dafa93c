// Starts a sandbox on loopback for one test file and stops it afterwards.
import { startSandbox, type Sandbox } from '../../sandbox/server';
import type { SandboxOptions } from '../../sandbox/app';
import type { FaultSpec } from '../../sandbox/faults';

export async function withSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({ host: '127.0.0.1', port: 0, filePort: 0, ...options });
}

/** Arms a fault through the admin API, over real HTTP. */
export async function armFault(sandbox: Sandbox, spec: FaultSpec | FaultSpec[]): Promise<void> {
	const res = await fetch(`${sandbox.url}/_admin/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(spec),
	});
	if (res.status !== 201) throw new Error(`arming fault failed: ${res.status} ${await res.text()}`);
}

/** A request to the SMART FHIR store with a fresh token that may read and write everything. */
export async function smartFhir(
	sb: Sandbox,
	method: string,
	path: string,
	body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
	const token = sb.app.tokens.issue({
		surface: 'smart',
		clientId: 'test',
		scopes: ['user/*.read', 'user/*.write'],
		lifetimeSeconds: 600,
	}).access_token;
	const r = await fetch(`${sb.url}/smart/fhir/${path}`, {
		method,
		headers: {
			authorization: `Bearer ${token}`,
			accept: 'application/fhir+json',
			...(body ? { 'content-type': 'application/fhir+json' } : {}),
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/**
 * The sandbox's admin routes for a topic-based Subscription (sandbox/fhir-store/backport.ts):
 * send a heartbeat now, or number the next `drop` events without sending them. The answer's status.
 */
export async function subscriptionAdmin(
	sandbox: { url: string },
	id: string,
	action: 'heartbeat' | { drop: number },
): Promise<number> {
	const path = action === 'heartbeat' ? 'heartbeat' : `drop?count=${action.drop}`;
	const res = await fetch(`${sandbox.url}/_admin/fhir/subscriptions/${id}/${path}`, {
		method: 'POST',
	});
	await res.arrayBuffer();
	return res.status;
}
