// The sandbox in its own process for the real-n8n benchmarks (so neither n8n nor the bench's
// fetch baselines share a thread with the server): started with its options as JSON in argv[2],
// prints one line `{"url":…,"fileUrl":…}` when it listens, and closes when its stdin closes
// (the bench process ended, however it ended).
import { startSandbox } from '../../sandbox/server';

async function main(): Promise<void> {
	const opts = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
	const sb = await startSandbox({ host: '127.0.0.1', port: 0, filePort: 0, ...opts });
	process.stdout.write(`${JSON.stringify({ url: sb.url, fileUrl: sb.fileUrl })}\n`);
	const stop = () => void sb.close().then(() => process.exit(0));
	process.stdin.on('end', stop);
	process.stdin.on('close', stop);
	process.stdin.resume();
	process.on('SIGTERM', stop);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
