// Download Export Files, Files output, around WHOLE_FILE_BYTES: a file that fits is read whole
// and handed to n8n's binary store as one buffer; a larger one is streamed with its first bytes
// put back in front of the stream. Either way the stored bytes are exactly the server's, every
// line is counted once (the bytes put back are not checked twice), a bad line is found on either
// side of the boundary, and n8n's database binary mode (a 'data' listener, the default in queue
// mode) gets the whole stream too.
import { gzipSync } from 'node:zlib';
import { WHOLE_FILE_BYTES } from '../../../../nodes/shared/bulk/download';
import { readBinary, setBinaryStreamMode } from '../../../harness';
import { startHostile, type Hostile } from '../../../helpers/hostile';
import { useBulkSandbox } from '../helpers';

const line = (id: number) =>
	`${JSON.stringify({ resourceType: 'Patient', id: `p${id}`, text: 'x'.repeat(200) })}\n`;

/** NDJSON of `n` lines; `badAt` (1-based) is a line of another resource type */
function ndjson(n: number, badAt?: number): Buffer {
	const parts: string[] = [];
	for (let i = 1; i <= n; i++)
		parts.push(
			i === badAt ? `${JSON.stringify({ resourceType: 'Observation', id: `o${i}` })}\n` : line(i),
		);
	return Buffer.from(parts.join(''));
}

/** NDJSON with as many lines as fit in `bytes` */
function upTo(bytes: number): Buffer {
	const parts: string[] = [];
	let size = 0;
	for (let i = 1; size + line(i).length <= bytes; i++) {
		parts.push(line(i));
		size += line(i).length;
	}
	return Buffer.from(parts.join(''));
}

describe('Download Export Files: files that fit in memory and files that do not', () => {
	const bulk = useBulkSandbox({ patients: 2 });
	let host: Hostile;
	const perLine = line(1).length;
	const small = ndjson(Math.floor(WHOLE_FILE_BYTES / perLine / 2)); // about half the bound
	const exact = upTo(WHOLE_FILE_BYTES); // as many lines as fit in the bound
	const large = ndjson(Math.ceil((WHOLE_FILE_BYTES * 2.5) / perLine));
	const linesOf = (b: Buffer) => b.toString().split('\n').length - 1;
	const badEarly = ndjson(linesOf(large), 1000); // inside the bytes read first
	const badLate = ndjson(linesOf(large), linesOf(large) - 5); // in the streamed part
	const files: Record<string, Buffer> = { small, exact, large, badEarly, badLate };

	beforeAll(async () => {
		const routes: Parameters<typeof startHostile>[0] = {};
		for (const [name, body] of Object.entries(files)) {
			const gz = gzipSync(body);
			routes[`/${name}.ndjson`] = (_q, res) => {
				res.writeHead(200, {
					'content-type': 'application/fhir+ndjson',
					'content-encoding': 'gzip',
				});
				// on the wire in pieces, as a remote server sends it
				let at = 0;
				const next = () => {
					if (at >= gz.length) return void res.end();
					res.write(gz.subarray(at, (at += 64 * 1024)), next);
				};
				next();
			};
		}
		host = await startHostile(routes);
	});
	afterAll(() => host.close());

	const manifest = (names: string[]) =>
		JSON.stringify({
			transactionTime: '2025-01-01T00:00:00Z',
			request: 'x',
			requiresAccessToken: false,
			output: names.map((n) => ({ type: 'Patient', url: `${host.url}/${n}.ndjson` })),
			error: [],
		});

	for (const mode of ['filesystem', 'database'] as const)
		it(`${mode} binary mode: the stored bytes are the server's, every line counted once`, async () => {
			expect(small.length).toBeLessThan(WHOLE_FILE_BYTES);
			expect(exact.length).toBeLessThanOrEqual(WHOLE_FILE_BYTES);
			expect(exact.length).toBeGreaterThan(WHOLE_FILE_BYTES - perLine * 2);
			expect(large.length).toBeGreaterThan(2 * WHOLE_FILE_BYTES);
			setBinaryStreamMode(mode);
			try {
				const { output } = await bulk.run({
					operation: 'downloadFiles',
					manifest: manifest(['small', 'exact', 'large']),
				});
				const byName = new Map(output[0].map((i) => [String(i.json.fileName), i]));
				for (const name of ['small', 'exact', 'large']) {
					const item = byName.get(`${name}.ndjson`)!;
					expect(item.json.error).toBeUndefined();
					const stored = await readBinary(item.binary!.data);
					expect([name, stored.length, stored.equals(files[name])]).toEqual([
						name,
						files[name].length,
						true,
					]);
					expect([name, item.json.lines, item.json.bytes]).toEqual([
						name,
						linesOf(files[name]),
						files[name].length,
					]);
				}
			} finally {
				setBinaryStreamMode('filesystem');
			}
		});

	it('a line of another resource type before and after the boundary: found, with its line number', async () => {
		const { output } = await bulk.run({
			operation: 'downloadFiles',
			manifest: manifest(['badEarly', 'badLate']),
		});
		const errors = output[0].map((i) => [i.json.fileName, i.json.error]);
		expect(errors).toEqual([
			['badEarly.ndjson', expect.stringMatching(/line 1000 .*Observation/)],
			[
				'badLate.ndjson',
				expect.stringMatching(new RegExp(`line ${linesOf(large) - 5} .*Observation`)),
			],
		]);
	});
});
