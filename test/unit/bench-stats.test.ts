// The benchmarks' small helpers: medians of odd and even counts, and how a ratio is printed
// against its goal (upper bound by default, lower bound with atLeast).
import { median, ratioLine } from '../../bench/lib/stats';
import { shortUrl, summarize } from '../../bench/lib/cpuprofile';

describe('bench helpers', () => {
	it('median of odd and even counts, unsorted input left as it is', () => {
		const xs = [5, 1, 3];
		expect(median(xs)).toBe(3);
		expect(xs).toEqual([5, 1, 3]);
		expect(median([4, 1, 3, 2])).toBe(2.5);
		expect(median([])).toBeNaN();
	});

	it('ratioLine says whether the goal (and the stretch goal) is met', () => {
		expect(ratioLine(0.5, 0.6)).toBe('0.500  (goal ≤ 0.6: met)');
		expect(ratioLine(0.7, 0.6)).toBe('0.700  (goal ≤ 0.6: NOT met)');
		expect(ratioLine(1.8, 2, false, 1.5)).toBe('1.800  (goal ≤ 2: met, stretch ≤ 1.5: not met)');
		expect(ratioLine(3.2, 3, true)).toBe('3.200  (goal ≥ 3: met)');
		expect(ratioLine(0.9, 1, true)).toBe('0.900  (goal ≥ 1: NOT met)');
	});

	it('cpuprofile summary: samples under runNode, or in the windows in which the package ran', () => {
		const f = (id: number, functionName: string, url: string, children: number[] = []) => ({
			id,
			callFrame: { functionName, url, lineNumber: 0 },
			children,
		});
		const profile = {
			nodes: [
				f(1, '(root)', '', [2, 5]),
				f(2, 'runNode', 'file:///x/node_modules/n8n-core/dist/a.js', [3]),
				f(3, 'execute', 'file:///x/node_modules/n8n-nodes-ehr/dist/b.js', [4]),
				f(4, 'parse', 'node:internal/json'),
				f(5, 'startup', 'file:///x/node_modules/n8n/dist/c.js'),
			],
			samples: [4, 3, 5, 4],
			// timeDeltas[i + 1] is the duration of sample i (µs)
			timeDeltas: [0, 1000, 2000, 4000, 8000],
		};
		const s = summarize([profile], 'runNode', '');
		// samples 0, 1, 3 are under runNode: 1 + 2 + 8 ms; sample 2 (startup, 4 ms) is left out
		expect(s.totalMs).toBe(11);
		expect(s.self.find((x) => x.name.startsWith('parse'))!.ms).toBe(9);
		expect(s.inclusive.find((x) => x.name.startsWith('execute'))!.ms).toBe(11);
		expect(s.packages.find((x) => x.name === 'n8n-nodes-ehr')!.ms).toBe(11);
		expect(s.self.some((x) => x.name.startsWith('startup'))).toBe(false);
		// window mode (the default): from the first to the last sample with a frame of the
		// package, whatever ran in between (async continuations have no frame of it)
		const w = summarize([profile]);
		expect(w.totalMs).toBe(15);
		expect(w.self.find((x) => x.name.startsWith('startup'))!.ms).toBe(4);
		expect(shortUrl('file:///x/node_modules/@n8n/di/dist/y.js')).toBe('@n8n/di/y.js');
	});
});
