// FHIR Bulk Data Access (IG v2) on eMedicalPractice (`/emp/fhir/r4`) and the generic SMART server
// (`/smart/fhir`): kick-off at system, Patient and Group level, status polling, manifest (optionally
// partial, with `link` next), NDJSON files (behind the token on the main origin, or tokenless on
// the files origin), gzip, cancel, error and deleted files, and the route faults
// `transient-5xx` and `truncate-ndjson`. Options: SandboxOptions.bulk (see bulk-jobs.ts) or at run
// time through POST /_admin/bulk/options; GET /_admin/bulk/jobs lists jobs.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import type { SandboxApp } from '../app';
import { sendFhir, sendJson, type SandboxRequest } from '../http';
import { scopeAllows } from '../tokens';
import { datasetFor } from '../data';
import {
	ParamError,
	pairsFromParameters,
	pairsFromQuery,
	parseExportParams,
	type Level,
} from './bulk-params';
import {
	DEFAULT_BULK_OPTIONS,
	DEFAULT_GROUPS,
	generateJob,
	newJobDir,
	removeJobFiles,
	type BulkFile,
	type BulkJob,
	type BulkOptions,
} from './bulk-jobs';

const BASES = { emp: '/emp/fhir/r4', smart: '/smart/fhir' } as const;
type BulkSurface = keyof typeof BASES;

interface BulkState {
	jobs: Map<string, BulkJob>;
	options: BulkOptions;
}

function outcome(code: string, diagnostics: string, severity = 'error') {
	return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

export function bulkState(app: SandboxApp): BulkState {
	return app.state.bulk as BulkState;
}

export function register(app: SandboxApp): void {
	app.onReset(() => {
		const old = app.state.bulk as BulkState | undefined;
		if (old)
			for (const job of old.jobs.values()) {
				job.status = 'cancelled';
				removeJobFiles(job);
			}
		app.state.bulk = {
			jobs: new Map(),
			options: { ...DEFAULT_BULK_OPTIONS, ...((app.options.bulk as Partial<BulkOptions>) ?? {}) },
		} satisfies BulkState;
	});

	for (const surface of Object.keys(BASES) as BulkSurface[]) {
		const base = BASES[surface];
		for (const method of ['GET', 'POST']) {
			app.route(method, `${base}/$export`, surface, (req, res) =>
				kickOff(app, surface, 'system', req, res),
			);
			app.route(method, `${base}/Patient/$export`, surface, (req, res) =>
				kickOff(app, surface, 'patient', req, res),
			);
			app.route(method, `${base}/Group/:id/$export`, surface, (req, res) =>
				kickOff(app, surface, 'group', req, res),
			);
		}
		app.route('GET', `${base}/$bulkdata-status`, surface, (req, res) =>
			status(app, surface, req, res),
		);
		app.route('DELETE', `${base}/$bulkdata-status`, surface, (req, res) =>
			cancel(app, surface, req, res),
		);
		app.route('GET', `${base}/bulkfiles/:job/:file`, surface, (req, res) => {
			const job = bulkState(app).jobs.get(req.params.job);
			const file = job?.files.find((f) => f.name === req.params.file);
			const tok = app.requireBearer(req, res, surface, (scopes) =>
				['system/Binary.read', 'system/*.read', ...(file ? [`system/${file.type}.read`] : [])].some(
					(n) => scopeAllows(scopes, n),
				),
			);
			if (!tok) return;
			if (
				!job ||
				job.surface !== surface ||
				job.status !== 'completed' ||
				!file ||
				!job.options.requiresAccessToken ||
				job.clientId !== tok.clientId
			) {
				return sendFhir(
					res,
					404,
					outcome('not-found', `No export file ${req.params.file} for job ${req.params.job}.`),
				);
			}
			return serveFile(app, req, res, file);
		});
	}
	// tokenless files on the second origin (requiresAccessToken: false)
	app.route(
		'GET',
		'/bulkfiles/:surface/:job/:file',
		'files',
		(req, res) => {
			const job = bulkState(app).jobs.get(req.params.job);
			const file = job?.files.find((f) => f.name === req.params.file);
			if (
				!job ||
				job.surface !== req.params.surface ||
				job.status !== 'completed' ||
				!file ||
				job.options.requiresAccessToken
			) {
				return sendFhir(
					res,
					404,
					outcome('not-found', `No export file ${req.params.file} for job ${req.params.job}.`),
				);
			}
			return serveFile(app, req, res, file);
		},
		'files',
	);

	app.route('GET', '/_admin/bulk/jobs', 'admin', (_req, res) =>
		sendJson(res, 200, {
			jobs: [...bulkState(app).jobs.values()].map((j) => ({
				id: j.id,
				surface: j.surface,
				level: j.level,
				groupId: j.groupId,
				clientId: j.clientId,
				method: j.method,
				requestUrl: j.requestUrl,
				status: j.status,
				polls: j.polls,
				generated: j.generated,
				params: j.params,
				files: j.files.map((f) => ({
					name: f.name,
					type: f.type,
					kind: f.kind,
					count: f.count,
					bytes: f.bytes,
					gzPath: f.gzPath,
					gzBytes: f.gzBytes,
				})),
			})),
		}),
	);
	app.route('POST', '/_admin/bulk/options', 'admin', (req, res) => {
		const st = bulkState(app);
		st.options = { ...st.options, ...(req.json<Partial<BulkOptions>>() ?? {}) };
		sendJson(res, 200, { options: st.options });
	});
	app.route('GET', '/_admin/bulk/options', 'admin', (_req, res) =>
		sendJson(res, 200, { options: bulkState(app).options }),
	);
}

const EXPORT_SCOPES = (level: Level) => (scopes: string[]) =>
	[
		'system/*.$export',
		`system/${level === 'group' ? 'Group' : level === 'patient' ? 'Patient' : '*'}.$export`,
		'system/*.read',
	].some((n) => scopeAllows(scopes, n));
const STATUS_SCOPES = (scopes: string[]) =>
	['system/*.$bulkdata-status', 'system/*.$export', 'system/*.read'].some((n) =>
		scopeAllows(scopes, n),
	);

async function kickOff(
	app: SandboxApp,
	surface: BulkSurface,
	level: Level,
	req: SandboxRequest,
	res: ServerResponse,
): Promise<void> {
	const tok = app.requireBearer(req, res, surface, EXPORT_SCOPES(level));
	if (!tok) return;
	const accept = String(req.headers.accept ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	if (accept !== 'application/fhir+json') {
		return sendFhir(
			res,
			400,
			outcome(
				'not-supported',
				`The kick-off request needs "Accept: application/fhir+json"; got "${req.headers.accept ?? '(none)'}".`,
			),
		);
	}
	const prefer = String(req.headers.prefer ?? '')
		.split(',')
		.map((s) => s.trim().toLowerCase());
	if (!prefer.includes('respond-async')) {
		return sendFhir(
			res,
			400,
			outcome('not-supported', 'The kick-off request needs "Prefer: respond-async".'),
		);
	}
	const lenient = prefer.includes('handling=lenient');
	const st = bulkState(app);
	const groupId = level === 'group' ? req.params.id : undefined;
	if (groupId !== undefined && !(st.options.groups ?? DEFAULT_GROUPS)[groupId]) {
		return sendFhir(
			res,
			404,
			outcome('not-found', `Group/${groupId} is not known to this server.`),
		);
	}
	let params;
	try {
		let pairs;
		if (req.method === 'POST') {
			const ct = String(req.headers['content-type'] ?? '');
			if (!/application\/(fhir\+)?json/.test(ct))
				throw new ParamError('A POST kick-off needs Content-Type: application/fhir+json.', 415);
			pairs = pairsFromParameters(req.json());
			if ([...req.query.keys()].length > 0)
				throw new ParamError('A POST kick-off takes its parameters in the body, not in the URL.');
		} else {
			pairs = pairsFromQuery(req.query);
		}
		params = parseExportParams(pairs, { level, method: req.method, lenient });
	} catch (e) {
		if (e instanceof ParamError) return sendFhir(res, e.status, outcome(e.code, e.message));
		throw e;
	}
	const { id, dir } = newJobDir();
	const job: BulkJob = {
		id,
		surface,
		fhirBase: BASES[surface],
		level,
		groupId,
		clientId: tok.clientId,
		requestUrl: app.url(req.path + req.url.search),
		method: req.method,
		params,
		options: { ...st.options },
		transactionTime: new Date(app.clock.now()).toISOString(),
		status: 'in-progress',
		polls: 0,
		generated: false,
		dir,
		files: [],
	};
	st.jobs.set(id, job);
	job.done = generateJob(datasetFor(app), job, () => job.status === 'cancelled')
		.then(() => {
			job.generated = true;
		})
		.catch((err: Error) => {
			if (job.status === 'cancelled') return;
			job.status = 'failed';
			job.failure = err.message;
		});
	sendFhir(
		res,
		202,
		outcome('informational', 'Export started; poll the Content-Location URL.', 'information'),
		{
			'Content-Location': app.url(`${BASES[surface]}/$bulkdata-status?job=${id}`),
		},
	);
}

function findJob(
	app: SandboxApp,
	surface: BulkSurface,
	req: SandboxRequest,
	clientId: string,
): BulkJob | undefined {
	const job = bulkState(app).jobs.get(req.query.get('job') ?? '');
	if (!job || job.surface !== surface || job.status === 'cancelled' || job.clientId !== clientId)
		return undefined;
	return job;
}

function retryAfter(app: SandboxApp, o: BulkOptions): Record<string, string> {
	switch (o.retryAfterStyle) {
		case 'none':
			return {};
		case 'http-date':
			return {
				'Retry-After': new Date(app.clock.now() + o.retryAfterSeconds * 1000).toUTCString(),
			};
		case 'absurd':
			return { 'Retry-After': '86400' };
		case 'absurd-date':
			return { 'Retry-After': String(Math.floor(app.clock.now() / 1000)) };
		default:
			return { 'Retry-After': String(o.retryAfterSeconds) };
	}
}

function status(
	app: SandboxApp,
	surface: BulkSurface,
	req: SandboxRequest,
	res: ServerResponse,
): void {
	const tok = app.requireBearer(req, res, surface, STATUS_SCOPES);
	if (!tok) return;
	const job = findJob(app, surface, req, tok.clientId);
	if (!job)
		return sendFhir(
			res,
			404,
			outcome(
				'not-found',
				`No export job "${req.query.get('job') ?? ''}" (finished and deleted, cancelled, or never started).`,
			),
		);
	const fault = app.takeFault(req, 'transient-5xx');
	if (fault) {
		return sendFhir(
			res,
			fault.status ?? 503,
			outcome('transient', 'The export service is busy; try again shortly.'),
			fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
		);
	}
	if (job.status === 'failed') {
		return sendFhir(
			res,
			500,
			outcome('exception', `The export failed: ${job.failure ?? 'unknown error'}.`),
		);
	}
	const page = Number(req.query.get('page') ?? 1);
	if (page === 1) job.polls++;
	if (!job.generated || job.polls <= job.options.pollsBeforeDone) {
		const pct = Math.min(99, Math.round((job.polls / (job.options.pollsBeforeDone + 1)) * 100));
		res.writeHead(202, {
			'X-Progress': `${pct}% complete (${job.generated ? 'files ready' : 'writing files'})`,
			...retryAfter(app, job.options),
			'Content-Length': '0',
		});
		res.end();
		return;
	}
	job.status = 'completed';
	sendJson(res, 200, manifest(app, job, page), {
		Expires: new Date(app.clock.now() + 3600_000).toUTCString(),
	});
}

function fileUrl(app: SandboxApp, job: BulkJob, f: BulkFile): string {
	return job.options.requiresAccessToken
		? app.url(`${job.fhirBase}/bulkfiles/${job.id}/${f.name}`)
		: app.filesUrl(`/bulkfiles/${job.surface}/${job.id}/${f.name}`);
}

function manifest(app: SandboxApp, job: BulkJob, page: number): Record<string, unknown> {
	const outputs = job.files.filter((f) => f.kind === 'output');
	const skew = job.options.manifestCountSkew ?? 0;
	const entry = (f: BulkFile, i: number, list: BulkFile[]) => {
		const e: Record<string, unknown> = {
			type: f.type,
			url: fileUrl(app, job, f),
			count: f.count + (i === 0 ? skew : 0),
		};
		const next = list[i + 1];
		if (job.options.manifestExtras && next && next.type === f.type)
			e.continuesInFile = fileUrl(app, job, next);
		return e;
	};
	const all = outputs.map(entry);
	const size = job.options.manifestPageSize;
	const pages = size > 0 ? Math.max(1, Math.ceil(all.length / size)) : 1;
	const p = Math.min(Math.max(1, page), pages);
	const m: Record<string, unknown> = {
		transactionTime: job.transactionTime,
		request: job.requestUrl,
		requiresAccessToken: job.options.requiresAccessToken,
		output: size > 0 ? all.slice((p - 1) * size, p * size) : all,
		deleted:
			p === 1
				? job.files
						.filter((f) => f.kind === 'deleted')
						.map((f) => ({ type: f.type, url: fileUrl(app, job, f), count: f.count }))
				: [],
		error:
			p === 1
				? job.files
						.filter((f) => f.kind === 'error')
						.map((f) => ({ type: f.type, url: fileUrl(app, job, f), count: f.count + skew }))
				: [],
	};
	if (p < pages)
		m.link = [
			{
				relation: 'next',
				url: app.url(`${job.fhirBase}/$bulkdata-status?job=${job.id}&page=${p + 1}`),
			},
		];
	if (job.options.manifestExtras) {
		m.extension = {
			'https://ehr-sandbox.example.org/bulk/generator': 'n8n-nodes-ehr sandbox',
			'https://ehr-sandbox.example.org/bulk/page': p,
		};
	}
	return m;
}

function cancel(
	app: SandboxApp,
	surface: BulkSurface,
	req: SandboxRequest,
	res: ServerResponse,
): void {
	const tok = app.requireBearer(req, res, surface, STATUS_SCOPES);
	if (!tok) return;
	const job = findJob(app, surface, req, tok.clientId);
	if (!job)
		return sendFhir(
			res,
			404,
			outcome('not-found', `No export job "${req.query.get('job') ?? ''}" to cancel.`),
		);
	job.status = 'cancelled';
	removeJobFiles(job);
	sendFhir(
		res,
		202,
		outcome('informational', 'The export job was cancelled and its files deleted.', 'information'),
	);
}

/** Streams one file: transient-5xx, truncate-ndjson faults; gzip when the client accepts it. */
async function serveFile(
	app: SandboxApp,
	req: SandboxRequest,
	res: ServerResponse,
	file: BulkFile,
): Promise<void> {
	const fault = app.takeFault(req, 'transient-5xx');
	if (fault)
		return sendFhir(
			res,
			fault.status ?? 503,
			outcome('transient', 'The file store is busy; try again shortly.'),
		);
	let end = file.bytes - 1;
	if (app.takeFault(req, 'truncate-ndjson')) {
		// cut in the middle of a line: a position whose previous byte is not a newline
		let pos = Math.max(2, Math.floor(file.bytes / 2));
		const fd = openSync(file.path, 'r');
		const b = Buffer.alloc(1);
		while (pos < file.bytes - 1) {
			readSync(fd, b, 0, 1, pos - 1);
			if (b[0] !== 0x0a) break;
			pos++;
		}
		closeSync(fd);
		end = pos - 1;
	}
	const gzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
	// a file gzip'd at generation goes out as it is (not when a fault cut it short)
	const ready = gzip && file.gzPath !== undefined && end === file.bytes - 1;
	const headers: Record<string, string> = { 'Content-Type': 'application/fhir+ndjson' };
	if (gzip) headers['Content-Encoding'] = 'gzip';
	if (ready) headers['Content-Length'] = String(file.gzBytes);
	else if (!gzip) headers['Content-Length'] = String(end + 1);
	res.writeHead(200, headers);
	if (file.bytes === 0 && !ready) {
		res.end();
		return;
	}
	const rate = bulkState(app).options.fileBytesPerSecond;
	const src = createReadStream(
		ready ? file.gzPath! : file.path,
		ready
			? { highWaterMark: rate > 0 ? 64 * 1024 : 256 * 1024 }
			: { start: 0, end, highWaterMark: rate > 0 ? 64 * 1024 : 256 * 1024 },
	);
	// a remote server's per-connection bandwidth (fileBytesPerSecond): pace the chunks
	const paced = async function* (source: AsyncIterable<Buffer>) {
		const t0 = Date.now();
		let sent = 0;
		for await (const chunk of source) {
			sent += chunk.length;
			const due = t0 + (sent / rate) * 1000 - Date.now();
			if (due > 0) await new Promise((r) => setTimeout(r, due));
			yield chunk;
		}
	};
	try {
		if (ready) {
			if (rate > 0) await pipeline(src, paced, res);
			else await pipeline(src, res);
		} else if (rate > 0) {
			if (gzip) await pipeline(src, paced, createGzip({ level: 1 }), res);
			else await pipeline(src, paced, res);
		} else if (gzip) await pipeline(src, createGzip({ level: 1 }), res);
		else await pipeline(src, res);
	} catch {
		res.destroy();
	}
}
