// One prefix for every line the runtime scripts print.
export function log(msg: string): void {
	if (process.env.N8N_EHR_QUIET === '1') return;
	process.stderr.write(`[n8n-runtime] ${msg}\n`);
}
