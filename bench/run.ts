// `npm run bench` → every bench/*.ts except this file, one child process each (a clean heap per
// benchmark); `npm run bench -- pagination` runs bench/pagination.ts only. bench/n8n-*.ts measure
// inside a real n8n (bench/lib/n8n-env.ts) and need the package built: run.ts builds it first.
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
// the real-n8n benchmarks install the built package (dist/) into n8n: build it first
if (chosen.some((n) => n.startsWith('n8n-')) && process.env.BENCH_SKIP_BUILD !== '1') {
	console.log(
		'npm run build (the real-n8n benchmarks install dist/; BENCH_SKIP_BUILD=1 skips this)',
	);
	const b = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: path.join(dir, '..') });
	if (b.status !== 0) process.exit(1);
}
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
