// `npm start`: the demo. (npm runs `npm run build` first.) Starts the sandbox (every vendor,
// default data, authorize pages auto-approve) and a real n8n with this package installed as a
// community package, a credential for every vendor already connected to the sandbox, and every
// workflow of examples/ imported (webhook examples published). Prints the editor URL, the login
// and one line per example. Ctrl-C stops both. A second run reuses the cached n8n install.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { N8n, OWNER, freePort } from './n8n/runtime';
import { REPO_ROOT } from './n8n/paths';
import { sandboxCredentials } from './n8n/sandbox-credentials';
import { describeTrigger, loadExamples, missingNodeTypes, prepareWorkflow } from './n8n/workflows';

const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function portOr(preferred: number): Promise<number> {
	const { createServer } = await import('node:net');
	return new Promise((resolve) => {
		const s = createServer();
		s.once('error', () => resolve(freePort()));
		s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(preferred)));
	});
}

async function main(): Promise<void> {
	let sandbox: Sandbox | undefined;
	let n8n: N8n | undefined;
	let stopping = false;
	const stop = async (code = 0) => {
		if (stopping) return;
		stopping = true;
		console.log('\nstopping n8n and the sandbox…');
		await n8n?.stop().catch(() => undefined);
		await sandbox?.close().catch(() => undefined);
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));
	process.on('SIGHUP', () => void stop(0));

	try {
		// n8n's port first: the sandbox registers its OAuth callback for the browser-login clients
		const n8nPort = await portOr(Number(process.env.N8N_PORT ?? 5678));
		sandbox = await startSandbox({
			host: '127.0.0.1',
			port: await portOr(Number(process.env.SANDBOX_PORT ?? 4010)),
			filePort: await portOr(Number(process.env.SANDBOX_FILE_PORT ?? 4011)),
			autoApprove: true,
			n8nPorts: [n8nPort],
		});
		console.log(`sandbox (every vendor) on ${sandbox.url} (files origin ${sandbox.fileUrl})`);

		const userFolder = join(REPO_ROOT, '.n8n-run');
		rmSync(userFolder, { recursive: true, force: true });
		n8n = new N8n({
			port: n8nPort,
			userFolder,
			keepUserFolder: true,
			encryptionKey: 'n8n-nodes-ehr-demo-key-not-secret',
		});
		await n8n.prepare();
		const creds = await sandboxCredentials(sandbox.url);
		await n8n.importCredentials(creds);

		const examples = loadExamples();
		const usable = examples.filter((e) => missingNodeTypes(e.workflow).length === 0);
		await n8n.importWorkflows(usable.map((e) => prepareWorkflow(e.workflow, sandbox!.url)));
		await n8n.start();
		const published: string[] = [];
		for (const e of usable) {
			if (describeTrigger(e.workflow).startsWith('webhook')) {
				try {
					await n8n.activate(e.workflow.id);
					published.push(e.workflow.id);
				} catch (err) {
					console.log(
						`  (could not publish "${e.workflow.name}": ${(err as Error).message.slice(0, 200)})`,
					);
				}
			}
		}

		console.log('');
		console.log(`n8n editor ready in ${secs()}: ${n8n.baseUrl}`);
		console.log(`login: ${OWNER.email} / ${OWNER.password}`);
		console.log(
			`credentials connected to the sandbox: ${creds.map((c) => c.name).join(', ') || '(none declared by the package yet)'}`,
		);
		console.log('examples:');
		for (const e of examples) {
			const missing = missingNodeTypes(e.workflow);
			if (missing.length) {
				console.log(`  SKIPPED ${e.file}: node type ${missing.join(', ')} not in the package yet`);
				continue;
			}
			const trig = describeTrigger(e.workflow);
			const live = published.includes(e.workflow.id)
				? ` (published: POST ${n8n.baseUrl}/webhook/${trig.split('/webhook/')[1]})`
				: '';
			console.log(
				`  ${e.workflow.name} — ${n8n.baseUrl}/workflow/${e.workflow.id} — ${trig}${live}`,
			);
		}
		console.log(`\nlogs: ${n8n.logFile}`);
		console.log('Ctrl-C stops n8n and the sandbox.');
		if (process.env.N8N_EHR_START_EXIT_WHEN_READY === '1') await stop(0);
	} catch (e) {
		console.error(`npm start failed: ${(e as Error).message}`);
		await stop(1);
	}
}

void main();
