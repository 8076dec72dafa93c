// PostgreSQL and Redis for n8n's queue mode, on loopback, with throwaway data and free ports.
// Debian's `postgresql` and `redis-server` are installed with apt-get when missing (apt-get
// update first). PostgreSQL runs as the `postgres` user when we are root (it refuses root).
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './log';
import { run, startDaemon, stopProcess, tail } from './proc';
import { freePort } from './runtime';

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

async function which(cmd: string): Promise<string | undefined> {
	const r = await run('sh', ['-c', `command -v ${cmd}`], { timeoutMs: 10_000 }).catch(
		() => undefined,
	);
	const p = r?.stdout.trim();
	return r?.code === 0 && p ? p : undefined;
}

function postgresBinDir(): string | undefined {
	const base = '/usr/lib/postgresql';
	if (!existsSync(base)) return undefined;
	const versions = readdirSync(base)
		.filter(
			(v) =>
				existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'postgres')),
		)
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(base, versions[0], 'bin') : undefined;
}

async function aptInstall(pkgs: string[]): Promise<void> {
	const sudo = isRoot() ? [] : ['sudo', '-n'];
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	log(`installing ${pkgs.join(', ')} with apt-get…`);
	const cmd = (args: string[]) =>
		sudo.length
			? run(sudo[0], [...sudo.slice(1), ...args], { env, timeoutMs: 20 * 60_000 })
			: run(args[0], args.slice(1), { env, timeoutMs: 20 * 60_000 });
	// dpkg may be locked by another install for a while: retry
	for (let attempt = 1; ; attempt++) {
		const u = await cmd(['apt-get', 'update']);
		const i =
			u.code === 0
				? await cmd(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs])
				: u;
		if (i.code === 0) return;
		if (attempt >= 5 || !/lock/i.test(i.stdout + i.stderr))
			throw new Error(`apt-get install ${pkgs.join(' ')} failed:\n${tail(i.stdout + i.stderr)}`);
		await new Promise((r) => setTimeout(r, 10_000));
	}
}

/** Installs what queue mode needs when missing; idempotent. */
export async function ensureQueueServices(): Promise<void> {
	const missing: string[] = [];
	if (!postgresBinDir()) missing.push('postgresql');
	if (!(await which('redis-server'))) missing.push('redis-server');
	if (missing.length) await aptInstall(missing);
	// apt starts the system services; we use our own throwaway instances and leave those alone
}

function waitPort(
	port: number,
	timeoutMs: number,
	child: ChildProcess,
	logFile: string,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const tryOnce = () => {
			if (child.exitCode !== null)
				return reject(new Error(`process exited (${child.exitCode}):\n${tail(readSafe(logFile))}`));
			const s = createConnection({ host: '127.0.0.1', port }, () => {
				s.end();
				resolve();
			});
			s.on('error', () => {
				s.destroy();
				if (Date.now() > deadline)
					reject(
						new Error(`port ${port} not open after ${timeoutMs} ms:\n${tail(readSafe(logFile))}`),
					);
				else setTimeout(tryOnce, 300);
			});
		};
		tryOnce();
	});
}

function readSafe(f: string): string {
	try {
		return readFileSync(f, 'utf8');
	} catch {
		return '';
	}
}

export interface Services {
	pgPort: number;
	redisPort: number;
	/** n8n environment for queue mode with these services */
	env: Record<string, string>;
	stop(): Promise<void>;
}

export async function startQueueServices(): Promise<Services> {
	await ensureQueueServices();
	const bin = postgresBinDir();
	if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
	const redisBin = (await which('redis-server'))!;
	const dir = mkdtempSync(join(tmpdir(), 'n8n-ehr-queue-'));
	const pgData = join(dir, 'pg');
	const asPg = (cmd: string, args: string[]): [string, string[]] =>
		isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
	if (isRoot()) {
		const ids = await run('id', ['-u', 'postgres']);
		const gid = await run('id', ['-g', 'postgres']);
		chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
	}
	const [c1, a1] = asPg(join(bin, 'initdb'), [
		'-D',
		pgData,
		'-U',
		'postgres',
		'--auth=trust',
		'-E',
		'UTF8',
		'--no-locale',
	]);
	const init = await run(c1, a1, { timeoutMs: 120_000 });
	if (init.code !== 0) throw new Error(`initdb failed:\n${tail(init.stdout + init.stderr)}`);
	const pgPort = await freePort();
	const pgLog = join(dir, 'postgres.log');
	const [c2, a2] = asPg(join(bin, 'postgres'), [
		'-D',
		pgData,
		'-p',
		String(pgPort),
		'-k',
		dir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'max_connections=100',
	]);
	const pg = startDaemon(c2, a2, { logFile: pgLog, cwd: dir });
	const redisPort = await freePort();
	const redisLog = join(dir, 'redis.log');
	const redis = startDaemon(
		redisBin,
		[
			'--port',
			String(redisPort),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
		],
		{
			logFile: redisLog,
			cwd: dir,
		},
	);
	const stop = async () => {
		await stopProcess(redis, 10_000);
		await stopProcess(pg, 20_000);
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await waitPort(redisPort, 60_000, redis, redisLog);
		await waitPort(pgPort, 60_000, pg, pgLog);
		// accepting connections (not only listening)
		const deadline = Date.now() + 60_000;
		for (;;) {
			const r = await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort)], {
				timeoutMs: 10_000,
			}).catch(() => undefined);
			if (r?.code === 0) break;
			if (Date.now() > deadline) throw new Error(`PostgreSQL not ready:\n${tail(readSafe(pgLog))}`);
			await new Promise((res) => setTimeout(res, 300));
		}
	} catch (e) {
		await stop();
		throw e;
	}
	log(`PostgreSQL on 127.0.0.1:${pgPort}, Redis on 127.0.0.1:${redisPort}`);
	return {
		pgPort,
		redisPort,
		env: {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			QUEUE_BULL_PREFIX: `ehr${redisPort}`,
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_POOL_SIZE: '4',
		},
		stop,
	};
}
