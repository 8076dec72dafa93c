// Review: Resources output with Max Items against a file the manifest gives no count for — the
// node stops reading at Max Items instead of holding (or waiting for) the whole file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { runBulk } from './bulk/helpers';
import type { INodeParameters } from 'n8n-workflow';

describe('review: Bulk resources mode, Max Items and files without a count', () => {
	let sb: Sandbox;
	let srv: http.Server;
	let files: string;
	let linesSent = 0;
	const sockets = new Set<import('node:net').Socket>();
	const run = (p: INodeParameters, extra: Parameters<typeof runBulk>[2] = {}) => runBulk(sb, p, extra);
	const manifest = (url: string) =>
		JSON.stringify({ transactionTime: '2025-01-01T00:00:00Z', request: 'x', requiresAccessToken: false, output: [{ type: 'Patient', url }], error: [] });

	beforeAll(async () => {
		sb = await withSandbox({ patients: 5 });
		// a file host that streams Patient lines without end (a runaway export)
		srv = http.createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
			let n = 0;
			const pump = () => {
				while (!res.destroyed) {
					linesSent++;
					if (!res.write(`${JSON.stringify({ resourceType: 'Patient', id: `p${n++}` })}\n`)) {
						res.once('drain', pump);
						return;
					}
				}
			};
			pump();
		});
		srv.on('connection', (s) => {
			sockets.add(s);
			s.on('close', () => sockets.delete(s));
		});
		await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
		files = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		sb.close();
		for (const s of sockets) s.destroy();
		await new Promise((r) => srv.close(r));
	});

	it('an endless file without a count: a clear Max Items error, the download stopped, per input item with continueOnFail', async () => {
		const { output } = await run(
			{ operation: 'downloadFiles', outputMode: 'resources', maxItems: 50, manifest: '={{ $json.m }}' },
			{ items: [{ json: { m: manifest(`${files}/a.ndjson`) } }, { json: { m: manifest(`${files}/b.ndjson`) } }], continueOnFail: true },
		);
		expect(output[0]).toHaveLength(2);
		expect(output[0].map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const o of output[0]) expect(String(o.json.error)).toBe('The export has more than 50 resources (the Max Items limit of the Resources output)');
		await new Promise((r) => setTimeout(r, 100));
		expect(sockets.size).toBe(0);
	}, 15_000);
});
