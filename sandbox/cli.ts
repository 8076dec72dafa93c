// `npm run sandbox -- [--port 4010] [--file-port 4011] [--seed 42] [--patients 50]
//                     [--auto-approve] [--verbose] [--n8n-port 5678,5679] [--redirect-uri URL,URL]`
// --n8n-port registers the OAuth callback of an n8n on that port for the browser-login clients
// (5678 is in sandbox/clients.json already); --redirect-uri registers any other callback URL.
// Ports also from SANDBOX_PORT / SANDBOX_FILE_PORT. Listens on 127.0.0.1 only.
import { PREFIX } from './app';
import { startSandbox } from './server';

function flag(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i < 0) return undefined;
	const v = process.argv[i + 1];
	return v && !v.startsWith('--') ? v : 'true';
}

function list(name: string): string[] {
	const v = flag(name);
	return v && v !== 'true' ? v.split(',').filter(Boolean) : [];
}

async function main(): Promise<void> {
	const sandbox = await startSandbox({
		port: Number(flag('port') ?? process.env.SANDBOX_PORT ?? 4010),
		filePort: Number(flag('file-port') ?? process.env.SANDBOX_FILE_PORT ?? 4011),
		seed: flag('seed') ? Number(flag('seed')) : undefined,
		patients: flag('patients') ? Number(flag('patients')) : undefined,
		autoApprove: flag('auto-approve') === 'true',
		verbose: flag('verbose') === 'true',
		n8nPorts: list('n8n-port').map(Number),
		redirectUris: list('redirect-uri'),
	});
	const u = sandbox.url;
	console.log(`sandbox listening on ${u} (files origin ${sandbox.fileUrl})`);
	console.log(
		`  onpatient        auth ${u}${PREFIX.onpatientAuth}   api ${u}${PREFIX.onpatientApi}`,
	);
	console.log(`  1upHealth        auth ${u}${PREFIX.oneupAuth}   api ${u}${PREFIX.oneupApi}`);
	console.log(`  MyPatientPortal  ${u}${PREFIX.mpp}`);
	console.log(`  eMedicalPractice ${u}${PREFIX.emp}`);
	console.log(`  SMART on FHIR    ${u}${PREFIX.smart}`);
	console.log(`  admin            ${u}/_admin/health`);
	const stop = () => {
		void sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((err) => {
	console.error(`sandbox failed to start: ${(err as Error).message}`);
	process.exit(1);
});
