// Release machinery, checked without network: the two GitHub workflows (parsed as YAML),
// package.json's publishing fields and scripts, and the file list `npm pack` would publish.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// js-yaml (a devDependency) ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const root = join(__dirname, '..', '..');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}
interface Job {
	'runs-on': string;
	permissions?: Record<string, string>;
	steps: Step[];
}
interface Workflow {
	name: string;
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

function workflow(file: string): Workflow {
	const text = readFileSync(join(root, '.github', 'workflows', file), 'utf8');
	const doc = yaml.load(text) as Workflow;
	expect(doc).toEqual(
		expect.objectContaining({
			name: expect.any(String),
			on: expect.any(Object),
			jobs: expect.any(Object),
		}),
	);
	return doc;
}

function onlyJob(wf: Workflow): Job {
	const jobs = Object.values(wf.jobs);
	expect(jobs).toHaveLength(1);
	return jobs[0];
}

/** Index of the first step whose `run` matches, -1 if none. */
function stepIndex(job: Job, re: RegExp): number {
	return job.steps.findIndex((s) => typeof s.run === 'string' && re.test(s.run));
}

function setupNode(job: Job): Step {
	const s = job.steps.find((x) => x.uses?.startsWith('actions/setup-node@'));
	expect(s).toBeDefined();
	return s!;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	name: string;
	version: string;
	files?: string[];
	main?: string;
	scripts: Record<string, string>;
	repository: { type: string; url: string };
	homepage: string;
	bugs: { url: string };
	author: { name: string; email: string };
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	overrides?: unknown;
	n8n: { nodes: string[]; credentials: string[] };
};

describe('.github/workflows/ci.yml', () => {
	const wf = workflow('ci.yml');
	const job = onlyJob(wf);

	it('runs on pushes to main and on pull requests, with read-only permissions', () => {
		expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
		expect(wf.on.push).toEqual(expect.objectContaining({ branches: ['main'] }));
		expect(wf.permissions).toEqual({ contents: 'read' });
	});

	it('uses an Ubuntu runner with Node 20, like the README promises (only Node 20 and npm)', () => {
		expect(job['runs-on']).toMatch(/^ubuntu-/);
		expect(String(setupNode(job).with?.['node-version'])).toBe('20');
	});

	it('installs what .ci/run installs: build tools, PostgreSQL and Redis', () => {
		const apt = job.steps.find((s) => /apt-get install/.test(s.run ?? ''));
		expect(apt?.run).toEqual(expect.stringMatching(/build-essential/));
		expect(apt?.run).toEqual(expect.stringMatching(/postgresql/));
		expect(apt?.run).toEqual(expect.stringMatching(/redis-server/));
	});

	it("installs cleanly, then builds, lints, checks the scanner rules and types, then runs the README's test command", () => {
		const order = [
			/^npm ci\b/,
			/^npm run build$/,
			/^npm run lint$/,
			/^npm run typecheck$/,
			/^npm run lint:scan$/,
			/^npm test$/,
		].map((re) => stepIndex(job, re));
		for (const i of order) expect(i).toBeGreaterThanOrEqual(0);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
	});
});

describe('.github/workflows/publish.yml', () => {
	const wf = workflow('publish.yml');
	const job = onlyJob(wf);

	it('runs only on version tags (v*)', () => {
		expect(wf.on).toEqual({ push: { tags: ['v*'] } });
	});

	it('may mint the OIDC token for the provenance statement and only read the repository', () => {
		expect(wf.permissions ?? job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	});

	it('sets up Node 20 against the npm registry', () => {
		const s = setupNode(job);
		expect(String(s.with?.['node-version'])).toBe('20');
		expect(s.with?.['registry-url']).toBe('https://registry.npmjs.org');
	});

	it('checks that the tag is the package version before anything else', () => {
		const i = stepIndex(job, /GITHUB_REF_NAME/);
		expect(i).toBeGreaterThanOrEqual(0);
		expect(job.steps[i].run).toMatch(/require\('\.\/package\.json'\)\.version/);
		expect(i).toBeLessThan(stepIndex(job, /^npm ci\b/));
	});

	it('builds, lints, checks the scanner rules and runs the tests before publishing with provenance', () => {
		const publish = stepIndex(job, /npm publish/);
		expect(publish).toBeGreaterThanOrEqual(0);
		for (const re of [
			/^npm ci\b/,
			/^npm run build$/,
			/^npm run lint$/,
			/^npm run lint:scan$/,
			/^npm run typecheck$/,
			/^npm test$/,
		]) {
			const i = stepIndex(job, re);
			expect(i).toBeGreaterThanOrEqual(0);
			expect(i).toBeLessThan(publish);
		}
		const step = job.steps[publish];
		expect(step.run).toMatch(/^npm publish\b/);
		expect(step.run!.split(/\s+/)).toEqual(
			expect.arrayContaining(['--provenance', '--access', 'public']),
		);
		expect(step.env?.NODE_AUTH_TOKEN).toMatch(/^\$\{\{\s*secrets\.[A-Z_]+\s*\}\}$/);
	});
});

describe('package.json for publishing', () => {
	it('has no overrides, no runtime dependencies and n8n-workflow as a peer', () => {
		expect(pkg.overrides).toBeUndefined();
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	it('names one GitHub repository in repository, homepage and bugs, and an author with name and email', () => {
		const m = /^git\+https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)\.git$/.exec(pkg.repository.url);
		expect(pkg.repository.type).toBe('git');
		expect(m).not.toBeNull();
		const base = `https://github.com/${m![1]}/${m![2]}`;
		expect(pkg.homepage).toBe(`${base}#readme`);
		expect(pkg.bugs.url).toBe(`${base}/issues`);
		expect(pkg.author.name).toMatch(/\S/);
		expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+$/);
	});

	it('has no script that runs on install (the scanner rejects them) and a prepublishOnly that builds, lints and tests', () => {
		// no-forbidden-lifecycle-scripts in @n8n/eslint-plugin-community-nodes
		for (const s of [
			'prepare',
			'preinstall',
			'install',
			'postinstall',
			'prepublish',
			'preprepare',
			'postprepare',
		]) {
			expect(pkg.scripts[s]).toBeUndefined();
		}
		const steps = pkg.scripts.prepublishOnly.split('&&').map((s) => s.trim());
		expect(steps).toEqual([
			'npm run build',
			'npm run lint',
			'npm run lint:scan',
			'npm run typecheck',
			'npm run test:fast',
		]);
		expect(pkg.scripts['lint:scan']).toBe('node scripts/scan-rules.mjs');
		expect(pkg.scripts.format).toMatch(/^prettier --write\b/);
		expect(pkg.scripts['format:check']).toMatch(/^prettier --check\b/);
	});

	it('publishes dist/ and CHANGELOG.md only (npm adds README, LICENSE and package.json), with no main file', () => {
		expect(pkg.files).toEqual(['dist', 'CHANGELOG.md']);
		expect(pkg.main).toBeUndefined();
		for (const p of [...pkg.n8n.nodes, ...pkg.n8n.credentials])
			expect(p).toMatch(/^dist\/(nodes|credentials)\/.+\.js$/);
	});
});

describe('npm pack --dry-run', () => {
	// `npm pack` lists what is on disk: dist/ exists after `npm run build` (.ci/run and both
	// workflows build before the tests). Without it the list is checked all the same, less the
	// dist/ entries.
	const r = spawnSync(
		'npm',
		[
			'pack',
			'--dry-run',
			'--json',
			'--ignore-scripts',
			'--loglevel=error',
			'--update-notifier=false',
		],
		{
			cwd: root,
			encoding: 'utf8',
		},
	);
	const files: string[] =
		r.status === 0
			? (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map(
					(f) => f.path,
				)
			: [];
	const built = existsSync(join(root, 'dist'));

	it('succeeds offline', () => {
		expect(r.stderr).not.toMatch(/ERR!/);
		expect(r.status).toBe(0);
	});

	it('lists only dist/, README.md, LICENSE.md, CHANGELOG.md and package.json', () => {
		const outside = files.filter((p) => !p.startsWith('dist/')).sort();
		expect(outside).toEqual(['CHANGELOG.md', 'LICENSE.md', 'README.md', 'package.json']);
		// only the compiled nodes and credentials (and their icons / codex files) under dist/
		expect(
			files.filter((p) => p.startsWith('dist/') && !/^dist\/(nodes|credentials)\//.test(p)),
		).toEqual([]);
		expect(
			files.filter((p) => /(^|\/)(test|sandbox|scripts|bench|examples|node_modules)\//.test(p)),
		).toEqual([]);
	});

	it('includes every node and credential package.json declares, with their icons and codex files (once built)', () => {
		if (!built) {
			expect(files.filter((p) => p.startsWith('dist/'))).toEqual([]);
			return;
		}
		for (const p of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(p);
		for (const p of pkg.n8n.nodes) expect(files).toContain(p.replace(/\.js$/, '.json'));
		expect(files.filter((p) => p.endsWith('.svg')).length).toBeGreaterThanOrEqual(
			pkg.n8n.nodes.length * 2,
		);
	});
});
