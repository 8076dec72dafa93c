// Output shaping of a finished export, by the Output parameter: one item with the manifest, one
// item per file (the NDJSON streamed into binary data), or one item per resource. A file that
// fails (truncated, too large, an HTTP error after its retries) becomes an item of its own with
// `error` and `description`, so the good files are always delivered; a line count other than the
// manifest's is a `countMismatch` warning on the file's item.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { completeManifest } from '../../shared/bulk/status';
import {
	downloadEach,
	downloadResources,
	downloadToBinary,
	fileJobs,
	isFailedFile,
	type FailedFile,
	type FileJob,
	type FileKind,
} from '../../shared/bulk/download';
import { assertTokenOrigins } from '../../shared/bulk/origin';
import { redactUrl } from '../../shared/bulk/redact';
import type { BulkManifest } from '../../shared/bulk/types';
import { isRecord, str } from '../../shared/values';
import { readRunOptions, type RunOptions } from './params';

/** How many files of each kind and how many resources the manifest lists. */
export function manifestSummary(m: BulkManifest): IDataObject {
	const resources = m.output.reduce((a, e) => a + (typeof e.count === 'number' ? e.count : 0), 0);
	return {
		outputFiles: m.output.length,
		errorFiles: m.error.length,
		deletedFiles: m.deleted.length,
		resources,
	};
}

/** The whole manifest: partial manifests (`link` next) followed and merged. */
export async function fullManifest(
	fn: IExecuteFunctions,
	credentialType: string,
	first: BulkManifest,
	statusUrl: string,
	i: number,
	run: RunOptions = readRunOptions(fn, i),
): Promise<BulkManifest> {
	return await completeManifest(fn, credentialType, first, statusUrl, i, run.poll);
}

/** Refuses a manifest entry without a usable file URL (it would be skipped: a file lost without a word). */
function assertFileUrls(
	fn: IExecuteFunctions,
	manifest: BulkManifest,
	kinds: FileKind[],
	i: number,
): void {
	for (const kind of kinds) {
		(manifest[kind] ?? []).forEach((entry, n) => {
			const e: IDataObject = isRecord(entry) ? entry : {};
			if (/^https?:\/\//i.test(str(e.url) ?? '')) return;
			const type = typeof e.type === 'string' ? ` (${e.type})` : '';
			throw new NodeOperationError(
				fn.getNode(),
				`The bulk export manifest's ${kind} entry ${n + 1}${type} has no file URL, so its file cannot be downloaded`,
				{
					itemIndex: i,
					description:
						"The server returned a broken manifest: run the export again; if it keeps happening, report it to the server's operator.",
				},
			);
		});
	}
}

/** What every file item says of its file. */
function fileFields(f: FileJob, manifest: BulkManifest, extra: IDataObject): IDataObject {
	return {
		...extra,
		kind: f.kind,
		type: f.entry.type,
		url: f.entry.url,
		count: typeof f.entry.count === 'number' ? f.entry.count : null,
		fileName: f.fileName,
		transactionTime: manifest.transactionTime,
	};
}

/** The item of a file that was not delivered: what the file is, and its error. */
function failedFileItem(
	f: FailedFile,
	manifest: BulkManifest,
	extra: IDataObject,
	i: number,
): INodeExecutionData {
	const description = (f.error as Error & { description?: unknown }).description;
	return {
		json: {
			...fileFields(f, manifest, extra),
			error: f.error.message,
			...(typeof description === 'string' && description ? { description } : {}),
		},
		pairedItem: { item: i },
	};
}

function warnCountMismatch(
	fn: IExecuteFunctions,
	f: {
		fileName: string;
		entry: { url: string };
		countMismatch?: { manifest: number; lines: number };
	},
): void {
	if (!f.countMismatch) return;
	fn.logger.warn(
		`Bulk export: ${f.fileName} (${redactUrl(f.entry.url)}) has ${f.countMismatch.lines} lines but the manifest says ${f.countMismatch.manifest}; delivered with countMismatch`,
	);
}

/** Resources output: one item per resource, refused past Max Items (before reading more than that). */
async function resourceItems(
	fn: IExecuteFunctions,
	credentialType: string,
	manifest: BulkManifest,
	jobs: FileJob[],
	run: RunOptions,
	i: number,
): Promise<INodeExecutionData[]> {
	const maxItems = fn.getNodeParameter('maxItems', i, 10000) as number;
	const listed = jobs.reduce(
		(a, j) => a + (typeof j.entry.count === 'number' ? j.entry.count : 0),
		0,
	);
	const tooMany = () =>
		new NodeOperationError(
			fn.getNode(),
			`The export has more than ${maxItems} resources (the Max Items limit of the Resources output)`,
			{
				itemIndex: i,
				description: `Choose Output "Files (Binary NDJSON)" for large exports, narrow the export (types, Since, a group), or raise Max Items.${listed ? ` The manifest lists ${listed} resources.` : ''}`,
			},
		);
	if (listed > maxItems) throw tooMany();
	const items: INodeExecutionData[] = [];
	const limitErrors = new WeakSet<object>();
	const limitError = () => {
		const e = tooMany();
		limitErrors.add(e);
		return e;
	};
	const files = await downloadEach(
		fn,
		jobs,
		run.download.concurrency,
		async (job) =>
			await downloadResources(
				fn,
				credentialType,
				job,
				manifest,
				run.download,
				(resource) => {
					if (items.length >= maxItems) throw limitError();
					items.push({ json: { ...(resource as IDataObject) }, pairedItem: { item: i } });
				},
				{ remaining: () => maxItems - items.length, error: limitError },
			),
		(e) => typeof e === 'object' && e !== null && limitErrors.has(e),
	);
	for (const f of files) {
		if (isFailedFile(f)) items.push(failedFileItem(f, manifest, {}, i));
		else warnCountMismatch(fn, f);
	}
	return items;
}

/** Files output: one item per file with its NDJSON in binary data. */
async function fileItems(
	fn: IExecuteFunctions,
	credentialType: string,
	manifest: BulkManifest,
	jobs: FileJob[],
	run: RunOptions,
	extra: IDataObject,
	i: number,
): Promise<INodeExecutionData[]> {
	if (jobs.length === 0) {
		// nothing to download (a _since run with nothing new): still one item, so the workflow can
		// keep the transactionTime as the next _since and the nodes after this one run
		return [
			{
				json: {
					...extra,
					kind: 'empty',
					files: 0,
					transactionTime: manifest.transactionTime,
					request: manifest.request,
				},
				pairedItem: { item: i },
			},
		];
	}
	const files = await downloadEach(
		fn,
		jobs,
		run.download.concurrency,
		async (job) => await downloadToBinary(fn, credentialType, job, manifest, run.download),
	);
	return files.map((f) => {
		if (isFailedFile(f)) return failedFileItem(f, manifest, extra, i);
		warnCountMismatch(fn, f);
		return {
			json: {
				...fileFields(f, manifest, extra),
				lines: f.lines,
				bytes: f.bytes,
				...(f.countMismatch ? { countMismatch: f.countMismatch } : {}),
				...(f.issues ? { issues: f.issues } : {}),
			},
			binary: f.binary ? { [run.binaryPropertyName]: f.binary } : undefined,
			pairedItem: { item: i },
		};
	});
}

/** Turns a finished export's manifest into output items according to the output mode. */
export async function outputForManifest(
	fn: IExecuteFunctions,
	credentialType: string,
	manifest: BulkManifest,
	extra: IDataObject,
	i: number,
	run: RunOptions = readRunOptions(fn, i),
): Promise<INodeExecutionData[]> {
	const mode = fn.getNodeParameter('outputMode', i, 'files') as string;
	if (mode === 'manifest') {
		return [
			{
				json: {
					...extra,
					transactionTime: manifest.transactionTime,
					...manifestSummary(manifest),
					manifest: manifest as unknown as IDataObject,
				},
				pairedItem: { item: i },
			},
		];
	}
	const kinds: FileKind[] = [
		'output',
		...(run.includeErrors ? (['error'] as const) : []),
		...(run.includeDeleted ? (['deleted'] as const) : []),
	];
	assertFileUrls(fn, manifest, kinds, i);
	const jobs = fileJobs(manifest, kinds);
	if (manifest.requiresAccessToken === true) {
		// every file on the FHIR server's origin, or nothing is sent (the token never leaves it)
		const targets = jobs.map((j) => ({
			url: j.entry.url,
			what: `Download of bulk export file ${j.fileName} (requiresAccessToken: true)`,
		}));
		await assertTokenOrigins(fn, credentialType, targets, i);
	}
	for (const e of manifest.error)
		fn.logger.warn(
			`Bulk export: the server reported errors in ${redactUrl(String(e.url))}${typeof e.count === 'number' ? ` (${e.count})` : ''}`,
		);
	if (mode === 'resources') return await resourceItems(fn, credentialType, manifest, jobs, run, i);
	return await fileItems(fn, credentialType, manifest, jobs, run, extra, i);
}
