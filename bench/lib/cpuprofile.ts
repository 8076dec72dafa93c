// Summarizes V8 .cpuprofile files (node --cpu-prof) of n8n for the benchmarks: only the samples
// taken while the node ran — the time windows from the first to the last sample with a frame of
// n8n-nodes-ehr (async continuations such as n8n's request helpers, axios and GC have none of its
// frames, so they are caught by time, not by stack) — so start-up, REST calls and saving the
// execution between runs are left out. Prints the time per package and the functions with the
// most self and inclusive time, files shortened to the package (`n8n-core/…`, `n8n-nodes-ehr/…`).
// Inclusive time across an `await` is lost (V8 samples do not stitch async stacks).
//   npx tsx bench/lib/cpuprofile.ts <file-or-dir> [top=25]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

export function shortUrl(url: string): string {
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
	if (m) return `${m[1]}/${m[2].replace(/^dist\//, '')}`;
	return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:') || '(native)';
}

export interface ProfileSummary {
	/** ms of samples inside runNode */
	totalMs: number;
	self: Array<{ name: string; ms: number }>;
	inclusive: Array<{ name: string; ms: number }>;
	/** inclusive ms per package (n8n-core, n8n-nodes-ehr, n8n-workflow, node:…) */
	packages: Array<{ name: string; ms: number }>;
}

/**
 * The samples in the time windows in which the node's package ran (from its first to its last
 * sample; a gap of more than `gapMs` without it starts a new window). Async continuations (n8n's
 * request helpers, axios, the HTTP parser, GC) have no frame of the node in their stack, so a
 * stack filter alone would miss them; the windows catch them (idle time in them included).
 */
function windowMask(p: Profile, hasPkg: (sampleIndex: number) => boolean, gapMs = 250): boolean[] {
	const t: number[] = [];
	let acc = 0;
	for (let i = 0; i < p.samples.length; i++) {
		acc += p.timeDeltas[i] ?? 0;
		t.push(acc / 1000);
	}
	const mask = new Array<boolean>(p.samples.length).fill(false);
	let start = -1;
	let last = -1;
	const close = () => {
		if (start >= 0) for (let j = start; j <= last; j++) mask[j] = true;
	};
	for (let i = 0; i < p.samples.length; i++) {
		if (!hasPkg(i)) continue;
		if (start >= 0 && t[i] - t[last] > gapMs) {
			close();
			start = i;
		}
		if (start < 0) start = i;
		last = i;
	}
	close();
	return mask;
}

/** `windowPkg` '' = only the samples whose stack goes through `within` */
export function summarize(
	profiles: Profile[],
	within = 'runNode',
	windowPkg = 'n8n-nodes-ehr',
): ProfileSummary {
	const self = new Map<string, number>();
	const incl = new Map<string, number>();
	const pkgs = new Map<string, number>();
	let total = 0;
	for (const p of profiles) {
		const byId = new Map(p.nodes.map((n) => [n.id, n]));
		const parent = new Map<number, number>();
		for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
		const label = (n: ProfileNode) =>
			`${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
		const pkg = (n: ProfileNode) => {
			const s = shortUrl(n.callFrame.url);
			return s.startsWith('node:')
				? 'node: built-ins'
				: s
						.split('/')
						.slice(0, s.startsWith('@') ? 2 : 1)
						.join('/') || '(native)';
		};
		const stackOf = (i: number): ProfileNode[] => {
			const stack: ProfileNode[] = [];
			for (let n = byId.get(p.samples[i]); n; n = byId.get(parent.get(n.id) ?? -1)) stack.push(n);
			return stack;
		};
		const inWindow = windowPkg
			? windowMask(p, (i) => stackOf(i).some((n) => pkg(n) === windowPkg))
			: undefined;
		for (let i = 0; i < p.samples.length; i++) {
			const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
			const leaf = byId.get(p.samples[i]);
			if (!leaf) continue;
			const stack = stackOf(i);
			if (inWindow ? !inWindow[i] : !stack.some((n) => n.callFrame.functionName === within))
				continue;
			total += dt;
			self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
			const seenL = new Set<string>();
			const seenP = new Set<string>();
			for (const n of stack) {
				const l = label(n);
				if (!seenL.has(l)) {
					seenL.add(l);
					incl.set(l, (incl.get(l) ?? 0) + dt);
				}
				const k = pkg(n);
				if (!seenP.has(k)) {
					seenP.add(k);
					pkgs.set(k, (pkgs.get(k) ?? 0) + dt);
				}
			}
		}
	}
	const sorted = (m: Map<string, number>) =>
		[...m.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
	return { totalMs: total, self: sorted(self), inclusive: sorted(incl), packages: sorted(pkgs) };
}

export function loadProfiles(path: string): Profile[] {
	const files = statSync(path).isDirectory()
		? readdirSync(path)
				.filter((f) => f.endsWith('.cpuprofile'))
				.map((f) => join(path, f))
		: [path];
	return files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile);
}

export function printSummary(s: ProfileSummary, top = 25): void {
	const pct = (ms: number) => `${((100 * ms) / (s.totalMs || 1)).toFixed(1).padStart(5)}%`;
	console.log(
		`samples while the node ran (windows from its first to its last frame, idle included): ${s.totalMs.toFixed(0)} ms`,
	);
	console.log('by package (inclusive: a stack through the package counts once):');
	for (const x of s.packages.slice(0, 12))
		console.log(`  ${pct(x.ms)} ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`);
	console.log(`top ${top} by self time:`);
	for (const x of s.self.slice(0, top))
		console.log(`  ${pct(x.ms)} ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`);
	console.log(`top ${top} by inclusive time:`);
	for (const x of s.inclusive.slice(0, top))
		console.log(`  ${pct(x.ms)} ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`);
}

if (require.main === module) {
	const [path, top] = process.argv.slice(2);
	if (!path) {
		console.error('usage: npx tsx bench/lib/cpuprofile.ts <file-or-dir> [top]');
		process.exit(2);
	}
	printSummary(summarize(loadProfiles(path)), Number(top ?? 25));
}
