// Pagination inside a real n8n 2.41.1 (`npm run bench -- n8n-pagination`; `npm run bench` runs it
// too). The sandbox runs in its own process with 10,000 immunizations of one patient (onpatient,
// `{count,next,previous,results}` pages of 50 = 200 pages) and 10,000 Observations in the SMART
// store (Bundles of 50). Published workflows are triggered through production webhooks; each
// node's `executionTime` comes from n8n's own run data, read over REST. Compared:
//   (a) EHR FHIR → Immunization → List, Return All (onpatient OAuth2 credential)
//   (b) n8n's HTTP Request node, pagination "Response Contains Next URL" ({{$response.body.next}}),
//       Header Auth credential with the same bearer token, + Split Out on `results` (a+b summed)
//   (c) a plain fetch loop following `next` in this process (outside n8n)
// and for the Search code path:
//   (d) EHR FHIR → FHIR Resource → Search Observation, Return All (SMART on FHIR OAuth2 credential)
//   (e) HTTP Request following the Bundle's next link + Split Out on `entry`
//   (f) a plain fetch loop over the Bundle next links.
// Median of BENCH_RUNS (5) runs after one warm-up, the order of the six alternating every run.
// Ratios: a/c (goal ≤ 2.0, stretch 1.5), a/b (goal ≤ 0.6); d/f and d/e the same goals.
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfiles, printSummary, summarize } from './lib/cpuprofile';
import type { CredentialImport, WorkflowJson } from '../scripts/n8n/runtime';
import {
	mintToken,
	waitForLock,
	runWebhook,
	sandboxPost,
	startBenchN8n,
	startSandboxProcess,
	webhookWorkflow,
	type BenchN8n,
	type WebhookRun,
} from './lib/n8n-env';
import { median, ratioLine, runsList } from './lib/stats';

const PATIENT = 'pt-00001';
const COUNT = Number(process.env.BENCH_IMMUNIZATIONS ?? 10000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIMPLIFY = process.env.BENCH_SIMPLIFY === 'true';
const PAGE = 50;
/** e.g. `BENCH_PROFILE=a`: n8n runs with --cpu-prof, only the cases named run, then the profile's
 * top functions inside runNode are printed (bench/lib/cpuprofile.ts) */
const PROFILE = process.env.BENCH_PROFILE ?? '';

const CRED = {
	onpatient: { id: 'benchOnpatient01', name: 'onpatient (bench)' },
	smart: { id: 'benchSmart000001', name: 'SMART on FHIR (bench)' },
	headerOnpatient: { id: 'benchHdrOnpat001', name: 'Bearer onpatient (bench)' },
	headerSmart: { id: 'benchHdrSmart001', name: 'Bearer SMART (bench)' },
};

async function main(): Promise<void> {
	const sb = await startSandboxProcess({ patients: 5, heavyPatients: { [PATIENT]: COUNT } });
	let env: BenchN8n | undefined;
	const workflows: WorkflowJson[] = [];
	try {
		await sandboxPost<unknown>(sb, '/_admin/fhir/seed', {
			surface: 'smart',
			resourceType: 'Observation',
			count: COUNT,
			patient: PATIENT,
		});
		const onTok = await mintToken(sb, 'onpatient', 'onpatient-demo', ['patient/*.read'], PATIENT);
		const smartScopes = ['openid', 'offline_access', 'user/*.read'];
		const smartTok = await mintToken(sb, 'smart', 'smart-demo', smartScopes);
		const u = sb.url;
		const credentials: CredentialImport[] = [
			{
				...CRED.onpatient,
				type: 'onpatientOAuth2Api',
				data: {
					authHost: `${u}/onpatient/auth`,
					apiHost: `${u}/onpatient/api`,
					scopes: 'patient/*.read',
					clientId: 'onpatient-demo',
					clientSecret: 'onpatient-demo-secret',
					oauthTokenData: { ...onTok, token_type: 'Bearer', scope: 'patient/*.read' },
				},
			},
			{
				...CRED.smart,
				type: 'smartOnFhirOAuth2Api',
				data: {
					fhirBaseUrl: `${u}/smart/fhir`,
					authUrl: `${u}/smart/auth/authorize`,
					accessTokenUrl: `${u}/smart/auth/token`,
					clientId: 'smart-demo',
					clientSecret: 'smart-demo-secret',
					scopes: smartScopes.join(' '),
					oauthTokenData: { ...smartTok, token_type: 'Bearer', scope: smartScopes.join(' ') },
				},
			},
			{
				...CRED.headerOnpatient,
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${onTok.access_token}` },
			},
			{
				...CRED.headerSmart,
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${smartTok.access_token}` },
			},
		];

		const listUrl = `${u}/onpatient/api/onpatient_api/fhir/Immunization?patient=${PATIENT}&page-size=${PAGE}`;
		const searchUrl = `${u}/smart/fhir/Observation?patient=${PATIENT}&_count=${PAGE}`;
		const httpRequest = (
			url: string,
			cred: { id: string; name: string },
			nextUrl: string,
			done: string,
			accept: string,
		) => ({
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				url,
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Accept', value: accept }] },
				options: {
					// FHIR's application/fhir+json would be text to n8n's auto-detection
					response: { response: { responseFormat: 'json' } },
					pagination: {
						pagination: {
							paginationMode: 'responseContainsNextURL',
							nextURL: nextUrl,
							paginationCompleteWhen: 'other',
							completeExpression: done,
							limitPagesFetched: true,
							maxRequests: 5000,
						},
					},
				},
			},
			credentials: { httpHeaderAuth: cred },
		});
		const splitOut = (field: string) => ({
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: field, include: 'noOtherFields', options: {} },
		});
		const nextLink = "$response.body.link?.find(l => l.relation === 'next')?.url";
		workflows.push(
			webhookWorkflow('benchPagOurs0001', 'Bench: EHR FHIR List Immunizations', 'bench-list', [
				{
					name: 'EHR FHIR',
					type: 'n8n-nodes-ehr.ehrFhir',
					typeVersion: 1,
					parameters: {
						authentication: 'onpatientOAuth2Api',
						resource: 'immunization',
						operation: 'list',
						scope: 'patient',
						patientId: { __rl: true, mode: 'id', value: PATIENT },
						returnAll: true,
						simplify: SIMPLIFY,
					},
					credentials: { onpatientOAuth2Api: CRED.onpatient },
				},
			]),
			webhookWorkflow(
				'benchPagHttp0001',
				'Bench: HTTP Request pagination + Split Out',
				'bench-list-http',
				[
					httpRequest(
						listUrl,
						CRED.headerOnpatient,
						'={{ $response.body.next }}',
						'={{ !$response.body.next }}',
						'application/json',
					),
					splitOut('results'),
				],
			),
			webhookWorkflow('benchSrchOurs001', 'Bench: EHR FHIR Search Observation', 'bench-search', [
				{
					name: 'EHR FHIR',
					type: 'n8n-nodes-ehr.ehrFhir',
					typeVersion: 1,
					parameters: {
						authentication: 'smartOnFhirOAuth2Api',
						resource: 'resource',
						operation: 'search',
						resourceType: 'Observation',
						searchBy: 'query',
						query: `patient=${PATIENT}&_count=${PAGE}`,
						returnAll: true,
						simplify: SIMPLIFY,
					},
					credentials: { smartOnFhirOAuth2Api: CRED.smart },
				},
			]),
			webhookWorkflow(
				'benchSrchHttp001',
				'Bench: HTTP Request Bundle pagination + Split Out',
				'bench-search-http',
				[
					httpRequest(
						searchUrl,
						CRED.headerSmart,
						`={{ ${nextLink} }}`,
						`={{ !${nextLink} }}`,
						'application/fhir+json',
					),
					splitOut('entry'),
				],
			),
		);

		function cases(e: BenchN8n): Array<[string, () => Promise<number>]> {
			const seen: Record<string, Set<string>> = Object.fromEntries(
				workflows.map((w) => [w.id, new Set<string>()]),
			);
			const sum = (r: { nodeMs: Record<string, number> }, names: string[]) =>
				names.reduce((s, n) => s + r.nodeMs[n], 0);
			const expectItems = (r: WebhookRun, node: string) => {
				if (r.nodeItems[node] !== COUNT) {
					const outputs = Object.entries(r.nodeJson)
						.map(
							([n, items]) =>
								`${n}: ${items.length} items, first ${JSON.stringify(items[0] ?? null).slice(0, 300)}`,
						)
						.join('\n  ');
					throw new Error(
						`${node} returned ${r.nodeItems[node]} items, expected ${COUNT}:\n  ${outputs}`,
					);
				}
			};
			const inN8n = (wfId: string, path: string, nodes: string[], last: string) => async () => {
				const r = await runWebhook(e, wfId, path, seen[wfId]);
				expectItems(r, last);
				return sum(r, nodes);
			};
			const fetchLoop =
				(
					first: string,
					token: string,
					accept: string,
					page: (b: any) => { items: unknown[]; next?: string },
				) =>
				async (): Promise<number> => {
					const t0 = process.hrtime.bigint();
					const items: unknown[] = [];
					let url: string | undefined = first;
					while (url) {
						const res = await fetch(url, {
							headers: { Authorization: `Bearer ${token}`, Accept: accept },
						});
						if (!res.ok) throw new Error(`HTTP ${res.status}`);
						const p = page(await res.json());
						for (const x of p.items) items.push(x);
						url = p.next;
					}
					const ms = Number(process.hrtime.bigint() - t0) / 1e6;
					if (items.length !== COUNT) throw new Error(`fetch loop read ${items.length} items`);
					return ms;
				};
			return [
				['a', inN8n('benchPagOurs0001', 'bench-list', ['EHR FHIR'], 'EHR FHIR')],
				[
					'b',
					inN8n('benchPagHttp0001', 'bench-list-http', ['HTTP Request', 'Split Out'], 'Split Out'),
				],
				[
					'c',
					fetchLoop(listUrl, onTok.access_token, 'application/json', (b) => ({
						items: b.results,
						next: b.next ?? undefined,
					})),
				],
				['d', inN8n('benchSrchOurs001', 'bench-search', ['EHR FHIR'], 'EHR FHIR')],
				[
					'e',
					inN8n(
						'benchSrchHttp001',
						'bench-search-http',
						['HTTP Request', 'Split Out'],
						'Split Out',
					),
				],
				[
					'f',
					fetchLoop(searchUrl, smartTok.access_token, 'application/fhir+json', (b) => ({
						items: (b.entry ?? []).map((x: { resource: unknown }) => x.resource),
						next: b.link?.find((l: { relation: string }) => l.relation === 'next')?.url,
					})),
				],
			];
		}

		async function timing(e: BenchN8n): Promise<void> {
			const all = cases(e);
			console.log('warm-up run of each…');
			for (const [, fn] of all) await fn();
			const times: Record<string, number[]> = Object.fromEntries(all.map(([k]) => [k, []]));
			for (let i = 0; i < RUNS; i++) {
				const order = i % 2 === 0 ? all : [...all].reverse();
				for (const [k, fn] of order) times[k].push(await fn());
				process.stdout.write(`  run ${i + 1}/${RUNS} done\n`);
			}
			const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
			const pages = Math.ceil(COUNT / PAGE);
			const load = os.loadavg()[0];
			const row = (k: string, label: string) =>
				console.log(
					`  (${k}) ${label.padEnd(62)} ${m[k].toFixed(1).padStart(8)} ms  ${runsList(times[k])}`,
				);
			console.log(
				`\nreal n8n 2.41.1: ${COUNT} resources in ${pages} pages of ${PAGE}, median of ${RUNS} interleaved runs, per-node executionTime from n8n's run data; simplify=${SIMPLIFY}`,
			);
			row('a', 'EHR FHIR List Immunizations, Return All (n8n)');
			row('b', 'HTTP Request "Response Contains Next URL" + Split Out (n8n)');
			row('c', 'plain fetch loop following next (bench process)');
			console.log(
				`  per page: (a) ${(m.a / pages).toFixed(2)} ms, (b) ${(m.b / pages).toFixed(2)} ms, (c) ${(m.c / pages).toFixed(2)} ms`,
			);
			console.log(
				`  ratio a/c (ours / fetch loop):             ${ratioLine(m.a / m.c, 2.0, false, 1.5)}`,
			);
			console.log(`  ratio a/b (ours / HTTP Request + Split Out): ${ratioLine(m.a / m.b, 0.6)}`);
			row('d', 'EHR FHIR Search Observation, Return All (n8n)');
			row('e', 'HTTP Request Bundle next link + Split Out (n8n)');
			row('f', 'plain fetch loop over Bundle next links (bench process)');
			console.log(
				`  per page: (d) ${(m.d / pages).toFixed(2)} ms, (e) ${(m.e / pages).toFixed(2)} ms, (f) ${(m.f / pages).toFixed(2)} ms`,
			);
			console.log(
				`  ratio d/f (ours / fetch loop):             ${ratioLine(m.d / m.f, 2.0, false, 1.5)}`,
			);
			console.log(`  ratio d/e (ours / HTTP Request + Split Out): ${ratioLine(m.d / m.e, 0.6)}`);
			console.log(
				`  load average (1 min) at the end: ${load.toFixed(2)} on ${os.cpus().length} cores (other sessions may share the machine: compare the ratios, taken in the same interleaved runs)`,
			);
		}

		const release = await waitForLock();
		try {
			if (RUNS > 0) {
				env = await startBenchN8n({ credentials, workflows, lock: false });
				await timing(env);
				await env.stop();
				env = undefined;
			}
			if (PROFILE) {
				const profileDir = mkdtempSync(join(tmpdir(), 'n8n-ehr-cpuprof-'));
				env = await startBenchN8n({
					credentials,
					workflows,
					lock: false,
					n8n: {
						env: {
							NODE_OPTIONS: `--max-old-space-size=1536 --cpu-prof --cpu-prof-dir=${profileDir}`,
						},
					},
				});
				const chosen = cases(env).filter(([k]) => PROFILE.includes(k));
				const n = Number(process.env.BENCH_PROFILE_RUNS ?? 6);
				for (let i = 0; i < n; i++)
					for (const [k, fn] of chosen)
						console.log(`  profiled (${k}) ${(await fn()).toFixed(1)} ms`);
				await env.stop();
				env = undefined;
				console.log(`\nprofile of n8n while it ran case(s) ${PROFILE} ${n} times (${profileDir}):`);
				printSummary(
					summarize(loadProfiles(profileDir)),
					Number(process.env.BENCH_PROFILE_TOP ?? 30),
				);
			}
		} finally {
			await env?.stop().catch((err) => console.error(err));
			release();
		}
	} finally {
		await sb.close();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
