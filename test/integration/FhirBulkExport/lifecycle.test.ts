// The export step by step, one operation per run (as a workflow with n8n's Wait node runs it):
// Start Export → Check Export Status → Download Export Files → Cancel Export.
import type { INodeExecutionData } from 'n8n-workflow';
import { useBulkSandbox } from './helpers';

describe('FHIR Bulk Export step by step', () => {
	const { run } = useBulkSandbox({
		patients: 30,
		bulk: { resourcesPerFile: 60, pollsBeforeDone: 1, retryAfterSeconds: 0 },
	});

	it('Start Export → Check Export Status → Download Export Files → Cancel Export', async () => {
		const started = (await run({ operation: 'startExport', level: 'patient', types: ['Patient'] }))
			.output[0][0];
		expect(String(started.json.statusUrl)).toContain('$bulkdata-status?job=');
		let checked: INodeExecutionData | undefined;
		for (let n = 0; n < 10; n++) {
			checked = (await run({ operation: 'checkStatus' }, { items: [started] })).output[0][0];
			if (checked.json.status === 'complete') break;
			expect(checked.json.status).toBe('in-progress');
		}
		expect(checked!.json.status).toBe('complete');
		expect(typeof checked!.json.transactionTime).toBe('string');
		const files = (await run({ operation: 'downloadFiles' }, { items: [checked!] })).output[0];
		expect(files.reduce((a, i) => a + (i.json.lines as number), 0)).toBe(30);
		const cancelled = (await run({ operation: 'cancelExport' }, { items: [started] })).output[0][0];
		expect(cancelled.json).toMatchObject({ cancelled: true, status: 202 });
		await expect(run({ operation: 'checkStatus' }, { items: [started] })).rejects.toThrow(
			/HTTP 404.*job is gone/,
		);
	});
});
