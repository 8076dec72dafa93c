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
