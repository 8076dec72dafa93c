// Packs the built package the way it is published (a staging copy whose package.json has no
// `overrides`, no devDependencies and no scripts; `npm pack`) and installs the tarball where n8n
// installs community packages: <N8N_USER_FOLDER>/.n8n/nodes/node_modules/n8n-nodes-ehr, with a
// package.json in `.n8n/nodes` that lists it. Node types then load as `n8n-nodes-ehr.<node>`,
// the names users' saved workflows carry.
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths';
import { run, tail } from './proc';
import { log } from './log';

export const PACKAGE_NAME = 'n8n-nodes-ehr';
const NPM = 'npm';
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error', '--update-notifier=false'];

interface PackageJson {
	name: string;
	version: string;
	main?: string;
	n8n?: { nodes?: string[]; credentials?: string[] };
	[k: string]: unknown;
}

export function readRepoPackageJson(): PackageJson {
	return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** Node type names the package declares (from package.json → n8n.nodes), e.g. `n8n-nodes-ehr.ehrFhir`. */
export function declaredNodeTypes(): string[] {
	const pj = readRepoPackageJson();
	return (pj.n8n?.nodes ?? []).map((p) => {
		const file = p.split('/').pop() ?? p;
		const cls = file.replace(/\.node\.js$/, '');
		return `${PACKAGE_NAME}.${cls.charAt(0).toLowerCase()}${cls.slice(1)}`;
	});
}

let packed: string | undefined;

/** `npm pack` of a staging copy; returns the .tgz path (once per process, or from N8N_EHR_TARBALL). */
export async function packPackage(): Promise<string> {
	if (process.env.N8N_EHR_TARBALL && existsSync(process.env.N8N_EHR_TARBALL))
		return process.env.N8N_EHR_TARBALL;
	if (packed && existsSync(packed)) return packed;
	if (!existsSync(join(REPO_ROOT, 'dist')))
		throw new Error('dist/ is missing: run `npm run build` first');
	const stage = mkdtempSync(join(tmpdir(), 'n8n-nodes-ehr-pack-'));
	const pj = readRepoPackageJson();
	const clean: PackageJson = { ...pj };
	delete clean.overrides;
	delete clean.devDependencies;
	delete clean.scripts;
	writeFileSync(join(stage, 'package.json'), JSON.stringify(clean, null, 2));
	cpSync(join(REPO_ROOT, 'dist'), join(stage, 'dist'), { recursive: true });
	// what `files` publishes besides dist/ (package.json has no `main`: n8n loads the package from
	// its `n8n` section)
	for (const f of ['README.md', 'LICENSE.md', 'CHANGELOG.md', ...(pj.main ? [pj.main] : [])]) {
		if (existsSync(join(REPO_ROOT, f))) cpSync(join(REPO_ROOT, f), join(stage, f));
	}
	const out = join(stage, 'out');
	mkdirSync(out);
	const r = await run(NPM, ['pack', '--pack-destination', out, ...NPM_FLAGS], {
		cwd: stage,
		timeoutMs: 120_000,
	});
	const name = r.stdout.trim().split('\n').pop()?.trim();
	if (r.code !== 0 || !name || !existsSync(join(out, name))) {
		throw new Error(`npm pack failed:\n${tail(r.stdout + r.stderr)}`);
	}
	packed = join(out, name);
	log(`packed ${name}`);
	return packed;
}

/** Installs the tarball into `<userFolder>/.n8n/nodes` like n8n installs a community package. */
export async function installPackageInto(userFolder: string, tarball: string): Promise<void> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(
		join(nodesDir, 'package.json'),
		JSON.stringify(
			{
				name: 'installed-nodes',
				private: true,
				dependencies: { [PACKAGE_NAME]: `file:${tarball}` },
			},
			null,
			2,
		),
	);
	rmSync(join(nodesDir, 'node_modules', PACKAGE_NAME), { recursive: true, force: true });
	// Peer dependencies (n8n-workflow) are n8n's own: never install a second copy.
	const r = await run(
		NPM,
		[
			'install',
			'--omit=dev',
			'--omit=peer',
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--package-lock=false',
			'--install-links',
			...NPM_FLAGS,
		],
		{ cwd: nodesDir, timeoutMs: 180_000 },
	);
	if (r.code !== 0 || !existsSync(join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json'))) {
		throw new Error(`installing ${tarball} into ${nodesDir} failed:\n${tail(r.stdout + r.stderr)}`);
	}
}
