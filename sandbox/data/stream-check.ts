// Streams a large data set through dataset.iterate() in a fresh process and prints what it cost:
//   npx tsx sandbox/data/stream-check.ts [patients=200000] [min=3] [max=5] [type=Immunization]
// → {"type","count","expected","ms","heapBeforeMB","heapPeakMB","heapGrowthMB"}
// Used by test/sandbox/data.test.ts (a separate process measures the heap without jest's own).
import { createDataset, type ResourceType } from './index';

const [patients = '200000', min = '3', max = '5', type = 'Immunization'] = process.argv.slice(2);
const ds = createDataset({
	patients: Number(patients),
	immunizationsPerPatient: [Number(min), Number(max)],
});
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage().heapUsed;
let peak = before;
let count = 0;
const t0 = Date.now();
for (const r of ds.iterate(type as ResourceType)) {
	count++;
	if ((count & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
	void r;
}
peak = Math.max(peak, process.memoryUsage().heapUsed);
const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
console.log(
	JSON.stringify({
		type,
		count,
		expected: ds.count(type as ResourceType),
		ms: Date.now() - t0,
		heapBeforeMB: mb(before),
		heapPeakMB: mb(peak),
		heapGrowthMB: mb(peak - before),
	}),
);
