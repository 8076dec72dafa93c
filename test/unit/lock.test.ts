import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../scripts/n8n/lock';

const name = `n8n-nodes-ehr-locktest-${process.pid}`;
const dir = join(tmpdir(), `${name}.lock`);

function holdLockAs(pid: number): void {
	mkdirSync(dir);
	writeFileSync(join(dir, 'pid'), String(pid));
}

let parent: ChildProcess | undefined;
afterEach(() => {
	parent?.kill('SIGKILL');
	parent = undefined;
	rmSync(dir, { recursive: true, force: true });
});

test('a lock held by a live process is waited for', async () => {
	holdLockAs(process.pid);
	await expect(acquireLock(name, 1200)).rejects.toThrow(/timed out waiting for the lock/);
	expect(readFileSync(join(dir, 'pid'), 'utf8')).toBe(String(process.pid));
});

test('a lock whose holder is a zombie (exited, never reaped) is taken over', async () => {
	// `sleep 0` exits at once; its parent becomes `sleep 5`, which never reaps it
	parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	const zombiePid = await new Promise<number>((resolve) =>
		parent!.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
	);
	for (let i = 0; i < 50; i++) {
		const stat = readFileSync(`/proc/${zombiePid}/stat`, 'utf8');
		if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) break;
		await new Promise((r) => setTimeout(r, 20));
	}
	expect(() => process.kill(zombiePid, 0)).not.toThrow(); // signal 0 says "alive"
	holdLockAs(zombiePid);
	const release = await acquireLock(name, 3000);
	expect(readFileSync(join(dir, 'pid'), 'utf8')).toBe(String(process.pid));
	release();
	expect(existsSync(dir)).toBe(false);
});

test('a lock whose holder is gone is taken over', async () => {
	holdLockAs(2 ** 22 + 17); // above pid_max's default range: no such process
	const release = await acquireLock(name, 3000);
	release();
	expect(existsSync(dir)).toBe(false);
});
