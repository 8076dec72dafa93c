// Seeded pseudo-random numbers for the synthetic data (FHIR data set and MPP data).

/** mulberry32: a tiny, fast 32-bit PRNG; the seed is taken as an unsigned 32-bit integer. */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A well-mixed 32-bit key from (seed, index, stream), so each patient has its own sequence. */
function mix(seed: number, index: number, stream: number): number {
	let h = (seed | 0) ^ 0x9e3779b9;
	h = Math.imul(h ^ (index | 0), 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h ^ stream, 0xc2b2ae35);
	h ^= h >>> 16;
	h = Math.imul(h, 0x27d4eb2f);
	h ^= h >>> 15;
	return h >>> 0;
}

/** The generator of one (seed, patient index, stream): independent of every other patient. */
export function rngFor(seed: number, index: number, stream: number): () => number {
	return mulberry32(mix(seed, index, stream));
}

/** One element of a non-empty list, drawn with `r`. */
export function pick<T>(r: () => number, list: readonly T[]): T {
	return list[Math.floor(r() * list.length)];
}
