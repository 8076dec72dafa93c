// Small helpers of the benchmarks: medians and the way ratios are printed.

export function median(xs: number[]): number {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** "0.412 (goal ≤ 0.6: met)" — `goal` is an upper bound unless `atLeast` */
export function ratioLine(value: number, goal?: number, atLeast = false, stretch?: number): string {
	const v = Number.isFinite(value) ? value.toFixed(3) : String(value);
	if (goal === undefined) return v;
	const met = atLeast ? value >= goal : value <= goal;
	const s =
		stretch === undefined
			? ''
			: `, stretch ${atLeast ? '≥' : '≤'} ${stretch}: ${(atLeast ? value >= stretch : value <= stretch) ? 'met' : 'not met'}`;
	return `${v}  (goal ${atLeast ? '≥' : '≤'} ${goal}: ${met ? 'met' : 'NOT met'}${s})`;
}

export function runsList(xs: number[], digits = 0): string {
	return `[${xs.map((x) => x.toFixed(digits)).join(', ')}]`;
}
