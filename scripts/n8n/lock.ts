// A machine-wide lock (a directory in the temp folder, with the holder's pid) so that only one
// e2e n8n environment runs at a time, even when jest runs test files in parallel workers: n8n is
// heavy and the machines have 2 cores. A lock whose holder died is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A zombie (exited, not yet reaped by its parent) answers signal 0 but holds nothing. */
function zombie(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// pid (comm) state …: comm may contain spaces and parentheses, the state follows the last ')'
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
	} catch {
		return false;
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return !zombie(pid);
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Waits for the lock and returns its release function. */
export async function acquireLock(name: string, timeoutMs = 30 * 60_000): Promise<() => void> {
	const dir = join(tmpdir(), `${name}.lock`);
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			mkdirSync(dir);
			writeFileSync(join(dir, 'pid'), String(process.pid));
			let released = false;
			return () => {
				if (released) return;
				released = true;
				rmSync(dir, { recursive: true, force: true });
			};
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
			let pid = NaN;
			try {
				pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
			} catch {
				/* being written or removed */
			}
			if (Number.isInteger(pid) && pid > 0 && !alive(pid))
				rmSync(dir, { recursive: true, force: true });
			if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${dir}`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}
}
