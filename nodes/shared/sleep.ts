// An abortable wait built only on `sleep`, which every n8n-workflow version n8n ships exports
// (`sleepWithAbort` does not exist in the n8n-workflow of n8n 2.41, and community nodes may not
// use setTimeout). It waits in slices and stops within one slice of the signal aborting.
import { sleep } from 'n8n-workflow';

const SLICE_MS = 200;

export class SleepAbortedError extends Error {
	constructor() {
		super('The wait was aborted because the execution was stopped');
		this.name = 'SleepAbortedError';
	}
}

export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	const end = Date.now() + Math.max(0, ms);
	for (;;) {
		if (signal?.aborted) throw new SleepAbortedError();
		const left = end - Date.now();
		if (left <= 0) return;
		await sleep(Math.min(SLICE_MS, left));
	}
}
