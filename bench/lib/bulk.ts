// Shared by the bulk benchmarks (bench/bulk-export.ts, bench/n8n-bulk.ts): the SMART Backend
// Services client of the sandbox and a system-level export run to its manifest.

export const CLIENT = 'smart-backend-demo';
export const SCOPES = [
	'system/*.read',
	'system/*.$export',
	'system/*.$bulkdata-status',
	'system/Binary.read',
];

export interface Manifest {
	transactionTime: string;
	requiresAccessToken: boolean;
	output: Array<{ type: string; url: string; count: number }>;
	error: unknown[];
	deleted: unknown[];
}

/** Kicks off `$export` on the sandbox's SMART server and polls until the manifest is ready. */
export async function exportManifest(
	url: string,
): Promise<{ manifest: Manifest; token: string; generationMs: number }> {
	const tr = await fetch(`${url}/_admin/tokens`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			surface: 'smart',
			clientId: CLIENT,
			scopes: SCOPES,
			lifetimeSeconds: 36000,
		}),
	});
	const token = ((await tr.json()) as { access_token: string }).access_token;
	const auth = { authorization: `Bearer ${token}` };
	const t0 = Date.now();
	const k = await fetch(`${url}/smart/fhir/$export`, {
		headers: { ...auth, accept: 'application/fhir+json', prefer: 'respond-async' },
	});
	if (k.status !== 202) throw new Error(`kick-off: ${k.status} ${await k.text()}`);
	const status = k.headers.get('content-location')!;
	for (;;) {
		const r = await fetch(status, { headers: auth });
		if (r.status === 200)
			return { manifest: (await r.json()) as Manifest, token, generationMs: Date.now() - t0 };
		await r.arrayBuffer();
		if (r.status !== 202) throw new Error(`status: ${r.status}`);
		await new Promise((res) => setTimeout(res, 500));
	}
}
