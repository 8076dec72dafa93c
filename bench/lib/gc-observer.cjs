// Preloaded into n8n by bench/n8n-bulk.ts when BENCH_GC=1 (NODE_OPTIONS=--require): appends one
// line per garbage collection of the process's main thread to the file in BENCH_GC_LOG:
// "<epoch ms at its start> <kind> <pause ms> <young generation (new space) MiB now>". Kinds as perf_hooks names them: minor (scavenge),
// major (mark-compact), incremental (a marking step), weakcb (weak callbacks). Plain JavaScript:
// n8n loads it before anything else, without tsx.
'use strict';
const fs = require('node:fs');
const { PerformanceObserver, constants, performance } = require('node:perf_hooks');
const v8 = require('node:v8');

const file = process.env.BENCH_GC_LOG;
if (file) {
	const kinds = {
		[constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
		[constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
		[constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
		[constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
	};
	const fd = fs.openSync(`${file}.${process.pid}`, 'a');
	const obs = new PerformanceObserver((list) => {
		let out = '';
		const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
		const mib = young ? (young.space_size / 2 ** 20).toFixed(1) : '?';
		for (const e of list.getEntries()) {
			const kind = kinds[e.detail?.kind] ?? String(e.detail?.kind);
			out += `${(performance.timeOrigin + e.startTime).toFixed(1)} ${kind} ${e.duration.toFixed(2)} ${mib}\n`;
		}
		fs.writeSync(fd, out);
	});
	obs.observe({ entryTypes: ['gc'] });
	obs.unref?.();
}
