import { abortableSleep, SleepAbortedError } from '../../nodes/shared/sleep';

describe('abortableSleep', () => {
	it('waits about the given time', async () => {
		const t = Date.now();
		await abortableSleep(450);
		const elapsed = Date.now() - t;
		expect(elapsed).toBeGreaterThanOrEqual(440);
		expect(elapsed).toBeLessThan(2000);
	});

	it('stops within one slice once the signal aborts', async () => {
		const ac = new AbortController();
		const t = Date.now();
		const p = abortableSleep(10_000, ac.signal);
		await new Promise((r) => setTimeout(r, 100));
		ac.abort();
		await expect(p).rejects.toThrow(SleepAbortedError);
		expect(Date.now() - t).toBeLessThan(1500);
	});

	it('refuses at once when already aborted', async () => {
		const ac = new AbortController();
		ac.abort();
		await expect(abortableSleep(5000, ac.signal)).rejects.toThrow(
			'The wait was aborted because the execution was stopped',
		);
	});
});
