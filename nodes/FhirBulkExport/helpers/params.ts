// Parameter readers of the FHIR Bulk Export operations: the export request, the polling and
// download options, the status URL and the manifest of a started export.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { patientReference } from '../../shared/bulk/kickoff';
import { normaliseManifest } from '../../shared/bulk/status';
import type {
	BulkManifest,
	DownloadOptions,
	ExportRequest,
	PollOptions,
} from '../../shared/bulk/types';
import { parseDate, str } from '../../shared/values';

/** A FHIR instant as written: date, `T`, hours and minutes (seconds optional), `Z` or `±hh:mm`. */
const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function csv(v: unknown): string[] {
	return String(v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

/**
 * An instant parameter (`_since`, `_until`): undefined when empty, else the text as given (a
 * Date as its ISO text). It must be a real date with a time and a time zone, written the FHIR
 * way; anything else is a NodeOperationError before any request.
 */
function instant(
	fn: IExecuteFunctions,
	v: unknown,
	field: string,
	itemIndex: number,
): string | undefined {
	const d = parseDate(v);
	if (d === undefined) return undefined;
	if (d === null || !d.hasTime || !d.hasZone || !FHIR_INSTANT.test(d.text)) {
		throw new NodeOperationError(
			fn.getNode(),
			`${field} "${d?.text ?? String(v).trim()}" is not a FHIR instant`,
			{
				itemIndex,
				description:
					"Use a date and time with a time zone, e.g. 2025-01-01T00:00:00Z (the manifest's transactionTime works as is).",
			},
		);
	}
	return d.text;
}

export function readExportRequest(fn: IExecuteFunctions, i: number): ExportRequest {
	const level = fn.getNodeParameter('level', i) as ExportRequest['level'];
	const o = fn.getNodeParameter('exportOptions', i, {}) as IDataObject;
	const types = [...(fn.getNodeParameter('types', i, []) as string[]), ...csv(o.moreTypes)];
	const extra = (((o.extraParameters as IDataObject)?.parameter as IDataObject[]) ?? [])
		.map((p) => ({
			name: String(p.name ?? '').trim(),
			value: String(p.value ?? ''),
		}))
		.filter((p) => p.name);
	const tf = o.typeFilters;
	return {
		level,
		groupId: level === 'group' ? String(fn.getNodeParameter('groupId', i, '')).trim() : undefined,
		types: [...new Set(types)],
		since: instant(fn, fn.getNodeParameter('since', i, ''), 'Since', i),
		until: instant(fn, o.until, 'Until', i),
		typeFilters: (Array.isArray(tf) ? tf : tf ? [tf] : [])
			.map((s) => String(s).trim())
			.filter(Boolean),
		elements: csv(o.elements),
		patients: csv(o.patients).map(patientReference),
		includeAssociatedData: (o.includeAssociatedData as string[]) ?? [],
		outputFormat:
			o.outputFormat === undefined
				? 'application/fhir+ndjson'
				: String(o.outputFormat).trim() || undefined,
		extra,
		method: ((o.method as string) ?? 'auto') as ExportRequest['method'],
	};
}

const MB = 1024 * 1024;

export interface RunOptions {
	poll: PollOptions;
	/** the largest status or manifest answer read (decompressed bytes) */
	maxResponseBytes: number;
	download: DownloadOptions;
	binaryPropertyName: string;
	includeErrors: boolean;
	includeDeleted: boolean;
	deleteAfterDownload: boolean;
}

export function readRunOptions(fn: IExecuteFunctions, i: number): RunOptions {
	const o = fn.getNodeParameter('options', i, {}) as IDataObject;
	const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
	const minWaitMs = num(o.minWait, 2) * 1000;
	const maxTotalMs = num(o.maxTotalWait, 3600) * 1000;
	// every request of the run ends by then: status checks, manifest pages, file downloads
	const deadlineAt = Date.now() + maxTotalMs;
	const maxResponseBytes = num(o.maxResponseSize, 64) * MB;
	return {
		poll: {
			minWaitMs,
			maxWaitMs: Math.max(minWaitMs, num(o.maxWait, 120) * 1000),
			maxTotalMs,
			deadlineAt,
			maxResponseBytes,
			maxTransientRetries: num(o.transientRetries, 5),
			cancelOnGiveUp: o.cancelOnGiveUp !== false,
			itemIndex: i,
		},
		download: {
			concurrency: Math.max(1, Math.min(16, num(o.concurrency, 4))),
			fileRetries: num(o.fileRetries, 2),
			validate: o.validate !== false,
			acceptGzip: o.acceptGzip !== false,
			maxLineBytes: num(o.maxLineSize, 16) * MB,
			maxFileBytes: num(o.maxFileSize, 1024) * MB,
			deadlineAt,
			itemIndex: i,
		},
		maxResponseBytes,
		binaryPropertyName: String(o.binaryPropertyName ?? 'data') || 'data',
		includeErrors: o.includeErrors !== false,
		includeDeleted: o.includeDeleted !== false,
		deleteAfterDownload: o.deleteAfterDownload !== false,
	};
}

/** The Status URL parameter (Check Export Status, Cancel Export): an http(s) URL. */
export function statusUrlOf(fn: IExecuteFunctions, i: number): string {
	const url = str(fn.getNodeParameter('statusUrl', i, '')) ?? '';
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(fn.getNode(), 'Status URL is missing or not a URL', {
			itemIndex: i,
			description: 'Pass the statusUrl that Start Export returned, e.g. {{ $json.statusUrl }}.',
		});
	}
	return url;
}

/** The Manifest parameter (Download Export Files): an object or its JSON text, with an "output" list. */
export function manifestOf(fn: IExecuteFunctions, i: number): BulkManifest {
	let raw = fn.getNodeParameter('manifest', i) as unknown;
	// a JSON text is parsed here, and a JSON text inside it (a manifest stringified twice) by
	// normaliseManifest
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			raw = undefined;
		}
	}
	const manifest = normaliseManifest(raw);
	if (!manifest) {
		throw new NodeOperationError(
			fn.getNode(),
			'Manifest is not a bulk export manifest (no "output" list)',
			{
				itemIndex: i,
				description:
					'Pass the manifest from Check Export Status, e.g. {{ JSON.stringify($json.manifest) }}.',
			},
		);
	}
	return manifest;
}
