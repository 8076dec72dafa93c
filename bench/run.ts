// `npm run bench` → every bench/*.ts except this file, one child process each (a clean heap per
// benchmark); `npm run bench -- pagination` runs bench/pagination.ts only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = __dirname;
const wanted = process.argv.slice(2).map((a) => a.replace(/\.ts$/, '').replace(/^bench\//, ''));
const all = fs
	.readdirSync(dir)
	.filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
	.map((f) => f.replace(/\.ts$/, ''))
	.sort();
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
	console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
	process.exit(2);
}
const chosen = wanted.length ? wanted : all;
const tsxCli = require.resolve('tsx/cli');
let failed = 0;
for (const name of chosen) {
	console.log(`\n=== bench/${name}.ts ===`);
	const r = spawnSync(process.execPath, ['--expose-gc', tsxCli, path.join(dir, `${name}.ts`)], {
		stdio: 'inherit',
		env: process.env,
	});
	if (r.status !== 0) {
		failed++;
		console.error(`bench/${name}.ts exited with ${r.status ?? r.signal}`);
	}
}
process.exit(failed ? 1 : 0);
