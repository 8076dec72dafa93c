// Parameters shared by the FHIR Bulk Export actions: the export request, polling and download
// options, and the output modes (files as binary data, one item per resource, manifest only).
import { NodeOperationError, type IDataObject, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { patientReference } from '../../shared/bulk/kickoff';
import { completeManifest } from '../../shared/bulk/status';
import { downloadResources, downloadToBinary, fileJobs, runPool, type FileKind } from '../../shared/bulk/download';
import type { BulkManifest, Ctx, DownloadOptions, ExportRequest, PollOptions } from '../../shared/bulk/types';

export const COMMON_TYPES = [
	'AllergyIntolerance',
	'CarePlan',
	'CareTeam',
	'Condition',
	'Coverage',
	'Device',
	'DiagnosticReport',
	'DocumentReference',
	'Encounter',
	'Goal',
	'Immunization',
	'Location',
	'Medication',
	'MedicationRequest',
	'Observation',
	'Organization',
	'Patient',
	'Practitioner',
	'PractitionerRole',
	'Procedure',
	'Provenance',
];

const showFor = (operation: string[]) => ({ show: { operation } });

export const exportProperties: INodeProperties[] = [
	{
		displayName: 'Export Level',
		name: 'level',
		type: 'options',
		options: [
			{
				name: 'System (All Data)',
				value: 'system',
				description: '[base]/$export',
			},
			{
				name: 'All Patients',
				value: 'patient',
				description: '[base]/Patient/$export',
			},
			{
				name: 'Group',
				value: 'group',
				description: '[base]/Group/{ID}/$export',
			},
		],
		default: 'patient',
		displayOptions: showFor(['bulkExport', 'startExport']),
	},
	{
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. group-1',
		displayOptions: {
			show: { operation: ['bulkExport', 'startExport'], level: ['group'] },
		},
	},
	{
		displayName: 'Resource Types',
		name: 'types',
		type: 'multiOptions',
		options: COMMON_TYPES.map((t) => ({ name: t, value: t })),
		default: [],
		description: 'Resource types to export (_type). Empty = every type the server exports.',
		displayOptions: showFor(['bulkExport', 'startExport']),
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2025-01-01T00:00:00Z',
		description:
			"Only resources changed at or after this instant (_since). Use the previous run's transactionTime for incremental exports.",
		displayOptions: showFor(['bulkExport', 'startExport']),
	},
	{
		displayName: 'Export Options',
		name: 'exportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor(['bulkExport', 'startExport']),
		options: [
			{
				displayName: 'Elements',
				name: 'elements',
				type: 'string',
				default: '',
				placeholder: 'e.g. id,name,Immunization.vaccineCode',
				description: 'Comma-separated elements to include (_elements)',
			},
			{
				displayName: 'Extra Parameters',
				name: 'extraParameters',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Any other kick-off parameter as name and value',
				options: [
					{
						displayName: 'Parameter',
						name: 'parameter',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
							},
						],
					},
				],
			},
			{
				displayName: 'Include Associated Data',
				name: 'includeAssociatedData',
				type: 'multiOptions',
				options: [
					{
						name: 'Latest Provenance Resources',
						value: 'LatestProvenanceResources',
					},
					{
						name: 'Relevant Provenance Resources',
						value: 'RelevantProvenanceResources',
					},
				],
				default: [],
			},
			{
				displayName: 'Kick-Off Method',
				name: 'method',
				type: 'options',
				options: [
					{ name: 'Automatic (POST When Patients Are Given)', value: 'auto' },
					{ name: 'GET', value: 'GET' },
					{ name: 'POST (Parameters Body)', value: 'POST' },
				],
				default: 'auto',
			},
			{
				displayName: 'More Resource Types',
				name: 'moreTypes',
				type: 'string',
				default: '',
				placeholder: 'e.g. MedicationDispense,ServiceRequest',
				description: 'Comma-separated resource types not in the list above',
			},
			{
				displayName: 'Output Format',
				name: 'outputFormat',
				type: 'string',
				default: 'application/fhir+ndjson',
				description: 'Value of _outputFormat (empty = leave it out)',
			},
			{
				displayName: 'Patient References',
				name: 'patients',
				type: 'string',
				default: '',
				placeholder: 'e.g. Patient/123, Patient/456',
				description: 'Comma-separated patients to export (sent as patient parameters in a POST kick-off; Patient or Group level only)',
			},
			{
				displayName: 'Type Filters',
				name: 'typeFilters',
				type: 'string',
				typeOptions: { multipleValues: true },
				default: [],
				placeholder: 'e.g. Immunization?status=completed',
				description: 'FHIR search queries limiting a type (_typeFilter), one per entry',
			},
			{
				displayName: 'Until',
				name: 'until',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2025-06-30T23:59:59Z',
				description: 'Only resources changed at or before this instant (_until)',
			},
		],
	},
];

export const statusUrlProperty: INodeProperties = {
	displayName: 'Status URL',
	name: 'statusUrl',
	type: 'string',
	default: '={{ $json.statusUrl }}',
	required: true,
	description: 'The Content-Location URL returned by Start Export',
	displayOptions: showFor(['checkStatus', 'cancelExport']),
};

export const manifestProperty: INodeProperties = {
	displayName: 'Manifest',
	name: 'manifest',
	type: 'json',
	default: '={{ JSON.stringify($json.manifest) }}',
	required: true,
	description: 'The manifest returned by Check Export Status (an object with output, error, requiresAccessToken)',
	displayOptions: showFor(['downloadFiles']),
};

export const outputProperties: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'outputMode',
		type: 'options',
		options: [
			{
				name: 'Files (Binary NDJSON)',
				value: 'files',
				description:
					'One item per file, the NDJSON streamed into binary data; an export without files gives one item with kind "empty" and the transactionTime',
			},
			{
				name: 'Resources',
				value: 'resources',
				description: 'One item per FHIR resource (small exports only)',
			},
			{
				name: 'Manifest Only',
				value: 'manifest',
				description: 'One item with the manifest; download the files elsewhere',
			},
		],
		default: 'files',
		displayOptions: showFor(['bulkExport', 'downloadFiles']),
	},
	{
		displayName: 'Max Items',
		name: 'maxItems',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10000,
		description: 'Fail rather than output more resources than this (use Files output for large exports)',
		displayOptions: {
			show: {
				operation: ['bulkExport', 'downloadFiles'],
				outputMode: ['resources'],
			},
		},
	},
];

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: showFor(['bulkExport', 'downloadFiles', 'checkStatus']),
	options: [
		{
			displayName: 'Accept Gzip',
			name: 'acceptGzip',
			type: 'boolean',
			default: true,
			description: 'Whether to ask for gzip-compressed files (stored uncompressed)',
		},
		{
			displayName: 'Binary Property',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'Name of the binary property that holds each file',
		},
		{
			displayName: 'Check Files Against Manifest',
			name: 'validate',
			type: 'boolean',
			default: true,
			description: 'Whether to compare line counts with the manifest count and each resourceType with the file type',
		},
		{
			displayName: 'Concurrent Downloads',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 4,
		},
		{
			displayName: 'Delete Job After Download',
			name: 'deleteAfterDownload',
			type: 'boolean',
			default: true,
			description: 'Whether Bulk Export deletes the job on the server once its files are downloaded (not in Manifest Only output)',
		},
		{
			displayName: 'Delete Job When Giving Up',
			name: 'cancelOnGiveUp',
			type: 'boolean',
			default: true,
			description: 'Whether to delete the export job on the server on timeout or cancellation',
		},
		{
			displayName: 'File Retries',
			name: 'fileRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 2,
			description: 'Extra attempts for a file after a broken connection or a temporary server error',
		},
		{
			displayName: 'Include Deleted Files',
			name: 'includeDeleted',
			type: 'boolean',
			default: true,
			description: 'Whether to download the files listing deleted resources (transaction Bundles)',
		},
		{
			displayName: 'Include Error Files',
			name: 'includeErrors',
			type: 'boolean',
			default: true,
			description: 'Whether to download the error files (OperationOutcome NDJSON)',
		},
		{
			displayName: 'Maximum Total Wait (Seconds)',
			name: 'maxTotalWait',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 3600,
			description: 'Give up (and delete the job) when the export takes longer than this',
		},
		{
			displayName: 'Maximum Wait Between Checks (Seconds)',
			name: 'maxWait',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 120,
			description: 'Ceiling for Retry-After; larger values (hours, timestamps) are distrusted',
		},
		{
			displayName: 'Minimum Wait Between Checks (Seconds)',
			name: 'minWait',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 2,
			description: 'Floor for Retry-After',
		},
		{
			displayName: 'Transient Error Retries',
			name: 'transientRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5,
			description: 'Status checks answered with a temporary 5xx retried at most this many times in a row',
		},
	],
};

function csv(v: unknown): string[] {
	return String(v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function instant(ctx: Ctx, v: unknown, field: string, itemIndex: number): string | undefined {
	const s = typeof v === 'string' ? v.trim() : v instanceof Date ? v.toISOString() : '';
	if (!s) return undefined;
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) || Number.isNaN(Date.parse(s))) {
		throw new NodeOperationError(ctx.getNode(), `${field} "${s}" is not a FHIR instant`, {
			itemIndex,
			description: "Use a date and time with a time zone, e.g. 2025-01-01T00:00:00Z (the manifest's transactionTime works as is).",
		});
	}
	return s;
}

export function readExportRequest(ctx: Ctx, i: number): ExportRequest {
	const level = ctx.getNodeParameter('level', i) as ExportRequest['level'];
	const o = ctx.getNodeParameter('exportOptions', i, {}) as IDataObject;
	const types = [...(ctx.getNodeParameter('types', i, []) as string[]), ...csv(o.moreTypes)];
	const extra = (((o.extraParameters as IDataObject)?.parameter as IDataObject[]) ?? [])
		.map((p) => ({
			name: String(p.name ?? '').trim(),
			value: String(p.value ?? ''),
		}))
		.filter((p) => p.name);
	const tf = o.typeFilters;
	return {
		level,
		groupId: level === 'group' ? String(ctx.getNodeParameter('groupId', i, '')).trim() : undefined,
		types: [...new Set(types)],
		since: instant(ctx, ctx.getNodeParameter('since', i, ''), 'Since', i),
		until: instant(ctx, o.until, 'Until', i),
		typeFilters: (Array.isArray(tf) ? tf : tf ? [tf] : []).map((s) => String(s).trim()).filter(Boolean),
		elements: csv(o.elements),
		patients: csv(o.patients).map(patientReference),
		includeAssociatedData: (o.includeAssociatedData as string[]) ?? [],
		outputFormat: o.outputFormat === undefined ? 'application/fhir+ndjson' : String(o.outputFormat).trim() || undefined,
		extra,
		method: ((o.method as string) ?? 'auto') as ExportRequest['method'],
	};
}

export interface RunOptions {
	poll: PollOptions;
	download: DownloadOptions;
	binaryPropertyName: string;
	includeErrors: boolean;
	includeDeleted: boolean;
	deleteAfterDownload: boolean;
}

export function readRunOptions(ctx: Ctx, i: number): RunOptions {
	const o = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
	const minWaitMs = num(o.minWait, 2) * 1000;
	return {
		poll: {
			minWaitMs,
			maxWaitMs: Math.max(minWaitMs, num(o.maxWait, 120) * 1000),
			maxTotalMs: num(o.maxTotalWait, 3600) * 1000,
			maxTransientRetries: num(o.transientRetries, 5),
			cancelOnGiveUp: o.cancelOnGiveUp !== false,
			itemIndex: i,
		},
		download: {
			concurrency: Math.max(1, Math.min(16, num(o.concurrency, 4))),
			fileRetries: num(o.fileRetries, 2),
			validate: o.validate !== false,
			acceptGzip: o.acceptGzip !== false,
			itemIndex: i,
		},
		binaryPropertyName: String(o.binaryPropertyName ?? 'data') || 'data',
		includeErrors: o.includeErrors !== false,
		includeDeleted: o.includeDeleted !== false,
		deleteAfterDownload: o.deleteAfterDownload !== false,
	};
}

function manifestSummary(m: BulkManifest): IDataObject {
	const files = (list: BulkManifest['output']) => list.length;
	const resources = m.output.reduce((a, e) => a + (typeof e.count === 'number' ? e.count : 0), 0);
	return {
		outputFiles: files(m.output),
		errorFiles: files(m.error),
		deletedFiles: files(m.deleted),
		resources,
	};
}

/** Turns a finished export's manifest into output items according to the output mode. */
export async function outputForManifest(
	ctx: Ctx,
	credentialType: string,
	manifest: BulkManifest,
	extra: IDataObject,
	i: number,
): Promise<INodeExecutionData[]> {
	const mode = ctx.getNodeParameter('outputMode', i, 'files') as string;
	const run = readRunOptions(ctx, i);
	const paired = { item: i };
	if (mode === 'manifest') {
		return [
			{
				json: {
					...extra,
					transactionTime: manifest.transactionTime,
					...manifestSummary(manifest),
					manifest: manifest as unknown as IDataObject,
				},
				pairedItem: paired,
			},
		];
	}
	const kinds: FileKind[] = [
		'output',
		...(run.includeErrors ? (['error'] as FileKind[]) : []),
		...(run.includeDeleted ? (['deleted'] as FileKind[]) : []),
	];
	// an entry without a usable URL would be skipped: a file lost without a word
	for (const kind of kinds) {
		(manifest[kind] ?? []).forEach((entry, n) => {
			const url = (entry as { url?: unknown } | null)?.url;
			if (typeof url === 'string' && /^https?:\/\//i.test(url.trim())) return;
			const type = typeof (entry as { type?: unknown } | null)?.type === 'string' ? ` (${String(entry.type)})` : '';
			throw new NodeOperationError(ctx.getNode(), `The bulk export manifest's ${kind} entry ${n + 1}${type} has no file URL, so its file cannot be downloaded`, {
				itemIndex: i,
				description: 'The server returned a broken manifest: run the export again; if it keeps happening, report it to the server\'s operator.',
			});
		});
	}
	const jobs = fileJobs(manifest, kinds);
	for (const e of manifest.error)
		ctx.logger.warn(`Bulk export: the server reported errors in ${e.url}${typeof e.count === 'number' ? ` (${e.count})` : ''}`);
	if (mode === 'resources') {
		const maxItems = ctx.getNodeParameter('maxItems', i, 10000) as number;
		const listed = jobs.reduce((a, j) => a + (typeof j.entry.count === 'number' ? j.entry.count : 0), 0);
		const tooMany = () =>
			new NodeOperationError(
				ctx.getNode(),
				`The export has more than ${maxItems} resources (the Max Items limit of the Resources output)`,
				{
					itemIndex: i,
					description: `Choose Output "Files (Binary NDJSON)" for large exports, narrow the export (types, Since, a group), or raise Max Items.${listed ? ` The manifest lists ${listed} resources.` : ''}`,
				},
			);
		if (listed > maxItems) throw tooMany();
		const items: INodeExecutionData[] = [];
		await runPool(
			jobs,
			run.download.concurrency,
			async (job) =>
				await downloadResources(
					ctx,
					credentialType,
					job,
					manifest,
					run.download,
					(resource) => {
						if (items.length >= maxItems) throw tooMany();
						items.push({
							json: { ...(resource as IDataObject) },
							pairedItem: paired,
						});
					},
					{ remaining: () => maxItems - items.length, error: tooMany },
				),
		);
		return items;
	}
	if (jobs.length === 0) {
		// nothing to download (a _since run with nothing new): still one item, so the workflow can
		// keep the transactionTime as the next _since and the nodes after this one run
		return [
			{
				json: { ...extra, kind: 'empty', files: 0, transactionTime: manifest.transactionTime, request: manifest.request },
				pairedItem: paired,
			},
		];
	}
	const files = await runPool(
		jobs,
		run.download.concurrency,
		async (job) => await downloadToBinary(ctx, credentialType, job, manifest, run.download),
	);
	return files.map((f) => ({
		json: {
			...extra,
			kind: f.kind,
			type: f.entry.type,
			url: f.entry.url,
			count: typeof f.entry.count === 'number' ? f.entry.count : null,
			lines: f.lines,
			bytes: f.bytes,
			fileName: f.fileName,
			transactionTime: manifest.transactionTime,
		},
		binary: f.binary ? { [run.binaryPropertyName]: f.binary } : undefined,
		pairedItem: paired,
	}));
}

export async function fullManifest(
	ctx: Ctx,
	credentialType: string,
	first: BulkManifest,
	statusUrl: string,
	i: number,
): Promise<BulkManifest> {
	return await completeManifest(ctx, credentialType, first, statusUrl, i);
}
