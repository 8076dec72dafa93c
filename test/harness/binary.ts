// Binary data like n8n's filesystem mode: every prepareBinaryData call writes to a temp
// directory (streams are written chunk by chunk as n8n 2.41 does, never buffered whole) and the
// item keeps only a reference.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { IBinaryData } from 'n8n-workflow';

export const BINARY_MODE = 'filesystem-v2';
let dir: string | undefined;

/**
 * How prepareBinaryData consumes a stream: 'filesystem' iterates it into a file (n8n's default in
 * regular mode); 'database' reads it the way n8n's database mode (the default in queue mode)
 * does, with a 'data' listener collecting a buffer — a stream explicitly paused beforehand never
 * resumes there, which is what this mode lets tests catch.
 */
let streamMode: 'filesystem' | 'database' = 'filesystem';
export function setBinaryStreamMode(mode: 'filesystem' | 'database'): void {
	streamMode = mode;
}

function collectLikeN8nDatabaseMode(stream: Readable, idleMs = 5000): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let timer = setTimeout(
			() => reject(new Error(`stream produced no data for ${idleMs} ms`)),
			idleMs,
		);
		stream.on('data', (c: Buffer) => {
			chunks.push(c);
			clearTimeout(timer);
			timer = setTimeout(
				() => reject(new Error(`stream produced no data for ${idleMs} ms`)),
				idleMs,
			);
		});
		stream.once('end', () => {
			clearTimeout(timer);
			resolve(Buffer.concat(chunks));
		});
		stream.once('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
	});
}

/**
 * Filesystem mode as n8n 2.41's FsByteStore.write does it: `fs.promises.writeFile(path, stream)`,
 * which iterates the stream (its async iterator, not 'data' listeners) and awaits one write per
 * chunk it yields.
 */
async function writeLikeN8nFsByteStore(target: string, stream: Readable): Promise<void> {
	const fh = await fs.promises.open(target, 'w');
	try {
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			for (let off = 0; off < chunk.length;) {
				const { bytesWritten } = await fh.write(
					chunk,
					off,
					Math.min(512 * 1024, chunk.length - off),
				);
				off += bytesWritten;
			}
		}
	} finally {
		await fh.close();
	}
}

/** The harness's binary data folder (created on first use, removed at process exit). */
export function binaryDir(): string {
	if (!dir) {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-harness-binary-'));
		const d = dir;
		process.once('exit', () => fs.rmSync(d, { recursive: true, force: true }));
	}
	return dir;
}

function filePathOf(id: string): string {
	const rel = id.startsWith(`${BINARY_MODE}:`) ? id.slice(BINARY_MODE.length + 1) : id;
	if (rel.includes('..') || path.isAbsolute(rel)) throw new Error(`bad binary id ${id}`);
	return path.join(binaryDir(), rel);
}

function humanSize(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const EXT: Record<string, string> = {
	'application/json': 'json',
	'application/fhir+json': 'json',
	'application/fhir+ndjson': 'ndjson',
	'application/ndjson': 'ndjson',
	'application/x-ndjson': 'ndjson',
	'text/plain': 'txt',
	'text/html': 'html',
	'application/pdf': 'pdf',
};

export async function prepareBinaryData(
	binaryData: Buffer | Readable,
	filePath?: string,
	mimeType?: string,
): Promise<IBinaryData> {
	const name = randomUUID();
	const target = path.join(binaryDir(), name);
	if (Buffer.isBuffer(binaryData)) {
		await fs.promises.writeFile(target, binaryData);
	} else if (streamMode === 'database' && typeof (binaryData as Readable)?.on === 'function') {
		await fs.promises.writeFile(target, await collectLikeN8nDatabaseMode(binaryData));
	} else if (
		binaryData instanceof Readable ||
		typeof (binaryData as Readable)?.pipe === 'function'
	) {
		await writeLikeN8nFsByteStore(target, binaryData);
	} else {
		throw new TypeError('prepareBinaryData expects a Buffer or a Readable stream');
	}
	const size = (await fs.promises.stat(target)).size;
	const fileName = filePath ? path.basename(filePath) : undefined;
	const mt = mimeType ?? 'application/octet-stream';
	const fileExtension = fileName?.includes('.') ? fileName.split('.').pop() : EXT[mt.split(';')[0]];
	const out: IBinaryData = {
		data: BINARY_MODE,
		id: `${BINARY_MODE}:${name}`,
		mimeType: mt,
		fileSize: humanSize(size),
		bytes: size,
	} as IBinaryData;
	if (fileName) out.fileName = fileName;
	if (fileExtension) out.fileExtension = fileExtension;
	if (filePath && path.dirname(filePath) !== '.') out.directory = path.dirname(filePath);
	return out;
}

export async function getBinaryStream(binaryDataId: string, chunkSize?: number): Promise<Readable> {
	return fs.createReadStream(
		filePathOf(binaryDataId),
		chunkSize ? { highWaterMark: chunkSize } : undefined,
	);
}

export async function binaryToBuffer(body: Buffer | Readable): Promise<Buffer> {
	if (Buffer.isBuffer(body)) return body;
	const chunks: Buffer[] = [];
	for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
	return Buffer.concat(chunks);
}

/** The bytes of a binary entry, whether stored on disk or inline as base64. */
export async function readBinary(data: IBinaryData): Promise<Buffer> {
	if (data.id) return await fs.promises.readFile(filePathOf(data.id));
	return Buffer.from(data.data, 'base64');
}

/** Where a binary entry lives on disk (tests assert on size without reading it). */
export function binaryFilePath(data: IBinaryData): string {
	if (!data.id) throw new Error('binary data is not stored on disk');
	return filePathOf(data.id);
}
