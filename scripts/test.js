#!/usr/bin/env node
// Runs every jest project (unit, shared, sandbox, integration, e2e, browser) and ends with one
// plain line "N passed, N failed[, N skipped]". `--fast` leaves out the e2e and browser projects
// (real n8n; the browser project drives its editor in Chromium).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const fast = args.includes('--fast');
const passThrough = args.filter((a) => a !== '--fast');
const out = path.join(root, '.test-results', 'jest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.rmSync(out, { force: true });
const assertionsDir = path.join(root, '.test-results', 'assertions');
fs.rmSync(assertionsDir, { recursive: true, force: true });

const projects = fast
	? ['unit', 'shared', 'sandbox', 'integration']
	: ['unit', 'shared', 'sandbox', 'integration', 'e2e', 'browser'];
const jestBin = require.resolve('jest/bin/jest');
const res = spawnSync(
	process.execPath,
	[jestBin, '--selectProjects', ...projects, '--json', `--outputFile=${out}`, ...passThrough],
	{ cwd: root, stdio: 'inherit', env: process.env },
);

let passed = 0;
let failed = 0;
let skipped = 0;
let suitesFailed = 0;
if (fs.existsSync(out)) {
	const r = JSON.parse(fs.readFileSync(out, 'utf8'));
	passed = r.numPassedTests;
	failed = r.numFailedTests;
	skipped = r.numPendingTests + (r.numTodoTests || 0);
	suitesFailed = r.numRuntimeErrorTestSuites || 0;
	// a suite that failed to run (syntax error, failing beforeAll) counts as a failure
	failed += suitesFailed;
} else {
	failed = 1;
}
if (res.status !== 0 && failed === 0) failed = 1;
let assertions = 0;
if (fs.existsSync(assertionsDir)) {
	for (const f of fs.readdirSync(assertionsDir))
		assertions += JSON.parse(fs.readFileSync(path.join(assertionsDir, f), 'utf8')).assertions;
}
console.log(`\n${assertions} assertions ran`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || res.status !== 0 ? 1 : 0);
