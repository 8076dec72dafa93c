// Planning the downloads of a manifest: its files with unique names, and the small pool that
// runs them a few at a time.
import type { BulkManifest, ManifestEntry } from './types';

export type FileKind = 'output' | 'error' | 'deleted';

export interface FileJob {
	entry: ManifestEntry;
	kind: FileKind;
	fileName: string;
}

/**
 * Every file of a manifest, with unique file names (from the URL's last path segment). Names that
 * come out alike are numbered (-2, -3, …) from a counter per name, so the planning stays linear
 * however many URLs end alike.
 */
export function fileJobs(
	manifest: BulkManifest,
	kinds: FileKind[] = ['output', 'error', 'deleted'],
): FileJob[] {
	const used = new Set<string>();
	const nextNumber = new Map<string, number>();
	const out: FileJob[] = [];
	for (const kind of kinds) {
		for (const entry of manifest[kind] ?? []) {
			if (!entry || typeof entry.url !== 'string') continue;
			let base = 'file.ndjson';
			try {
				base = decodeURIComponent(
					new URL(entry.url).pathname.split('/').filter(Boolean).pop() ?? base,
				);
			} catch {
				/* keep default */
			}
			base = base.replace(/[^A-Za-z0-9._-]/g, '_') || 'file.ndjson';
			if (!/\.ndjson$/i.test(base)) base += '.ndjson';
			if (kind !== 'output') base = `${kind}-${base}`;
			let name = base;
			if (used.has(name)) {
				const stem = base.slice(0, -'.ndjson'.length);
				const ext = base.slice(-'.ndjson'.length);
				let i = nextNumber.get(base) ?? 2;
				while (used.has((name = `${stem}-${i}${ext}`))) i++;
				nextNumber.set(base, i + 1);
			}
			used.add(name);
			out.push({ entry, kind, fileName: name });
		}
	}
	return out;
}

/** Runs `fn` over `items` with at most `limit` at a time; the first failure stops new work. */
export async function runPool<T, R>(
	items: T[],
	limit: number,
	fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	let failed: unknown;
	const worker = async () => {
		while (failed === undefined) {
			const i = next++;
			if (i >= items.length) return;
			try {
				results[i] = await fn(items[i], i);
			} catch (e) {
				if (failed === undefined) failed = e;
			}
		}
	};
	await Promise.all(
		Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()),
	);
	if (failed !== undefined) throw failed;
	return results;
}
