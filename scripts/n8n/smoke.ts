// Quick check of the runtime: `npx tsx scripts/n8n/smoke.ts` — starts n8n with the package,
// imports a credential and a webhook workflow (built-in nodes + HTTP Request to a sandbox),
// runs it by id, activates it, calls its production webhook, stops everything.
import { startSandbox } from '../../sandbox/server';
import { N8n } from './runtime';

async function main(): Promise<void> {
	const t0 = Date.now();
	const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, filePort: 0 });
	const n8n = new N8n();
	try {
		await n8n.prepare();
		console.log('prepared', Date.now() - t0);
		await n8n.importCredentials([
			{ id: 'smokeHeaderAuth01', name: 'Sandbox admin header', type: 'httpHeaderAuth', data: { name: 'x-smoke', value: 'secret-123' } },
		]);
		console.log('creds imported', Date.now() - t0);
		await n8n.importWorkflows([
			{
				id: 'smokeWorkflow0001',
				name: 'smoke',
				nodes: [
					{ id: 'a1', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{
						id: 'a2',
						name: 'Health',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						position: [200, 0],
						parameters: { url: `${sandbox.url}/_admin/health`, authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth', options: {} },
						credentials: { httpHeaderAuth: { id: 'smokeHeaderAuth01', name: 'Sandbox admin header' } },
					},
				],
				connections: { Manual: { main: [[{ node: 'Health', type: 'main', index: 0 }]] } },
			},
		]);
		console.log('workflows imported', Date.now() - t0);
		await n8n.start();
		console.log('started', Date.now() - t0, n8n.baseUrl);
		const types = await n8n.nodeTypes();
		console.log('node types', types.length, types.filter((t) => t.startsWith('n8n-nodes-ehr')));
		const out = await n8n.execute('smokeWorkflow0001');
		console.log('executed', Date.now() - t0, JSON.stringify(out.nodes.Health));
		console.log(sandbox.app.requests.map((r) => [r.path, r.headers['x-smoke']]));
	} finally {
		await n8n.stop();
		await sandbox.close();
		console.log('stopped', Date.now() - t0);
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
