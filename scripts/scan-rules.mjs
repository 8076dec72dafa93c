#!/usr/bin/env node
// Lints this package the way n8n's verification scanner (`@n8n/scan-community-package`) does,
// with the rule packages installed here:
//   - its own flat config (buildScanConfig in the scanner's scanner/scanner.mjs):
//     @n8n/eslint-plugin-community-nodes `recommended` on every file, `no-console: error`,
//     eslint-plugin-n8n-nodes-base's `community` rules on package.json, its `credentials` rules on
//     credentials/**/*.ts (minus cred-class-field-documentation-url-miscased and
//     cred-class-field-type-options-password-missing) and its `nodes` rules on nodes/**/*.ts
//     (minus node-class-description-inputs-wrong-regular-node, -outputs-wrong and
//     node-param-type-options-max-value-present); this repository's eslint.config.mjs is NOT read;
//   - inline configuration ignored (`allowInlineConfig: false`): `eslint-disable` comments do not
//     silence anything, and unused ones are not reported;
//   - two legs, as the scanner runs them: the source leg over `package.json` and
//     `{nodes,credentials}/**/*.{js,ts,json}`, and the tarball leg over the `.js` files and
//     package.json that `npm pack` would publish (needs `dist/`: run `npm run build` first, or
//     pass `--source-only`).
// Prints every finding (stylish format) and exits 1 on any finding, errors and warnings alike
// (the scanner itself fails a package on errors only). `npm run lint:scan`; .ci/run runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { defineConfig } from 'eslint/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceOnly = process.argv.includes('--source-only');

/** The scanner's config, built from the installed rule packages. */
export async function buildScanConfig() {
	const { n8nCommunityNodesPlugin } = await import('@n8n/eslint-plugin-community-nodes');
	const tsParser = await import('@typescript-eslint/parser');
	const n8nNodesPlugin = (await import('eslint-plugin-n8n-nodes-base')).default;
	const parser = tsParser.default ?? tsParser;
	return defineConfig(
		n8nCommunityNodesPlugin.configs.recommended,
		{ rules: { 'no-console': 'error' } },
		{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
		{ files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
		{
			files: ['**/credentials/**/*.ts'],
			rules: {
				...n8nNodesPlugin.configs.credentials.rules,
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			files: ['**/nodes/**/*.ts'],
			rules: {
				...n8nNodesPlugin.configs.nodes.rules,
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			},
		},
		{ files: ['**/*.json'], languageOptions: { parser } },
		{ files: ['**/*.ts'], languageOptions: { parser } },
		{ linterOptions: { reportUnusedDisableDirectives: 'off' } },
	);
}

/** Source leg: package.json and {nodes,credentials}/**\/*.{js,ts,json} (absolute paths). */
export function sourceFiles(dir = root) {
	const files = [join(dir, 'package.json')];
	for (const top of ['nodes', 'credentials']) {
		const base = join(dir, top);
		if (!existsSync(base)) continue;
		for (const f of readdirSync(base, { recursive: true })) {
			const rel = String(f);
			if (rel.split(sep).includes('node_modules')) continue;
			if (/\.(js|ts|json)$/.test(rel)) files.push(join(base, rel));
		}
	}
	return files.sort();
}

/** Tarball leg: the .js files `npm pack` would publish, and package.json (absolute paths). */
export function tarballFiles(dir = root) {
	const r = spawnSync(
		'npm',
		['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'],
		{
			cwd: dir,
			encoding: 'utf8',
		},
	);
	if (r.status !== 0) throw new Error(`npm pack --dry-run failed:\n${r.stderr}`);
	const [{ files }] = JSON.parse(r.stdout);
	return files
		.map((f) => f.path)
		.filter((p) => p === 'package.json' || p.endsWith('.js'))
		.map((p) => join(dir, p))
		.sort();
}

async function lint(label, files, config) {
	const eslint = new ESLint({
		cwd: root,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: config,
	});
	const results = await eslint.lintFiles(files);
	const errors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	const formatter = await eslint.loadFormatter('stylish');
	const text = await formatter.format(results);
	console.log(`scan-rules ${label}: ${files.length} files, ${errors} errors, ${warnings} warnings`);
	if (text.trim()) console.log(text);
	return errors + warnings;
}

async function main() {
	const config = await buildScanConfig();
	let findings = await lint('source (package.json, nodes/, credentials/)', sourceFiles(), config);
	if (sourceOnly) {
		console.log('scan-rules tarball: skipped (--source-only)');
	} else if (!existsSync(join(root, 'dist'))) {
		console.error(
			'scan-rules tarball: dist/ is missing: run `npm run build` first (or pass --source-only)',
		);
		findings += 1;
	} else {
		const files = tarballFiles();
		console.log(`scan-rules tarball files: ${files.map((f) => relative(root, f)).join(', ')}`);
		findings += await lint('tarball (packed .js files, package.json)', files, config);
	}
	console.log(
		findings === 0
			? 'scan-rules: no findings'
			: `scan-rules: ${findings} finding(s); inline eslint-disable comments do not count here`,
	);
	process.exit(findings === 0 ? 0 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	main().catch((e) => {
		console.error(e);
		process.exit(2);
	});
}
