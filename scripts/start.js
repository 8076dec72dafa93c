// `npm start`: builds the package, then runs the demo (scripts/start.ts under tsx). npm signals
// only its own child, so this launcher is that child: SIGINT, SIGTERM and SIGHUP are passed on to
// the step running (SIGHUP as SIGTERM; the demo stops n8n and the sandbox on them), no step
// starts after one, and a step still running when the launcher exits is stopped too. Exits with
// the last step's code.
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** `npm run build` with the npm that runs this script (or the one on PATH). */
function npmRun(script) {
	const npm = process.env.npm_execpath;
	return npm && /\.[cm]?js$/.test(npm)
		? [process.execPath, [npm, 'run', script]]
		: ['npm', ['run', script]];
}

/**
 * Runs `steps` ([command, args] pairs) one after the other while a step succeeds, passing the
 * launcher's signals on to the running one. Resolves with the exit code the launcher should end with.
 */
function launch(steps, options = {}) {
	let child;
	let stopSignal;
	const forward = (signal) => {
		stopSignal = stopSignal ?? signal;
		// tsx passes on SIGINT and SIGTERM only; the demo stops the same way on either
		const passed = signal === 'SIGHUP' ? 'SIGTERM' : signal;
		if (child && child.exitCode === null && child.signalCode === null) child.kill(passed);
	};
	const handlers = SIGNALS.map((s) => {
		const h = () => forward(s);
		process.on(s, h);
		return [s, h];
	});
	const onExit = () => {
		if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
	};
	process.on('exit', onExit);
	// the process that started this one (npm) went away without passing a signal on (npm killed,
	// or its shell): stop as on SIGTERM
	const parent = process.ppid;
	const orphanWatch = setInterval(() => {
		if (process.ppid !== parent) forward('SIGTERM');
	}, 500);
	orphanWatch.unref();

	const runStep = ([command, args]) =>
		new Promise((resolve) => {
			// its own process group: a terminal's Ctrl-C reaches the step once, through here
			child = spawn(command, args, {
				cwd: options.cwd ?? ROOT,
				stdio: 'inherit',
				detached: true,
			});
			child.once('error', (e) => {
				console.error(`${command}: ${e.message}`);
				resolve(127);
			});
			child.once('exit', (code, signal) => resolve(code ?? 128 + (SIGNAL_NUMBERS[signal] ?? 0)));
		});

	return (async () => {
		let code = 0;
		for (const step of steps) {
			if (stopSignal) break;
			code = await runStep(step);
			if (code !== 0) break;
		}
		for (const [s, h] of handlers) process.off(s, h);
		process.off('exit', onExit);
		clearInterval(orphanWatch);
		return stopSignal && code === 0 ? 0 : code;
	})();
}

module.exports = { launch };

if (require.main === module) {
	const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
	void launch([npmRun('build'), [process.execPath, [tsx, join('scripts', 'start.ts')]]]).then(
		(code) => process.exit(code),
	);
}
