// NDJSON checking while it streams: counts lines and bytes, checks each line's resourceType
// against the manifest entry's type, notices a file cut off in the middle of a line, and stops a
// line or a file past its size limit. It only observes the chunks (write/end); only the current
// partial line is held in memory (at most the line limit). A line count other than the manifest's
// is reported (countMismatch), not an error: the manifest count is optional and servers differ on
// what it counts. No node:stream import, so the published package needs nothing but n8n-workflow.

export class NdjsonCheckError extends Error {
	constructor(
		message: string,
		readonly fileName: string,
		/** what to do about it, when it is not a mismatch with the manifest */
		readonly hint?: string,
	) {
		super(message);
	}
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A byte count as the options write it: "16 MB" (MiB). */
export function megabytes(bytes: number): string {
	return `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;
}

const RT = Buffer.from('"resourceType"');

function trimEnd(b: Buffer): Buffer {
	let e = b.length;
	while (e > 0 && (b[e - 1] === 0x0d || b[e - 1] === 0x20 || b[e - 1] === 0x09)) e--;
	return e === b.length ? b : b.subarray(0, e);
}

export interface NdjsonCheckOptions {
	fileName: string;
	/** expected resourceType of every line (the manifest entry's type) */
	expectedType?: string;
	/** expected number of lines (the manifest entry's count) */
	expectedCount?: number;
	/** false = only count (no type / count checks) */
	validate: boolean;
	/** called with every complete line (resources mode); may throw to stop */
	onLine?: (line: Buffer) => void;
	/** a line longer than this many bytes is an error (default 16 MB) */
	maxLineBytes?: number;
	/** a file longer than this many bytes (as received, decompressed) is an error (default: no limit) */
	maxBytes?: number;
}

/** Checks NDJSON chunk by chunk: `write(chunk)` for every chunk, `end()` once; both throw NdjsonCheckError. */
export class NdjsonChecker {
	lines = 0;
	bytes = 0;
	/** set by end() when the manifest gave a count and the file has another number of lines */
	countMismatch?: { manifest: number; lines: number };
	private carry: Buffer[] = [];
	private carryLen = 0;

	private readonly expected?: Buffer;
	private readonly maxLine: number;

	constructor(private readonly o: NdjsonCheckOptions) {
		if (o.expectedType) this.expected = Buffer.from(`"resourceType":"${o.expectedType}"`);
		this.maxLine = o.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
	}

	private tooLong(): NdjsonCheckError {
		return new NdjsonCheckError(
			`${this.o.fileName}: line ${this.lines + 1} is longer than ${megabytes(this.maxLine)} (no newline within the limit); the download was stopped`,
			this.o.fileName,
			'The file is not NDJSON with one resource per line, or holds a resource larger than the limit: raise "Max Line Size (MB)" in the options if such resources are expected.',
		);
	}

	private fast(b: Buffer): boolean {
		const e = this.expected!;
		const i = b.indexOf(e.subarray(0, 15), 0); // `"resourceType":`
		return (
			i >= 0 &&
			i < 64 &&
			b.compare(e, 0, e.length, i, i + e.length) === 0 &&
			b[i + e.length] !== undefined
		);
	}

	fail(msg: string): NdjsonCheckError {
		return new NdjsonCheckError(`${this.o.fileName}: ${msg}`, this.o.fileName);
	}

	private line(raw: Buffer): void {
		const b = trimEnd(raw);
		if (b.length === 0) return;
		this.lines++;
		if (this.o.validate) {
			if (b[b.length - 1] !== 0x7d /* } */) {
				throw this.fail(
					`line ${this.lines} is not a complete JSON object (the file looks truncated or corrupt)`,
				);
			}
			// fast path: `"resourceType":"<type>"` near the start of the line
			if (this.o.expectedType && !this.fast(b)) {
				const i = b.indexOf(RT);
				const m =
					i < 0
						? null
						: /^\s*:\s*"([A-Za-z]+)"/.exec(b.toString('latin1', i + RT.length, i + RT.length + 64));
				const got = m?.[1];
				if (got !== this.o.expectedType) {
					throw this.fail(
						`line ${this.lines} has resourceType ${got ? `"${got}"` : '(none)'} but the manifest lists this file as ${this.o.expectedType}`,
					);
				}
			}
		}
		if (this.o.onLine) this.o.onLine(b);
	}

	write(chunk: Buffer): void {
		this.bytes += chunk.length;
		if (this.o.maxBytes !== undefined && this.bytes > this.o.maxBytes) {
			throw new NdjsonCheckError(
				`${this.o.fileName}: the file is larger than ${megabytes(this.o.maxBytes)} once decompressed; the download was stopped`,
				this.o.fileName,
				'A compressed file that expands this much is either a very large export file or a broken (or hostile) one: raise "Max File Size (MB)" in the options if files this large are expected.',
			);
		}
		let start = 0;
		for (;;) {
			const nl = chunk.indexOf(0x0a, start);
			if (nl < 0) break;
			let lineBuf = chunk.subarray(start, nl);
			if (this.carryLen + lineBuf.length > this.maxLine) throw this.tooLong();
			if (this.carryLen) {
				this.carry.push(lineBuf);
				lineBuf = Buffer.concat(this.carry, this.carryLen + lineBuf.length);
				this.carry = [];
				this.carryLen = 0;
			}
			this.line(lineBuf);
			start = nl + 1;
		}
		if (start < chunk.length) {
			const rest = chunk.subarray(start);
			if (this.carryLen + rest.length > this.maxLine) throw this.tooLong();
			// copy: the caller may reuse the chunk's memory
			this.carry.push(Buffer.from(rest));
			this.carryLen += rest.length;
		}
	}

	end(): void {
		if (this.carryLen) {
			const last = trimEnd(Buffer.concat(this.carry, this.carryLen));
			this.carry = [];
			this.carryLen = 0;
			if (last.length) {
				// a last line without a newline is fine only when it is complete JSON
				if (this.o.validate) {
					try {
						JSON.parse(last.toString('utf8'));
					} catch {
						throw this.fail(
							`the file ends in the middle of line ${this.lines + 1} (truncated download)`,
						);
					}
				}
				this.line(last);
			}
		}
		if (
			this.o.validate &&
			this.o.expectedCount !== undefined &&
			this.lines !== this.o.expectedCount
		) {
			this.countMismatch = { manifest: this.o.expectedCount, lines: this.lines };
		}
	}
}
