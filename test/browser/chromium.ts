// Debian's Chromium for the browser suite: /usr/bin/chromium, installed with apt-get when
// missing (sudo -n when not root). Never a browser download of a test tool's own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.N8N_EHR_CHROMIUM ?? '/usr/bin/chromium';

/** Launch flags: headless, and nothing that calls out (the machines' network is closed). */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-quic',
];

/** Installs Debian's chromium package when CHROMIUM is missing; throws with apt's output if it cannot. */
export function ensureChromium(): void {
	if (existsSync(CHROMIUM)) return;
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	const sudo = root ? [] : ['sudo', '-n'];
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const steps = [
		[...sudo, 'apt-get', 'update'],
		[...sudo, 'apt-get', 'install', '-y', '--no-install-recommends', 'chromium'],
	];
	for (const cmd of steps) {
		process.stderr.write(`[browser] ${CHROMIUM} is missing; running: ${cmd.join(' ')}\n`);
		const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: 'utf8', stdio: 'pipe' });
		if (r.status !== 0) {
			throw new Error(
				`[browser] \`${cmd.join(' ')}\` failed (exit ${r.status ?? r.signal}); install Debian's chromium package (apt-get install chromium) to run the browser suite:\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-2000)}${r.error ? String(r.error) : ''}`,
			);
		}
	}
	if (!existsSync(CHROMIUM))
		throw new Error(`[browser] apt-get installed chromium but ${CHROMIUM} does not exist`);
	process.stderr.write(
		`[browser] installed ${execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim()}\n`,
	);
}
