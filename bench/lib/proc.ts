// CPU and memory of a process, from Linux's /proc (the real-n8n benchmarks sample n8n's main
// process; the bulk baseline samples itself).
import { readdirSync, readFileSync } from 'node:fs';

/** user + system CPU seconds of a /proc/…/stat line (fields 14 and 15, at 11 and 12 after the name) */
function statCpuSeconds(stat: string): number {
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(f[11]) + Number(f[12])) / 100;
}

/** CPU seconds (user + system) of a process from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
	return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * CPU seconds (user + system) of each kind of thread of a process, from /proc/<pid>/task: 'main'
 * (the JavaScript thread), 'V8 workers' (V8's platform threads: concurrent marking and sweeping,
 * background compilation), 'libuv pool' (zlib, file system, crypto, DNS) and the rest by name.
 * Threads that ended since the last reading are not counted.
 */
export function threadCpuSeconds(pid: number | 'self'): Record<string, number> {
	const out: Record<string, number> = {};
	const self = pid === 'self' ? process.pid : pid;
	let tids: string[] = [];
	try {
		tids = readdirSync(`/proc/${self}/task`);
	} catch {
		return out;
	}
	for (const tid of tids) {
		let stat: string;
		try {
			stat = readFileSync(`/proc/${self}/task/${tid}/stat`, 'utf8');
		} catch {
			continue;
		}
		const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
		const kind =
			Number(tid) === self
				? 'main'
				: /^V8/.test(name)
					? 'V8 workers'
					: /^libuv-worker/.test(name)
						? 'libuv pool'
						: name;
		out[kind] = (out[kind] ?? 0) + statCpuSeconds(stat);
	}
	return out;
}

/** The difference of two threadCpuSeconds readings, per kind. */
export function threadCpuDelta(
	before: Record<string, number>,
	after: Record<string, number>,
): Record<string, number> {
	const out: Record<string, number> = {};
	for (const k of Object.keys(after)) out[k] = after[k] - (before[k] ?? 0);
	return out;
}

/** Resident set size in bytes from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
	const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) * 1024 : NaN;
}
