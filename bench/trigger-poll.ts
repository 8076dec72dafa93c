// EHR FHIR Trigger benchmark: one poll that delivers 1,000 changed resources (Observations seeded
// into the SMART store after the first poll), Max Items per Poll 1000, through the harness the way
// n8n polls (real poll, transport, keyset pagination), against a fetch loop that reads the same
// search (`_lastUpdated=ge…&_sort=_lastUpdated`, pages of 100, following next links). Also the
// eMedicalPractice store (no _sort: every page read and sorted, pages of 20). Prints the median
// times and the ratio. Run: `npm run bench -- trigger-poll`.
import path from 'node:path';
import { startSandbox } from '../sandbox/server';
import { runPoll } from '../test/harness';
import type { EhrFhirTrigger as T } from '../nodes/EhrFhirTrigger/EhrFhirTrigger.node';

// tsx would resolve `…/EhrFhirTrigger.node` as a native addon: load the TypeScript file by name
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EhrFhirTrigger } = require(
	path.join(__dirname, '../nodes/EhrFhirTrigger/EhrFhirTrigger.node.ts'),
) as { EhrFhirTrigger: typeof T };

const COUNT = Number(process.env.BENCH_CHANGES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
	const sb = await startSandbox({ host: '127.0.0.1', port: 0, filePort: 0 });
	try {
		for (const surface of ['smart', 'emp'] as const) {
			const token = sb.app.tokens.issue({
				surface,
				clientId: 'bench',
				scopes: ['user/*.read'],
				lifetimeSeconds: 3600,
			}).access_token;
			const base = surface === 'smart' ? `${sb.url}/smart/fhir` : `${sb.url}/emp/fhir/r4`;
			const credentials =
				surface === 'smart'
					? {
							smartOnFhirOAuth2Api: {
								fhirBaseUrl: base,
								clientId: 'smart-demo',
								clientSecret: 'x',
								oauthTokenData: { access_token: token },
							},
						}
					: {
							eMedicalPracticeOAuth2Api: {
								serverUrl: `${sb.url}/emp`,
								clientId: 'emp-demo',
								clientSecret: 'x',
								oauthTokenData: { access_token: token },
							},
						};
			const authentication = Object.keys(credentials)[0];
			const node: number[] = [];
			const loop: number[] = [];
			for (let run = 0; run < RUNS; run++) {
				await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
				const staticData = {};
				const poll = () =>
					runPoll(EhrFhirTrigger, {
						parameters: {
							authentication,
							resourceType: 'Observation',
							options: { maxItems: COUNT },
						} as never,
						credentials: credentials as never,
						staticData,
					});
				await poll();
				const cursor = (staticData as { cursor: { cursor: string } }).cursor.cursor;
				await fetch(`${sb.url}/_admin/fhir/seed`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ surface, resourceType: 'Observation', count: COUNT }),
				});
				let t = performance.now();
				const out = await poll();
				node.push(performance.now() - t);
				if (out.output?.[0].length !== COUNT)
					throw new Error(`poll delivered ${out.output?.[0].length} of ${COUNT}`);
				t = performance.now();
				let url: string | undefined =
					`${base}/Observation?_lastUpdated=ge${encodeURIComponent(cursor)}${surface === 'smart' ? '&_sort=_lastUpdated&_count=100' : ''}`;
				let n = 0;
				while (url) {
					const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
					const b = (await r.json()) as {
						entry?: unknown[];
						link?: Array<{ relation: string; url: string }>;
					};
					n += b.entry?.length ?? 0;
					url = b.link?.find((l) => l.relation === 'next')?.url;
				}
				loop.push(performance.now() - t);
				if (n !== COUNT) throw new Error(`fetch loop read ${n} of ${COUNT}`);
			}
			console.log(
				`${surface}: one poll delivering ${COUNT} changed resources: trigger ${median(node).toFixed(0)} ms, fetch loop ${median(loop).toFixed(0)} ms, ratio ${(median(node) / median(loop)).toFixed(2)} (median of ${RUNS})`,
			);
		}
	} finally {
		await sb.close();
	}
}

void main().catch((e) => {
	console.error(e);
	process.exit(1);
});
