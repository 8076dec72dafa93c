// Pagination benchmark: 10,000 immunizations of one patient in pages of 50 from the
// sandbox's onpatient surface, fetched
//   (a) by the EHR FHIR node's List Immunizations (Return All) executed through the harness, the
//       way n8n executes a node (real execute, httpRequestWithAuthentication, transport, pagination,
//       mapping), and
//   (b) by a minimal loop with Node's fetch that follows `next`,
// in the same process, alternating runs; and the same for a Search (FHIR Resource → Get Many,
// Return All) of 10,000 Observations of the SMART store in pages of 50 ((c) the node, (d) a fetch
// loop over Bundle next links). Prints the times, the ratios a/b and c/d, the cost per page of
// (a) and (c) (the same pagination code path) and peak memory. Goal: ratios ≤ 1.25. Run: `npm run bench` or `npm run bench -- pagination`.
import { startSandbox } from '../sandbox/server';
import { runNode } from '../test/harness';
import path from 'node:path';
import type { EhrFhir as EhrFhirType } from '../nodes/EhrFhir/EhrFhir.node';

// tsx would resolve `…/EhrFhir.node` as a native `.node` addon: load the TypeScript file by name
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EhrFhir } = require(path.join(__dirname, '../nodes/EhrFhir/EhrFhir.node.ts')) as {
	EhrFhir: typeof EhrFhirType;
};

const PATIENT = 'pt-00001';
const COUNT = Number(process.env.BENCH_IMMUNIZATIONS ?? 10000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIMPLIFY = process.env.BENCH_SIMPLIFY !== 'false';

let peakRss = 0;
let peakHeap = 0;
function sample(): void {
	const m = process.memoryUsage();
	peakRss = Math.max(peakRss, m.rss);
	peakHeap = Math.max(peakHeap, m.heapUsed);
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
	const sb = await startSandbox({
		host: '127.0.0.1',
		port: 0,
		filePort: 0,
		patients: 5,
		heavyPatients: { [PATIENT]: COUNT },
	});
	const timer = setInterval(sample, 5);
	try {
		const tok = sb.app.tokens.issue({
			surface: 'onpatient',
			clientId: 'onpatient-demo',
			scopes: [],
			lifetimeSeconds: 86400,
			withRefresh: true,
		});
		const apiHost = `${sb.url}/onpatient/api`;
		const credentials = {
			onpatientOAuth2Api: {
				authHost: `${sb.url}/onpatient/auth`,
				apiHost,
				clientId: 'onpatient-demo',
				clientSecret: 'onpatient-demo-secret',
				oauthTokenData: { ...tok },
			},
		};

		const viaNode = async (): Promise<number> => {
			const { output } = await runNode(EhrFhir, {
				parameters: {
					authentication: 'onpatientOAuth2Api',
					resource: 'immunization',
					operation: 'list',
					scope: 'patient',
					patientId: { __rl: true, mode: 'id', value: PATIENT },
					returnAll: true,
					simplify: SIMPLIFY,
				},
				credentials: credentials as never,
			});
			return output[0].length;
		};

		// the Search row: Observations seeded in the SMART store, read by a SMART on FHIR credential
		const seeded = await fetch(`${sb.url}/_admin/fhir/seed`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				surface: 'smart',
				resourceType: 'Observation',
				count: COUNT,
				patient: PATIENT,
			}),
		});
		if (seeded.status !== 201) throw new Error(`seeding failed: HTTP ${seeded.status}`);
		const smartTok = sb.app.tokens.issue({
			surface: 'smart',
			clientId: 'smart-demo',
			scopes: ['user/*.read'],
			lifetimeSeconds: 86400,
			withRefresh: true,
		});
		const smartCredentials = {
			smartOnFhirOAuth2Api: {
				fhirBaseUrl: `${sb.url}/smart/fhir`,
				authUrl: `${sb.url}/smart/auth/authorize`,
				accessTokenUrl: `${sb.url}/smart/auth/token`,
				clientId: 'smart-demo',
				clientSecret: 'smart-demo-secret',
				oauthTokenData: { ...smartTok },
			},
		};
		const searchViaNode = async (): Promise<number> => {
			const { output } = await runNode(EhrFhir, {
				parameters: {
					authentication: 'smartOnFhirOAuth2Api',
					resource: 'resource',
					operation: 'search',
					resourceType: 'Observation',
					searchBy: 'query',
					query: `patient=${PATIENT}&_count=50`,
					returnAll: true,
					simplify: SIMPLIFY,
				},
				credentials: smartCredentials as never,
			});
			return output[0].length;
		};
		const searchViaFetch = async (): Promise<number> => {
			const items: unknown[] = [];
			let url: string | undefined = `${sb.url}/smart/fhir/Observation?patient=${PATIENT}&_count=50`;
			while (url) {
				const res = await fetch(url, {
					headers: {
						Authorization: `Bearer ${smartTok.access_token}`,
						Accept: 'application/fhir+json',
					},
				});
				if (!res.ok) throw new Error(`HTTP ${res.status}`);
				const page = (await res.json()) as {
					entry?: Array<{ resource: unknown }>;
					link?: Array<{ relation: string; url: string }>;
				};
				for (const e of page.entry ?? []) items.push(e.resource);
				url = page.link?.find((l) => l.relation === 'next')?.url;
			}
			return items.length;
		};

		const viaFetch = async (): Promise<number> => {
			const items: unknown[] = [];
			let url: string | null =
				`${apiHost}/onpatient_api/fhir/Immunization?patient=${PATIENT}&page-size=50`;
			while (url) {
				const res = await fetch(url, {
					headers: { Authorization: `Bearer ${tok.access_token}`, Accept: 'application/json' },
				});
				if (!res.ok) throw new Error(`HTTP ${res.status}`);
				const page = (await res.json()) as { results: unknown[]; next: string | null };
				for (const r of page.results) items.push(r);
				url = page.next;
			}
			return items.length;
		};

		// warm-up (JIT, sockets, the sandbox's caches)
		if ((await viaNode()) !== COUNT) throw new Error('node returned the wrong count');
		if ((await viaFetch()) !== COUNT) throw new Error('fetch returned the wrong count');
		if ((await searchViaNode()) !== COUNT) throw new Error('Search returned the wrong count');
		if ((await searchViaFetch()) !== COUNT)
			throw new Error('Search fetch loop returned the wrong count');

		const a: number[] = [];
		const b: number[] = [];
		const c: number[] = [];
		const d: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			const order: Array<[() => Promise<number>, number[]]> = [
				[viaNode, a],
				[viaFetch, b],
				[searchViaNode, c],
				[searchViaFetch, d],
			];
			for (const [fn, out] of i % 2 === 0 ? order : order.reverse()) {
				(globalThis as { gc?: () => void }).gc?.();
				const t0 = process.hrtime.bigint();
				const n = await fn();
				out.push(Number(process.hrtime.bigint() - t0) / 1e6);
				if (n !== COUNT) throw new Error(`expected ${COUNT} items, got ${n}`);
			}
		}
		sample();
		const ma = median(a);
		const mb = median(b);
		const pages = Math.ceil(COUNT / 50);
		console.log(
			`pagination: ${COUNT} immunizations, ${pages} pages of 50, ${RUNS} alternating runs (median), simplify=${SIMPLIFY}`,
		);
		console.log(
			`  (a) EHR FHIR node, List Immunizations, Return All: ${ma.toFixed(1)} ms  [${a.map((x) => x.toFixed(0)).join(', ')}]`,
		);
		console.log(
			`  (b) minimal fetch loop following next:           ${mb.toFixed(1)} ms  [${b.map((x) => x.toFixed(0)).join(', ')}]`,
		);
		const mina = Math.min(...a);
		const minb = Math.min(...b);
		console.log(`  ratio a/b (medians): ${(ma / mb).toFixed(3)}  (goal ≤ 1.25)`);
		console.log(
			`  ratio a/b (best runs, least disturbed by other load): ${(mina / minb).toFixed(3)}  (${mina.toFixed(1)} / ${minb.toFixed(1)} ms)`,
		);
		const load = (await import('node:os')).loadavg()[0];
		const mc = median(c);
		const md = median(d);
		console.log(`search: ${COUNT} Observations (SMART store), ${pages} pages of 50, same runs`);
		console.log(
			`  (c) EHR FHIR node, FHIR Resource Search, Return All: ${mc.toFixed(1)} ms  [${c.map((x) => x.toFixed(0)).join(', ')}]`,
		);
		console.log(
			`  (d) minimal fetch loop following Bundle next links: ${md.toFixed(1)} ms  [${d.map((x) => x.toFixed(0)).join(', ')}]`,
		);
		console.log(`  ratio c/d (medians): ${(mc / md).toFixed(3)}  (goal ≤ 1.25)`);
		console.log(
			`  per page: List Immunizations ${(ma / pages).toFixed(2)} ms, Search ${(mc / pages).toFixed(2)} ms (fetch loops ${(mb / pages).toFixed(2)} / ${(md / pages).toFixed(2)} ms)`,
		);
		console.log(
			`  load average (1 min) at the end: ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} cores`,
		);
		console.log(
			`  peak RSS: ${(peakRss / 1048576).toFixed(1)} MiB, peak heap used: ${(peakHeap / 1048576).toFixed(1)} MiB (sandbox in the same process)`,
		);
	} finally {
		clearInterval(timer);
		await sb.close();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
