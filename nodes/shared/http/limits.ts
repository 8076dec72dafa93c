// The bounds of one request: the largest body read into memory (counted on the decompressed
// bytes, as they arrive) and a deadline for the whole request, answer included, so a server that
// trickles its answer (one byte a second never trips an idle timeout) or sends without end
// cannot keep a node running or fill the memory. The deadline is a watchdog built on `sleep`
// (community nodes may not use timers): when it expires it destroys the body being read and
// rejects a request still waiting for its headers.
import type { INode } from 'n8n-workflow';
import { apiError } from '../errors';
import { abortableSleep } from '../sleep';
import type { Readable } from './types';

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_READ_DEADLINE_MS = 120_000;

export class ResponseTooLargeError extends Error {
	constructor(readonly limit: number) {
		super(`the answer is larger than ${Math.round(limit / 1024 / 1024)} MB`);
		this.name = 'ResponseTooLargeError';
	}
}

export class DeadlineError extends Error {
	constructor(
		readonly ms: number,
		readonly received = 0,
	) {
		super(`no complete answer within ${Math.round(ms / 100) / 10} s`);
		this.name = 'DeadlineError';
	}
}

/** Errors thrown because a request ran past its deadline (the NodeApiErrors made of them too). */
const timedOut = new WeakSet<object>();

export function markTimedOut<E extends object>(e: E): E {
	timedOut.add(e);
	return e;
}

export function isTimedOut(e: unknown): boolean {
	return e instanceof DeadlineError || (typeof e === 'object' && e !== null && timedOut.has(e));
}

/** The deadline of one request: `ms` from now (Infinity = none). */
export class Deadline {
	readonly at: number;
	expired = false;
	private readonly done = new AbortController();
	private readonly streams = new Set<Readable>();
	private readonly waiting = new Set<(e: Error) => void>();

	constructor(readonly ms: number) {
		this.at = Date.now() + ms;
		if (!Number.isFinite(ms)) return;
		void abortableSleep(Math.max(0, ms), this.done.signal).then(
			() => this.expire(),
			() => undefined,
		);
	}

	private expire(): void {
		this.expired = true;
		for (const s of this.streams) s.destroy?.(new DeadlineError(this.ms));
		for (const reject of this.waiting) reject(new DeadlineError(this.ms));
	}

	/** `p`, or a DeadlineError once the deadline passes first (a late answer's stream is destroyed). */
	async race<T>(p: Promise<T>, late: (value: T) => void): Promise<T> {
		return await new Promise<T>((resolve, reject) => {
			if (this.expired) reject(new DeadlineError(this.ms));
			this.waiting.add(reject);
			p.then(
				(v) => {
					this.waiting.delete(reject);
					if (this.expired) late(v);
					else resolve(v);
				},
				(e: unknown) => {
					this.waiting.delete(reject);
					reject(e);
				},
			);
		});
	}

	/** Destroys `stream` when the deadline passes; stops watching once it closes. */
	watch(stream: Readable, stopWithIt = false): void {
		if (this.expired) {
			stream.destroy?.(new DeadlineError(this.ms));
			return;
		}
		this.streams.add(stream);
		stream.once?.('close', () => {
			this.streams.delete(stream);
			if (stopWithIt) this.stop();
		});
	}

	stop(): void {
		this.done.abort();
	}
}

export function isStream(body: unknown): body is Readable {
	return (
		!!body &&
		typeof body === 'object' &&
		!Buffer.isBuffer(body) &&
		typeof (body as Readable)[Symbol.asyncIterator] === 'function'
	);
}

/** Reads a stream body whole, at most `limit` bytes (ResponseTooLargeError past it, the stream destroyed). */
export async function readLimited(
	body: Readable,
	limit: number,
	deadline: Deadline,
): Promise<Buffer> {
	deadline.watch(body);
	const chunks: Buffer[] = [];
	let size = 0;
	let failure: unknown;
	try {
		for await (const c of body) {
			const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
			size += b.length;
			if (size > limit) {
				body.destroy?.();
				throw new ResponseTooLargeError(limit);
			}
			chunks.push(b);
		}
	} catch (e) {
		failure = e;
	}
	if (failure === undefined) return Buffer.concat(chunks, size);
	// a body destroyed by the watchdog breaks with whatever error the HTTP client gives it
	throw deadline.expired && !(failure instanceof ResponseTooLargeError)
		? new DeadlineError(deadline.ms, size)
		: failure;
}

/** A body as axios decodes one by default: UTF-8 text, parsed when it is JSON, else the text. */
export function decodeLikeAxios(buf: Buffer): unknown {
	let text = buf.toString('utf8');
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	if (text === '') return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/** n8n's own default axios timeout (an idle timeout on the socket). */
const N8N_IDLE_TIMEOUT_MS = 300_000;

/** The axios (idle) timeout of one attempt: the one asked for (else n8n's), never longer than the deadline. */
export function idleTimeout(timeoutMs: number | undefined, deadline: Deadline): number {
	const ms = Math.min(timeoutMs ?? N8N_IDLE_TIMEOUT_MS, deadline.at - Date.now());
	return Math.max(1, Math.ceil(ms));
}

export function tooLargeError(
	node: INode,
	what: string,
	limit: number,
	itemIndex?: number,
	option?: string,
) {
	return apiError(node, {
		what,
		message: `${what} failed: the answer is larger than ${Math.round(limit / 1024 / 1024)} MB (the most one answer may have); the download was stopped`,
		hint: option
			? `Raise "${option}" in the node's options if answers this large are expected, or ask for less (a smaller page, fewer results).`
			: 'No answer of this API should be this large: check the base URL in the credential.',
		itemIndex,
	});
}

export function deadlineError(
	node: INode,
	what: string,
	ms: number,
	itemIndex?: number,
	option?: string,
) {
	return markTimedOut(
		apiError(node, {
			what,
			message: `${what} failed: the server did not finish its answer within ${Math.round(ms / 100) / 10} s; the request was stopped`,
			hint: option
				? `The server is answering very slowly or not at all. Try again later, or raise "${option}" in the node's options.`
				: 'The server is answering very slowly or not at all: try again later.',
			itemIndex,
		}),
	);
}
