// Child processes the runtime starts: each in its own process group (detached) so that stopping
// it also stops everything it spawned (n8n's task runners, npm's children). Nothing is left
// running: every started group is remembered and killed on exit.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const started = new Set<ChildProcess>();

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** Runs a command to completion (own process group), with a timeout that kills the group. */
export function run(
	cmd: string,
	args: string[],
	opts: SpawnOptions & { timeoutMs?: number; logFile?: string; input?: string } = {},
): Promise<RunResult> {
	const t0 = Date.now();
	return new Promise((resolveRun, reject) => {
		const child = spawn(cmd, args, {
			...opts,
			detached: true,
			stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		});
		started.add(child);
		let stdout = '';
		let stderr = '';
		const logStream = opts.logFile ? openLog(opts.logFile) : undefined;
		child.stdout!.on('data', (d: Buffer) => {
			stdout += d.toString();
			logStream?.write(d);
		});
		child.stderr!.on('data', (d: Buffer) => {
			stderr += d.toString();
			logStream?.write(d);
		});
		if (child.stdin) {
			child.stdin.on('error', () => undefined); // the child may exit before reading
			child.stdin.end(opts.input);
		}
		const timer = opts.timeoutMs
			? setTimeout(() => {
					killGroup(child, 'SIGKILL');
					reject(
						new Error(
							`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs} ms\n${tail(stdout + stderr)}`,
						),
					);
				}, opts.timeoutMs)
			: undefined;
		child.on('error', (e) => {
			if (timer) clearTimeout(timer);
			started.delete(child);
			reject(e);
		});
		child.on('close', (code) => {
			if (timer) clearTimeout(timer);
			started.delete(child);
			logStream?.end();
			resolveRun({ code, stdout, stderr, ms: Date.now() - t0 });
		});
	});
}

/** Starts a long-running process in its own group; output goes to a log file. */
export function startDaemon(
	cmd: string,
	args: string[],
	opts: SpawnOptions & { logFile: string },
): ChildProcess {
	const out = openLog(opts.logFile);
	const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.pipe(out, { end: false });
	child.stderr!.pipe(out, { end: false });
	started.add(child);
	child.on('exit', () => started.delete(child));
	return child;
}

function openLog(file: string) {
	mkdirSync(dirname(file), { recursive: true });
	return createWriteStream(file, { flags: 'a' });
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** SIGTERM the group, then SIGKILL after `graceMs` if it is still alive. */
export async function stopProcess(
	child: ChildProcess | undefined,
	graceMs = 10_000,
): Promise<void> {
	if (!child || child.pid === undefined) return;
	if (child.exitCode !== null || child.signalCode !== null) {
		killGroup(child, 'SIGKILL'); // leftovers of the group (task runners)
		return;
	}
	const exited = new Promise<void>((r) => child.once('exit', () => r()));
	killGroup(child, 'SIGTERM');
	const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
	if ((await Promise.race([exited, timer])) === 'timeout') killGroup(child, 'SIGKILL');
	await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
	killGroup(child, 'SIGKILL');
	started.delete(child);
}

/** Kills every process group this module started (safety net on exit). */
export function killAllStarted(): void {
	for (const c of started) killGroup(c, 'SIGKILL');
	started.clear();
}

process.once('exit', killAllStarted);

export function tail(s: string, lines = 40): string {
	return s.split('\n').slice(-lines).join('\n');
}
