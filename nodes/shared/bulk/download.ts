// Bulk export file downloads: streamed from the server through the NDJSON checker straight into
// n8n's binary data store (files mode) or parsed line by line (resources mode). The bearer token
// is sent only when the manifest says `requiresAccessToken: true`; otherwise the request is a
// plain one, so no token ever reaches a file host. Files run in parallel (a small pool), each
// retried on network failures and transient statuses, never on a failed content check.
// gzip: the client asks for it and n8n's HTTP client (axios) decodes it while streaming.
// A file that fails (after its retries) does not stop the others: it comes back as a FailedFile.
import { NodeApiError, NodeOperationError, type IBinaryData, type IDataObject } from 'n8n-workflow';
import { abortableSleep } from '../sleep';
import { apiRequest } from '../http';
import { isRecord } from '../values';
import { NdjsonChecker, NdjsonCheckError } from './ndjson';
import { assertTokenOrigin } from './origin';
import { runPool, type FileJob } from './files';
import { redactUrl, scrubFileError } from './redact';
import { requestBounds } from './status';
import { isTimedOut } from '../http/limits';
import type { BulkManifest, Ctx, DownloadOptions } from './types';

export { fileJobs, runPool, type FileJob, type FileKind } from './files';

/** The part of a Node.js Readable this file uses (n8n's HTTP client returns one). */
interface ByteStream extends AsyncIterable<unknown> {
	emit(event: string | symbol, ...args: unknown[]): boolean;
	destroy(error?: Error): unknown;
	readonly destroyed: boolean;
	readonly readableEnded: boolean;
}

export interface DownloadedFile extends FileJob {
	lines: number;
	bytes: number;
	binary?: IBinaryData;
	/** the manifest's count and the lines received, when they differ */
	countMismatch?: { manifest: number; lines: number };
	/** an error file's OperationOutcome issues (at most MAX_ISSUES) */
	issues?: IDataObject[];
}

/** A file that could not be downloaded or failed its check; its error is scrubbed of the URL's query values. */
export interface FailedFile extends FileJob {
	error: Error;
}

const MAX_ISSUES = 100;

async function openFile(
	ctx: Ctx,
	credentialType: string,
	job: FileJob,
	manifest: BulkManifest,
	o: DownloadOptions,
): Promise<ByteStream> {
	if (manifest.requiresAccessToken === true) {
		await assertTokenOrigin(
			ctx,
			credentialType,
			job.entry.url,
			`Download of bulk export file ${job.fileName} (requiresAccessToken: true)`,
			o.itemIndex,
		);
	}
	const res = await apiRequest.call(ctx, credentialType, {
		method: 'GET',
		url: job.entry.url,
		stream: true,
		withAuth: manifest.requiresAccessToken === true,
		headers: {
			Accept: 'application/fhir+ndjson',
			...(o.acceptGzip ? { 'Accept-Encoding': 'gzip' } : { 'Accept-Encoding': 'identity' }),
		},
		what: `Download of bulk export file ${job.fileName}`,
		itemIndex: o.itemIndex,
		...requestBounds({ deadlineAt: o.deadlineAt }),
	});
	const body = res.body as ByteStream;
	const enc = (res.headers['content-encoding'] ?? '').toLowerCase();
	if (enc && enc !== 'identity') {
		body.destroy();
		throw new NodeOperationError(
			ctx.getNode(),
			`Download of bulk export file ${job.fileName} arrived ${enc}-encoded and could not be decoded`,
			{
				itemIndex: o.itemIndex,
				description: 'Turn off the option "Accept Gzip" and run the export again.',
			},
		);
	}
	return body;
}

function retryable(e: unknown): boolean {
	if (e instanceof NdjsonCheckError || isTimedOut(e)) return false;
	if (e instanceof NodeApiError) {
		const code = Number(e.httpCode);
		return !Number.isFinite(code) || code === 0 || code === 408 || code === 429 || code >= 500;
	}
	if (e instanceof NodeOperationError) return false;
	return true; // a stream that broke mid-body
}

function fileError(
	ctx: Ctx,
	job: FileJob,
	e: unknown,
	attempts: number,
	itemIndex?: number,
): Error {
	if (e instanceof NdjsonCheckError) {
		return new NodeOperationError(ctx.getNode(), `Bulk export file check failed: ${e.message}`, {
			itemIndex,
			description:
				e.hint ??
				`The ${job.kind} file ${job.fileName} (${redactUrl(job.entry.url)}) does not match its manifest entry. Run the export again; if it keeps failing, report it to the server's operator.`,
		});
	}
	if (e instanceof NodeApiError || e instanceof NodeOperationError) {
		e.message = `${e.message}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`;
		return e;
	}
	if (isTimedOut(e)) {
		return new NodeOperationError(
			ctx.getNode(),
			`Download of bulk export file ${job.fileName} did not finish within the Maximum Total Wait; it was stopped`,
			{
				itemIndex,
				description:
					'The server sends this file very slowly. Raise "Maximum Total Wait (Seconds)", or download the files later with Download Export Files.',
			},
		);
	}
	return new NodeOperationError(
		ctx.getNode(),
		`Download of bulk export file ${job.fileName} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${(e as Error)?.message ?? String(e)}`,
		{
			itemIndex,
			description:
				'The connection broke while the file was streaming. Try again later, or raise "File Retries".',
		},
	);
}

async function withRetries<R>(
	ctx: Ctx,
	job: FileJob,
	o: DownloadOptions,
	once: () => Promise<R>,
): Promise<R> {
	const signal = ctx.getExecutionCancelSignal?.();
	for (let attempt = 1; ; attempt++) {
		try {
			return await once();
		} catch (caught) {
			const e = scrubFileError(caught, job.entry.url);
			if (signal?.aborted || !retryable(e) || attempt > o.fileRetries)
				throw scrubFileError(fileError(ctx, job, e, attempt, o.itemIndex), job.entry.url);
			ctx.logger.warn(
				`Bulk export: download of ${job.fileName} failed (${(e as Error).message}); retry ${attempt} of ${o.fileRetries}`,
			);
			await abortableSleep(Math.min(500 * 2 ** (attempt - 1), 8000), signal);
		}
	}
}

function checker(job: FileJob, o: DownloadOptions, onLine?: (line: Buffer) => void): NdjsonChecker {
	// an error entry's count is the failed file's (IG servers differ), so an error file is not counted
	const count =
		typeof job.entry.count === 'number' && job.kind !== 'error' ? job.entry.count : undefined;
	return new NdjsonChecker({
		fileName: job.fileName,
		expectedType: job.kind === 'output' ? job.entry.type : undefined,
		expectedCount: count,
		validate: o.validate,
		onLine,
		maxLineBytes: o.maxLineBytes,
		maxBytes: o.maxFileBytes,
	});
}

/** Collects the issues of an error file's OperationOutcome lines (at most MAX_ISSUES). */
function issueCollector(issues: IDataObject[]): (line: Buffer) => void {
	return (line) => {
		if (issues.length >= MAX_ISSUES) return;
		let r: unknown;
		try {
			r = JSON.parse(line.toString('utf8'));
		} catch {
			return;
		}
		if (!isRecord(r) || !Array.isArray(r.issue)) return;
		for (const i of r.issue) {
			if (!isRecord(i) || issues.length >= MAX_ISSUES) continue;
			const text =
				isRecord(i.details) && typeof i.details.text === 'string' ? i.details.text : undefined;
			issues.push({
				severity: i.severity ?? null,
				code: i.code ?? null,
				diagnostics: i.diagnostics ?? text ?? null,
			} as IDataObject);
		}
	};
}

/**
 * Runs `fn` over the files in a pool of `concurrency`; a file that fails becomes a FailedFile
 * and the others go on. A stopped execution, or an error `fatal` picks, still stops everything.
 */
export async function downloadEach<R>(
	ctx: Ctx,
	jobs: FileJob[],
	concurrency: number,
	fn: (job: FileJob) => Promise<R>,
	fatal: (e: unknown) => boolean = () => false,
): Promise<Array<R | FailedFile>> {
	const signal = ctx.getExecutionCancelSignal?.();
	return await runPool(jobs, concurrency, async (job): Promise<R | FailedFile> => {
		let failure: unknown;
		try {
			return await fn(job);
		} catch (e) {
			failure = e;
		}
		if (signal?.aborted || fatal(failure)) throw failure;
		const error = scrubFileError(
			failure instanceof Error ? failure : new Error(String(failure)),
			job.entry.url,
		);
		ctx.logger.warn(
			`Bulk export: ${job.kind} file ${job.fileName} (${redactUrl(job.entry.url)}) was not delivered: ${error.message}`,
		);
		return { ...job, error };
	});
}

export function isFailedFile(f: object): f is FailedFile {
	return (f as FailedFile).error instanceof Error;
}

/**
 * Streams one file into n8n's binary data store. The checker only watches the chunks on their
 * way and destroys the stream on the first bad line.
 */
export async function downloadToBinary(
	ctx: Ctx,
	credentialType: string,
	job: FileJob,
	manifest: BulkManifest,
	o: DownloadOptions,
): Promise<DownloadedFile> {
	return await withRetries(ctx, job, o, async () => {
		const body = await openFile(ctx, credentialType, job, manifest, o);
		const issues: IDataObject[] = [];
		const check = checker(job, o, job.kind === 'error' ? issueCollector(issues) : undefined);
		let bad: unknown;
		observeChunks(body, (chunk) => {
			if (bad) return;
			try {
				check.write(chunk);
			} catch (e) {
				bad = e;
				body.destroy(e as Error);
			}
		});
		let binary: IBinaryData;
		try {
			binary = await ctx.helpers.prepareBinaryData(
				body as unknown as Parameters<Ctx['helpers']['prepareBinaryData']>[0],
				job.fileName,
				'application/fhir+ndjson',
			);
		} catch (e) {
			throw bad ?? e;
		}
		if (bad) throw bad;
		if (!body.readableEnded) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Download of bulk export file ${job.fileName} stopped before its end`,
				{
					itemIndex: o.itemIndex,
				},
			);
		}
		check.end();
		return {
			...job,
			lines: check.lines,
			bytes: check.bytes,
			binary,
			...(check.countMismatch ? { countMismatch: check.countMismatch } : {}),
			...(job.kind === 'error' ? { issues } : {}),
		};
	});
}

/**
 * Calls `onChunk` for every chunk the stream hands to whoever consumes it, without becoming a
 * consumer: no 'data' listener (which would start the flow before n8n's binary data store is
 * attached) and no pause() (after an explicit pause a later 'data' listener never resumes the
 * stream, and n8n's database binary mode — the default in queue mode — reads with one). Both
 * pipe() and read() deliver chunks through emit('data').
 */
function observeChunks(stream: ByteStream, onChunk: (chunk: Buffer) => void): void {
	const emit = stream.emit.bind(stream) as (event: string | symbol, ...args: unknown[]) => boolean;
	(stream as unknown as { emit: typeof emit }).emit = (event, ...args) => {
		if (event === 'data') onChunk(args[0] as Buffer);
		return emit(event, ...args);
	};
}

/** Streams one file and hands every resource to `onResource` (resources mode). */
export async function downloadResources(
	ctx: Ctx,
	credentialType: string,
	job: FileJob,
	manifest: BulkManifest,
	o: DownloadOptions,
	onResource: (resource: Record<string, unknown>) => void,
	limit?: { remaining: () => number; error: () => Error },
): Promise<DownloadedFile> {
	// resources are handed on only once the whole file checked out, so a retry never duplicates;
	// `limit` stops reading (and holding) a file once it has more resources than may still be
	// output, so a file without a manifest count cannot fill the memory
	return await withRetries(ctx, job, o, async () => {
		const parsed: Array<Record<string, unknown>> = [];
		const body = await openFile(ctx, credentialType, job, manifest, o);
		const check = checker(job, o, (line) => {
			if (limit && parsed.length >= limit.remaining()) throw limit.error();
			try {
				parsed.push(JSON.parse(line.toString('utf8')) as Record<string, unknown>);
			} catch {
				throw check.fail(`line ${check.lines} is not valid JSON`);
			}
		});
		try {
			for await (const chunk of body) check.write(chunk as Buffer);
		} finally {
			if (!body.destroyed) body.destroy();
		}
		check.end();
		for (const r of parsed) onResource(r);
		return {
			...job,
			lines: check.lines,
			bytes: check.bytes,
			...(check.countMismatch ? { countMismatch: check.countMismatch } : {}),
		};
	});
}
