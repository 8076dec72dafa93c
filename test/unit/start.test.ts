// `npm start`'s launcher (scripts/start.js) with dummy steps instead of the build and the demo:
// the signals npm passes on reach the running step, no later step starts, the exit code is kept.
// And the offline settings the n8n runtime starts n8n with (scripts/n8n/runtime.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { N8n } from '../../scripts/n8n/runtime';

const root = join(__dirname, '..', '..');
const launcher = join(root, 'scripts', 'start.js');
const dir = mkdtempSync(join(tmpdir(), 'ehr-start-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A step that says "ready", then waits; on a signal it writes the signal's name to `file`. */
function waitingStep(file: string): [string, string[]] {
	const script = join(dir, `step-${Math.random().toString(36).slice(2)}.js`);
	writeFileSync(
		script,
		`for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {
			require('node:fs').writeFileSync(${JSON.stringify(file)}, s);
			process.exit(0);
		});
		console.log('ready');
		setInterval(() => undefined, 1000);`,
	);
	return [process.execPath, [script]];
}
const exiting = (code: number, file: string): [string, string[]] => [
	process.execPath,
	['-e', `require('node:fs').writeFileSync(${JSON.stringify(file)}, 'ran'); process.exit(${code})`],
];

/** Runs the launcher with `steps`; `onReady` runs once a step printed "ready". */
function runLauncher(
	steps: Array<[string, string[]]>,
	onReady?: (pid: number) => void,
): Promise<{ code: number | null; out: string }> {
	return new Promise((resolve) => {
		const p = spawn(
			process.execPath,
			[
				'-e',
				`require(${JSON.stringify(launcher)}).launch(${JSON.stringify(steps)}).then((c) => process.exit(c))`,
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let out = '';
		p.stdout.on('data', (d: Buffer) => {
			out += d.toString();
			if (onReady && out.includes('ready')) {
				const f = onReady;
				onReady = undefined;
				f(p.pid!);
			}
		});
		p.once('exit', (code) => resolve({ code, out }));
	});
}

describe('scripts/start.js', () => {
	jest.setTimeout(20_000);

	for (const [signal, passed] of [
		['SIGTERM', 'SIGTERM'],
		['SIGINT', 'SIGINT'],
		['SIGHUP', 'SIGTERM'],
	] as const) {
		it(`passes ${signal} on to the running step (as ${passed}) and starts no later step`, async () => {
			const got = join(dir, `got-${signal}`);
			const later = join(dir, `later-${signal}`);
			const { code } = await runLauncher([waitingStep(got), exiting(0, later)], (pid) =>
				process.kill(pid, signal),
			);
			expect(readFileSync(got, 'utf8')).toBe(passed);
			expect(existsSync(later)).toBe(false);
			expect(code).toBe(0);
		});
	}

	it('reaches a TypeScript step under tsx, as the demo runs', async () => {
		const got = join(dir, 'got-tsx');
		const [, [js]] = waitingStep(got);
		const ts = js.replace(/\.js$/, '.ts');
		writeFileSync(ts, readFileSync(js, 'utf8'));
		const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
		const { code } = await runLauncher([[process.execPath, [tsx, ts]]], (pid) =>
			process.kill(pid, 'SIGHUP'),
		);
		expect(readFileSync(got, 'utf8')).toBe('SIGTERM');
		expect(code).toBe(0);
	});

	it('runs the steps in order and stops at the first that fails, with its exit code', async () => {
		const a = join(dir, 'a');
		const b = join(dir, 'b');
		const c = join(dir, 'c');
		const { code } = await runLauncher([exiting(0, a), exiting(3, b), exiting(0, c)]);
		expect(code).toBe(3);
		expect(existsSync(a) && existsSync(b)).toBe(true);
		expect(existsSync(c)).toBe(false);
	});

	it('stops a running step when the launcher exits', async () => {
		const got = join(dir, 'got-on-exit');
		const step = waitingStep(got);
		const code = await new Promise<number | null>((resolve) => {
			const p = spawn(
				process.execPath,
				[
					'-e',
					`require(${JSON.stringify(launcher)}).launch([${JSON.stringify(step)}]);
					process.stdin.once('data', () => process.exit(5));`,
				],
				{ stdio: ['pipe', 'pipe', 'inherit'] },
			);
			p.stdout.once('data', () => p.stdin.write('exit\n'));
			p.once('exit', resolve);
		});
		expect(code).toBe(5);
		for (let i = 0; i < 50 && !existsSync(got); i++) await new Promise((r) => setTimeout(r, 100));
		expect(readFileSync(got, 'utf8')).toBe('SIGTERM');
	});

	it('is what `npm start` runs', () => {
		const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
			scripts: Record<string, string>;
		};
		expect(pkg.scripts.start).toBe('exec node scripts/start.js');
		const src = readFileSync(launcher, 'utf8');
		expect(src).toContain("npmRun('build')");
		expect(src).toContain("join('scripts', 'start.ts')");
	});
});

describe('scripts/start.ts', () => {
	it("registers the OAuth callback of n8n's actual port with the sandbox", () => {
		const src = readFileSync(join(root, 'scripts', 'start.ts'), 'utf8');
		const chosen = /const (\w+) = await portOr\(Number\(process\.env\.N8N_PORT \?\? 5678\)\)/.exec(
			src,
		);
		expect(chosen).not.toBeNull();
		const name = chosen![1];
		expect(src).toContain(`n8nPorts: [${name}]`);
		expect(src).toMatch(new RegExp(`new N8n\\(\\{\\s*port: ${name},`));
		expect(src.indexOf(`n8nPorts: [${name}]`)).toBeGreaterThan(chosen!.index);
	});
});

describe('n8n runtime environment', () => {
	it('switches off the MCP server list refresh with the other outside calls', async () => {
		const env = await new N8n({ userFolder: join(dir, 'n8n'), port: 1 }).env();
		expect(env.N8N_DISABLED_MODULES?.split(',')).toContain('mcp-registry');
		expect(env.N8N_DIAGNOSTICS_ENABLED).toBe('false');
		expect(env.N8N_VERSION_NOTIFICATIONS_ENABLED).toBe('false');
	});
});
