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

	/**
	 * The line's resourceType is the expected one: the usual `{"resourceType":"<type>"` at its
	 * start, or `"resourceType":` within its first 64 bytes followed by the type (no allocation).
	 */
	private fast(b: Buffer, s: number, e: number): boolean {
		const x = this.expected!;
		if (
			b[s] === 0x7b /* { */ &&
			e - s > x.length + 1 &&
			b.compare(x, 0, x.length, s + 1, s + 1 + x.length) === 0
		)
			return true;
		const i = b.subarray(s, Math.min(e, s + 64 + x.length)).indexOf(x.subarray(0, 15)); // `"resourceType":`
		return (
			i >= 0 &&
			i < 64 &&
			s + i + x.length < e &&
			b.compare(x, 0, x.length, s + i, s + i + x.length) === 0
		);
	}

	fail(msg: string): NdjsonCheckError {
		return new NdjsonCheckError(`${this.o.fileName}: ${msg}`, this.o.fileName);
	}

	/** One line: bytes `s` to `end` of `b` (without its newline). */
	private line(b: Buffer, s: number, end: number): void {
		let e = end;
		while (e > s && (b[e - 1] === 0x0d || b[e - 1] === 0x20 || b[e - 1] === 0x09)) e--;
		if (e === s) return;
		this.lines++;
		if (this.o.validate) {
			if (b[e - 1] !== 0x7d /* } */) {
				throw this.fail(
					`line ${this.lines} is not a complete JSON object (the file looks truncated or corrupt)`,
				);
			}
			if (this.o.expectedType && !this.fast(b, s, e)) {
				const i = b.indexOf(RT, s);
				const m =
					i < 0 || i >= e
						? null
						: /^\s*:\s*"([A-Za-z]+)"/.exec(
								b.toString('latin1', i + RT.length, Math.min(e, i + RT.length + 64)),
							);
				const got = m?.[1];
				if (got !== this.o.expectedType) {
					throw this.fail(
						`line ${this.lines} has resourceType ${got ? `"${got}"` : '(none)'} but the manifest lists this file as ${this.o.expectedType}`,
					);
				}
			}
		}
		if (this.o.onLine) this.o.onLine(b.subarray(s, e));
	}

	/** Every complete line is checked in place in the chunk; only a line cut by the chunk's end is copied. */
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
			if (this.carryLen + (nl - start) > this.maxLine) throw this.tooLong();
			if (this.carryLen) {
				this.carry.push(chunk.subarray(start, nl));
				const lineBuf = Buffer.concat(this.carry, this.carryLen + nl - start);
				this.carry = [];
				this.carryLen = 0;
				this.line(lineBuf, 0, lineBuf.length);
			} else {
				this.line(chunk, start, nl);
			}
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
				this.line(last, 0, last.length);
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
