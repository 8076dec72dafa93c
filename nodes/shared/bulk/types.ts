// Shapes of the FHIR Bulk Data Access IG v2 that the bulk helpers share.
import type { IExecuteFunctions } from 'n8n-workflow';

export type Ctx = IExecuteFunctions;

export type ExportLevel = 'system' | 'patient' | 'group';

export interface ManifestEntry {
	type: string;
	url: string;
	count?: number;
	[extra: string]: unknown;
}

export interface BulkManifest {
	transactionTime: string;
	request: string;
	requiresAccessToken: boolean;
	output: ManifestEntry[];
	error: ManifestEntry[];
	deleted: ManifestEntry[];
	link?: Array<{ relation: string; url: string }>;
	[extra: string]: unknown;
}

export interface ExportRequest {
	level: ExportLevel;
	groupId?: string;
	types: string[];
	since?: string;
	until?: string;
	typeFilters: string[];
	elements: string[];
	patients: string[];
	includeAssociatedData: string[];
	outputFormat?: string;
	extra: Array<{ name: string; value: string }>;
	/** GET unless patient references are given (or the user forces POST) */
	method: 'auto' | 'GET' | 'POST';
}

/** Bounds of the requests of one run: when Maximum Total Wait ends (epoch ms), the largest status or manifest answer. */
export interface RequestBounds {
	deadlineAt?: number;
	maxResponseBytes?: number;
}

export interface PollOptions extends RequestBounds {
	/** every wait is at least this long */
	minWaitMs: number;
	/** and at most this long (Retry-After above it is distrusted) */
	maxWaitMs: number;
	/** the whole polling gives up after this long */
	maxTotalMs: number;
	/** 5xx answers marked transient (or 502/503/504) retried at most this many times in a row */
	maxTransientRetries: number;
	/** DELETE the job on the server when giving up (timeout or cancel) */
	cancelOnGiveUp: boolean;
	itemIndex?: number;
}

export interface DownloadOptions extends Pick<RequestBounds, 'deadlineAt'> {
	concurrency: number;
	/** extra attempts for a file after a network failure or a transient status */
	fileRetries: number;
	/** compare line counts with the manifest `count` and resource types with `type` */
	validate: boolean;
	acceptGzip: boolean;
	/** an NDJSON line longer than this many bytes stops the file (default 16 MB) */
	maxLineBytes?: number;
	/** a file larger than this many bytes once decompressed stops the file (default: no limit) */
	maxFileBytes?: number;
	itemIndex?: number;
}
