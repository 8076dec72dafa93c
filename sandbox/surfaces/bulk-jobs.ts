// Bulk export jobs of the sandbox: options, job state, and NDJSON file generation to disk.
//
// Files are generated once per job, streamed from the lazy data set into files under
// os.tmpdir(), with backpressure, so a million resources need no more than a few MB of memory.
import {
	createReadStream,
	createWriteStream,
	mkdirSync,
	rmSync,
	statSync,
	type WriteStream,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Dataset, ResourceType } from '../data';
import {
	DATA_TYPES,
	UNAVAILABLE_TYPES,
	applyElements,
	matchesTypeFilters,
	type ExportParams,
	type Level,
} from './bulk-params';

export interface BulkOptions {
	/** resources per NDJSON file (default 100) */
	resourcesPerFile: number;
	/** status polls answered 202 before the manifest (default 2) */
	pollsBeforeDone: number;
	/** Retry-After style: seconds, an HTTP-date, absurd (86400 s), absurd-date (an epoch-like number), none */
	retryAfterStyle: 'seconds' | 'http-date' | 'absurd' | 'absurd-date' | 'none';
	/** Retry-After seconds for `seconds` and `http-date` (default 1) */
	retryAfterSeconds: number;
	/** manifest requiresAccessToken; false = files served without auth from the files origin (default true) */
	requiresAccessToken: boolean;
	/** output entries per manifest page; 0 = one manifest (default 0). >0 = partial manifests with link next */
	manifestPageSize: number;
	/** add extra fields (`extension`, `continuesInFile`) to the manifest (default true) */
	manifestExtras: boolean;
	/** always add an error file with an OperationOutcome warning (default false) */
	errorFile: boolean;
	/** number of deleted resources reported when `_since` is given (default 2) */
	deletedCount: number;
	/** per-response bandwidth of file downloads in bytes/s, to model a remote server; 0 = unlimited (default 0) */
	fileBytesPerSecond: number;
	/**
	 * gzip every file once when the job is generated and send that file from disk (Content-Encoding
	 * gzip, Content-Length) to clients that accept gzip, so a download on loopback measures the
	 * client, not the server's compression (default false: gzip on the fly)
	 */
	precompressed?: boolean;
	/**
	 * added to the manifest `count` of the first output file and of every error file, as servers
	 * whose counts leave out header lines or give an error entry the failed file's count (default 0)
	 */
	manifestCountSkew?: number;
	/** groups: id → patient indexes (0-based) selector; default group-1 (first 10) and group-2 (every 5th) */
	groups?: Record<string, { name: string; every?: number; first?: number }>;
}

export const DEFAULT_BULK_OPTIONS: BulkOptions = {
	resourcesPerFile: 100,
	pollsBeforeDone: 2,
	retryAfterStyle: 'seconds',
	retryAfterSeconds: 1,
	requiresAccessToken: true,
	manifestPageSize: 0,
	manifestExtras: true,
	errorFile: false,
	deletedCount: 2,
	fileBytesPerSecond: 0,
	precompressed: false,
};

export const DEFAULT_GROUPS: NonNullable<BulkOptions['groups']> = {
	'group-1': { name: 'First ten patients', first: 10 },
	'group-2': { name: 'Every fifth patient', every: 5 },
};

export interface BulkFile {
	type: string;
	name: string;
	path: string;
	count: number;
	bytes: number;
	kind: 'output' | 'error' | 'deleted';
	/** the file gzip'd once at generation (option `precompressed`): served as it is to gzip clients */
	gzPath?: string;
	gzBytes?: number;
}

export interface BulkJob {
	id: string;
	surface: 'emp' | 'smart';
	fhirBase: string;
	level: Level;
	groupId?: string;
	clientId: string;
	requestUrl: string;
	method: string;
	params: ExportParams;
	options: BulkOptions;
	transactionTime: string;
	status: 'in-progress' | 'completed' | 'failed' | 'cancelled';
	polls: number;
	generated: boolean;
	failure?: string;
	dir: string;
	files: BulkFile[];
	/** settles when file generation stops */
	done?: Promise<void>;
}

const ROOT = join(tmpdir(), `ehr-sandbox-bulk-${process.pid}`);
let exitHook = false;

export function newJobDir(): { id: string; dir: string } {
	const id = randomBytes(9).toString('base64url');
	const dir = join(ROOT, id);
	mkdirSync(dir, { recursive: true });
	if (!exitHook) {
		exitHook = true;
		process.once('exit', () => rmSync(ROOT, { recursive: true, force: true }));
	}
	return { id, dir };
}

export function removeJobFiles(job: BulkJob): void {
	const rm = () => rmSync(job.dir, { recursive: true, force: true });
	if (job.done) void job.done.then(rm, rm);
	else rm();
}

/** Patient ids a job covers, or undefined for every patient. */
export function patientScope(
	ds: Dataset,
	job: Pick<BulkJob, 'level' | 'groupId' | 'params' | 'options'>,
): string[] | undefined {
	let ids: string[] | undefined;
	if (job.level === 'group') {
		const g = (job.options.groups ?? DEFAULT_GROUPS)[job.groupId ?? ''];
		ids = [];
		const n = g.first ? Math.min(g.first, ds.patientCount) : ds.patientCount;
		for (let i = 0; i < n; i += g.every ?? 1) ids.push(ds.patientIdAt(i));
	}
	if (job.params.patients.length > 0) {
		const wanted = job.params.patients.filter((p) => ds.indexOf(p) >= 0);
		ids = ids ? ids.filter((i) => wanted.includes(i)) : wanted;
	}
	return ids;
}

/** Types a job exports (data types), and types reported in the error file. */
export function jobTypes(job: Pick<BulkJob, 'params'>): { data: string[]; unavailable: string[] } {
	const req = job.params.types.length ? job.params.types : DATA_TYPES;
	return {
		data: req.filter((t) => DATA_TYPES.includes(t)),
		unavailable: req.filter((t) => UNAVAILABLE_TYPES.includes(t)),
	};
}

/** Numbering that skips numbers, as real servers do (1, 3, 5…). */
export function fileNumber(index: number): number {
	return index * 2 + 1;
}

class LineWriter {
	private ws: WriteStream;
	private buf: string[] = [];
	private size = 0;
	bytes = 0;
	count = 0;
	constructor(readonly path: string) {
		this.ws = createWriteStream(path);
	}
	async line(obj: unknown): Promise<void> {
		const s = JSON.stringify(obj) + '\n';
		this.buf.push(s);
		this.size += s.length;
		this.count++;
		if (this.size >= 256 * 1024) await this.flush();
	}
	private async flush(): Promise<void> {
		if (this.buf.length === 0) return;
		const chunk = Buffer.from(this.buf.join(''), 'utf8');
		this.buf = [];
		this.size = 0;
		this.bytes += chunk.length;
		if (!this.ws.write(chunk)) await new Promise<void>((r) => this.ws.once('drain', () => r()));
	}
	async close(): Promise<void> {
		await this.flush();
		await new Promise<void>((resolve, reject) =>
			this.ws.end((err?: Error | null) => (err ? reject(err) : resolve())),
		);
	}
}

/** Generates every file of a job. Yields to the event loop now and then so the server stays responsive. */
export async function generateJob(
	ds: Dataset,
	job: BulkJob,
	isCancelled: () => boolean,
): Promise<void> {
	const ids = patientScope(ds, job);
	const { data, unavailable } = jobTypes(job);
	const since = job.params.since ? new Date(job.params.since) : undefined;
	const until = job.params.until ? Date.parse(job.params.until) : undefined;
	const txTime = Date.parse(job.transactionTime);
	const per = Math.max(1, job.options.resourcesPerFile);
	for (const type of data) {
		let index = 0;
		let writer: LineWriter | undefined;
		let n = 0;
		const finish = async () => {
			if (!writer) return;
			await writer.close();
			job.files.push({
				type,
				name: writer.path.split(/[\\/]/).pop()!,
				path: writer.path,
				count: writer.count,
				bytes: writer.bytes,
				kind: 'output',
			});
			writer = undefined;
		};
		for (const r of ds.iterate(type as ResourceType, { since, patientIds: ids })) {
			const lu = Date.parse(r.meta.lastUpdated);
			if (until !== undefined && lu > until) continue;
			if (lu > txTime) continue;
			const res = r as unknown as Record<string, unknown>;
			if (!matchesTypeFilters(res, type, job.params.typeFilters)) continue;
			if (!writer) writer = new LineWriter(join(job.dir, `${type}-${fileNumber(index++)}.ndjson`));
			await writer.line(applyElements(res, type, job.params.elements));
			if (writer.count >= per) await finish();
			if (++n % 5000 === 0) {
				await new Promise((r2) => setImmediate(r2));
				if (isCancelled()) return;
			}
		}
		await finish();
	}
	if (unavailable.length > 0 || job.options.errorFile) {
		const w = new LineWriter(join(job.dir, 'OperationOutcome-1.ndjson'));
		for (const t of unavailable) {
			await w.line({
				resourceType: 'OperationOutcome',
				issue: [
					{
						severity: 'error',
						code: 'not-supported',
						diagnostics: `Export of ${t} resources is not available on this server.`,
					},
				],
			});
		}
		if (job.options.errorFile) {
			await w.line({
				resourceType: 'OperationOutcome',
				issue: [
					{
						severity: 'warning',
						code: 'incomplete',
						diagnostics:
							'Some resources changed during the export and were left out; run the export again with _since.',
					},
				],
			});
		}
		await w.close();
		job.files.push({
			type: 'OperationOutcome',
			name: 'OperationOutcome-1.ndjson',
			path: w.path,
			count: w.count,
			bytes: w.bytes,
			kind: 'error',
		});
	}
	if (since && job.options.deletedCount > 0) {
		const w = new LineWriter(join(job.dir, 'Bundle-deleted-1.ndjson'));
		await w.line({
			resourceType: 'Bundle',
			type: 'transaction',
			entry: Array.from({ length: job.options.deletedCount }, (_, i) => ({
				request: { method: 'DELETE', url: `Patient/pt-deleted-${String(i + 1).padStart(4, '0')}` },
			})),
		});
		await w.close();
		job.files.push({
			type: 'Bundle',
			name: 'Bundle-deleted-1.ndjson',
			path: w.path,
			count: w.count,
			bytes: w.bytes,
			kind: 'deleted',
		});
	}
	if (job.options.precompressed) {
		for (const f of job.files) {
			if (isCancelled()) return;
			const gz = `${f.path}.gz`;
			await pipeline(createReadStream(f.path), createGzip({ level: 6 }), createWriteStream(gz));
			f.gzPath = gz;
			f.gzBytes = statSync(gz).size;
		}
	}
}
