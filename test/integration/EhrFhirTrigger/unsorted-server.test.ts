// EHR FHIR Trigger against a server that ignores `_sort` and `_lastUpdated` (the ad-hoc FHIR
// server on the sandbox, SMART credential: its profile says the server sorts). The trigger sees
// the pages out of order, reads every page, sorts by meta.lastUpdated itself and still delivers
// each change once, oldest first, across polls bounded by Max Items per Poll.
import type { Sandbox } from '../../../sandbox/server';
import { sendJson } from '../../../sandbox/http';
import { withSandbox } from '../../helpers/sandbox';
import { runPoll } from '../../harness';
import { EhrFhirTrigger } from '../../../nodes/EhrFhirTrigger/EhrFhirTrigger.node';
import { AD_HOC_FHIR, adHocCredentials, serveAdHocFhir } from '../EhrFhir/helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());

const imm = (id: string, lastUpdated: string, versionId = '1') => ({
	resourceType: 'Immunization',
	id,
	meta: { versionId, lastUpdated },
	status: 'completed',
});

it('pages out of order: every page read, sorted, each change once, oldest first', async () => {
	const adHoc = serveAdHocFhir(sb);
	// page 1: newest first; page 2: the oldest (whatever the query asks)
	const pages = [
		[imm('c', '2026-03-01T10:00:03Z'), imm('a', '2026-03-01T10:00:01Z')],
		[imm('b', '2026-03-01T10:00:02Z')],
	];
	const asked: string[] = [];
	adHoc.immunizationSearch = (req, res) => {
		asked.push(req.url.search);
		const page = Number(req.query.get('page') ?? 1);
		sendJson(res, 200, {
			resourceType: 'Bundle',
			type: 'searchset',
			entry: pages[page - 1].map((resource) => ({ resource })),
			link:
				page < pages.length
					? [{ relation: 'next', url: `${sb.url}${AD_HOC_FHIR}/Immunization?page=${page + 1}` }]
					: [],
		});
	};
	const { type, store } = adHocCredentials(sb);
	const staticData = {};
	const poll = async () =>
		(
			await runPoll(EhrFhirTrigger, {
				parameters: {
					authentication: type,
					resourceType: 'Immunization',
					options: { startFrom: '2026-01-01T00:00:00Z', maxItems: 2 },
				} as never,
				credentials: store,
				staticData,
			})
		).output?.[0].map((i) => i.json.id) ?? [];
	expect(await poll()).toEqual(['a', 'b']);
	expect(asked[0]).toContain('_sort=_lastUpdated');
	expect(await poll()).toEqual(['c']);
	expect(await poll()).toEqual([]);
	// an update of b (version 2, newer) comes once
	pages[1] = [imm('b', '2026-03-01T10:00:09Z', '2')];
	expect(await poll()).toEqual(['b']);
	expect(await poll()).toEqual([]);
});
