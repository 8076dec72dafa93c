// Once per jest run that includes e2e tests: install the n8n runtime when missing (a fresh
// machine: Node 24, n8n, the sqlite3 build — minutes, outside any test timeout), build the
// package from the current sources and pack it once; test files install that tarball.
import { execFileSync } from 'node:child_process';
import { ensureRuntime } from '../../scripts/n8n/install';
import { packPackage } from '../../scripts/n8n/package';
import { REPO_ROOT } from '../../scripts/n8n/paths';

export default async function globalSetup(): Promise<void> {
	// the e2e and browser projects both use this setup: one build and pack per jest run
	if (process.env.N8N_EHR_TARBALL && process.env.N8N_EHR_PACKED_BY_SETUP === '1') return;
	const t0 = Date.now();
	await ensureRuntime();
	if (process.env.N8N_EHR_SKIP_BUILD !== '1') {
		try {
			execFileSync('npm', ['run', '--silent', 'build'], {
				cwd: REPO_ROOT,
				stdio: 'pipe',
				encoding: 'utf8',
			});
		} catch (e) {
			const err = e as { stdout?: string; stderr?: string };
			throw new Error(
				`e2e: \`npm run build\` failed, the package cannot be tested in n8n:\n${err.stdout ?? ''}${err.stderr ?? ''}`,
			);
		}
	}
	process.env.N8N_EHR_TARBALL = await packPackage();
	process.env.N8N_EHR_PACKED_BY_SETUP = '1';
	process.stderr.write(
		`\n[e2e] n8n runtime ready, package built and packed (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
	);
}
