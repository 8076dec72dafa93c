// Installs the n8n runtime into the cache (idempotent): Node 24 from the registry's `node`
// package, and n8n (npm install --ignore-scripts, then the one native module n8n needs for its
// SQLite database, built with this machine's Node and headers). A marker file is written only
// after an install completed, so a half-finished one is redone; an existing complete install is
// reused as is. Run alone: `npx tsx scripts/n8n/install.ts`.
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MARKER, N8N_VERSION, NODE_MAJOR, n8nBin, n8nDir, node24Bin, nodeDir } from './paths';
import { log } from './log';
import { run, tail } from './proc';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error', '--update-notifier=false'];

export interface InstallTimes {
	node24Ms: number;
	n8nMs: number;
	sqliteMs: number;
}

export async function ensureRuntime(): Promise<InstallTimes> {
	const t: InstallTimes = { node24Ms: 0, n8nMs: 0, sqliteMs: 0 };
	t.node24Ms = await ensureNode24();
	const r = await ensureN8n();
	t.n8nMs = r.n8nMs;
	t.sqliteMs = r.sqliteMs;
	return t;
}

async function node24Works(): Promise<boolean> {
	if (!existsSync(node24Bin())) return false;
	const r = await run(node24Bin(), ['--version'], { timeoutMs: 30_000 }).catch(() => undefined);
	return !!r && r.code === 0 && r.stdout.trim().startsWith(`v${NODE_MAJOR}.`);
}

export async function ensureNode24(): Promise<number> {
	const dir = nodeDir();
	const marker = join(dir, MARKER);
	if (existsSync(marker) && (await node24Works())) return 0;
	const t0 = Date.now();
	if (!(await node24Works())) {
		log(`installing Node ${NODE_MAJOR} into ${dir} (npm install node@${NODE_MAJOR})…`);
		mkdirSync(dir, { recursive: true });
		writeFileSync(
			join(dir, 'package.json'),
			JSON.stringify(
				{ name: 'n8n-nodes-ehr-node-runtime', private: true, dependencies: { node: NODE_MAJOR } },
				null,
				2,
			),
		);
		const r = await run(NPM, ['install', ...NPM_FLAGS], {
			cwd: dir,
			timeoutMs: 20 * 60_000,
			logFile: join(dir, 'install.log'),
		});
		if (r.code !== 0 || !(await node24Works())) {
			throw new Error(
				`Node ${NODE_MAJOR} install failed in ${dir} (see install.log):\n${tail(r.stdout + r.stderr)}`,
			);
		}
	}
	writeFileSync(marker, new Date().toISOString() + '\n');
	const ms = Date.now() - t0;
	log(`Node ${NODE_MAJOR} ready (${(ms / 1000).toFixed(1)} s)`);
	return ms;
}

function installedN8nVersion(): string | undefined {
	const pj = join(n8nDir(), 'node_modules', 'n8n', 'package.json');
	if (!existsSync(pj)) return undefined;
	try {
		return (JSON.parse(readFileSync(pj, 'utf8')) as { version: string }).version;
	} catch {
		return undefined;
	}
}

const sqliteDir = (): string => join(n8nDir(), 'node_modules', 'sqlite3');

async function sqliteLoads(): Promise<boolean> {
	if (!existsSync(join(sqliteDir(), 'build', 'Release', 'node_sqlite3.node'))) return false;
	const r = await run(
		node24Bin(),
		['-e', `const s=require(${JSON.stringify(sqliteDir())});new s.Database(':memory:').close()`],
		{
			timeoutMs: 60_000,
		},
	).catch(() => undefined);
	return !!r && r.code === 0;
}

/** node-gyp: the copy bundled with this machine's npm, else `npx node-gyp`. */
function nodeGypCommand(): { cmd: string; args: string[] } {
	const prefix = dirname(dirname(process.execPath));
	const candidates = [
		process.env.npm_config_node_gyp,
		join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
		join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
	].filter((c): c is string => !!c);
	const found = candidates.find((c) => existsSync(c));
	if (found) return { cmd: process.execPath, args: [found] };
	return { cmd: 'npx', args: ['--yes', 'node-gyp'] };
}

export async function ensureN8n(): Promise<{ n8nMs: number; sqliteMs: number }> {
	const dir = n8nDir();
	const marker = join(dir, MARKER);
	if (existsSync(marker) && existsSync(n8nBin()) && installedN8nVersion() === N8N_VERSION)
		return { n8nMs: 0, sqliteMs: 0 };
	mkdirSync(dir, { recursive: true });
	let n8nMs = 0;
	let sqliteMs = 0;
	const t0 = Date.now();
	// Always reconcile (a half-finished install is completed; a complete node_modules makes it quick).
	log(
		`installing n8n@${N8N_VERSION} into ${dir} (npm install --ignore-scripts; a cold install takes ~4 min)…`,
	);
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify(
			{ name: 'n8n-nodes-ehr-n8n-runtime', private: true, dependencies: { n8n: N8N_VERSION } },
			null,
			2,
		),
	);
	const r = await run(NPM, ['install', '--ignore-scripts', ...NPM_FLAGS], {
		cwd: dir,
		timeoutMs: 40 * 60_000,
		logFile: join(dir, 'install.log'),
	});
	if (r.code !== 0 || installedN8nVersion() !== N8N_VERSION) {
		throw new Error(
			`n8n@${N8N_VERSION} install failed in ${dir} (see install.log):\n${tail(r.stdout + r.stderr)}`,
		);
	}
	n8nMs = Date.now() - t0;
	log(`n8n@${N8N_VERSION} installed (${(n8nMs / 1000).toFixed(1)} s)`);

	if (!(await sqliteLoads())) {
		const t1 = Date.now();
		log('building sqlite3 (native module for n8n’s SQLite database, ~1 min)…');
		const gyp = nodeGypCommand();
		const args = [...gyp.args, 'rebuild', '--release'];
		// headers without a download: this Node's own (e.g. /usr/include/node), else Node 24's from
		// the registry package (sqlite3 is an N-API module: it loads under either Node)
		const ownPrefix = dirname(dirname(process.execPath));
		const node24Prefix = join(
			nodeDir(),
			'node_modules',
			'node',
			'node_modules',
			`node-${process.platform}-${process.arch}`,
		);
		const prefix = [ownPrefix, node24Prefix].find((p) =>
			existsSync(join(p, 'include', 'node', 'node.h')),
		);
		if (prefix) args.push(`--nodedir=${prefix}`);
		const b = await run(gyp.cmd, args, {
			cwd: sqliteDir(),
			timeoutMs: 20 * 60_000,
			logFile: join(dir, 'sqlite-build.log'),
			env: { ...process.env, JOBS: '2' },
		});
		if (b.code !== 0 || !(await sqliteLoads())) {
			throw new Error(
				`building sqlite3 failed (see ${join(dir, 'sqlite-build.log')}):\n${tail(b.stdout + b.stderr)}`,
			);
		}
		sqliteMs = Date.now() - t1;
		log(`sqlite3 built (${(sqliteMs / 1000).toFixed(1)} s)`);
	}
	writeFileSync(
		marker,
		JSON.stringify({ version: N8N_VERSION, at: new Date().toISOString(), n8nMs, sqliteMs }) + '\n',
	);
	return { n8nMs, sqliteMs };
}

if (require.main === module) {
	ensureRuntime()
		.then((t) => {
			console.log(JSON.stringify(t));
		})
		.catch((e) => {
			console.error((e as Error).message);
			process.exit(1);
		});
}
