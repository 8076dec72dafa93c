// Runs one workflow file in a real n8n against a fresh sandbox and prints its run as JSON:
//   npx tsx scripts/n8n/run-workflow.ts examples/01-get-patient-list-immunizations.json [--raw]
// (npm run build first). The workflow must start with a Manual Trigger. No n8n server is
// started: `n8n execute --id` runs it in-process after the import. Prints, per node, the items'
// JSON (or with --raw the full run data n8n returns); exit code 1 when the run failed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSandbox } from '../../sandbox/server';
import { N8n, type WorkflowJson } from './runtime';
import { sandboxCredentials } from './sandbox-credentials';
import { prepareWorkflow } from './workflows';

async function main(): Promise<number> {
	const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
	if (!file) {
		console.error('usage: npx tsx scripts/n8n/run-workflow.ts <workflow.json> [--raw]');
		return 2;
	}
	const wf = JSON.parse(readFileSync(resolve(file), 'utf8')) as WorkflowJson;
	const sandbox = await startSandbox({
		host: '127.0.0.1',
		port: 0,
		filePort: 0,
		autoApprove: true,
	});
	const n8n = new N8n();
	try {
		await n8n.prepare();
		await n8n.importCredentials(await sandboxCredentials(sandbox.url));
		await n8n.importWorkflows([prepareWorkflow(wf, sandbox.url)]);
		const out = await n8n.execute(wf.id);
		const summary = {
			status: out.status,
			error: out.error,
			nodes: Object.fromEntries(
				Object.entries(out.nodes).map(([k, v]) => [k, v.error ? { error: v.error } : v.items]),
			),
		};
		console.log(JSON.stringify(process.argv.includes('--raw') ? out.raw : summary, null, 2));
		return out.error ? 1 : 0;
	} finally {
		await n8n.stop();
		await sandbox.close();
	}
}

main().then(
	(code) => process.exit(code),
	(e) => {
		console.error((e as Error).message);
		process.exit(1);
	},
);
