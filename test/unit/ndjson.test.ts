// The NDJSON check (nodes/shared/bulk/ndjson.ts) checks each line in place in the chunk it arrived
// in, and copies only a line cut by a chunk's end: the same content cut into chunks of every size
// gives the same count and the same verdict, whatever the line looks like.
import { NdjsonChecker, NdjsonCheckError } from '../../nodes/shared/bulk/ndjson';

const fileName = 'Patient-1.ndjson';

/** runs the checker over `text` cut into chunks of `size` bytes: lines, or the error message */
function check(text: string, size: number, o: { expectedType?: string; onLine?: boolean } = {}) {
	const seen: string[] = [];
	const c = new NdjsonChecker({
		fileName,
		expectedType: o.expectedType ?? 'Patient',
		validate: true,
		onLine: o.onLine ? (line) => seen.push(line.toString('utf8')) : undefined,
	});
	const all = Buffer.from(text);
	try {
		for (let at = 0; at < all.length; at += size) c.write(all.subarray(at, at + size));
		c.end();
	} catch (e) {
		expect(e).toBeInstanceOf(NdjsonCheckError);
		return { error: (e as Error).message, lines: c.lines, seen };
	}
	return { lines: c.lines, bytes: c.bytes, seen };
}

const good = [
	'{"resourceType":"Patient","id":"a"}',
	'  {"id":"b","resourceType":"Patient"}',
	'{"resourceType" : "Patient","id":"c"}\r',
	'',
	'{"meta":{},"resourceType":"Patient","id":"d"} \t',
	'{"resourceType":"Patient","name":[{"text":"é ü 漢字"}]}',
].join('\n');

it('the same lines, bytes and resources whatever the chunk size', () => {
	const whole = check(good, 1 << 20, { onLine: true });
	expect(whole).toEqual({
		lines: 5,
		bytes: Buffer.byteLength(good),
		seen: [
			'{"resourceType":"Patient","id":"a"}',
			'  {"id":"b","resourceType":"Patient"}',
			'{"resourceType" : "Patient","id":"c"}',
			'{"meta":{},"resourceType":"Patient","id":"d"}',
			'{"resourceType":"Patient","name":[{"text":"é ü 漢字"}]}',
		],
	});
	for (let size = 1; size <= Buffer.byteLength(good) + 1; size++) {
		expect(check(good, size, { onLine: true })).toEqual(whole);
		expect(check(good, size).lines).toBe(5);
	}
});

it('a line of another type, a line without resourceType, a cut line: the same error at every chunk size', () => {
	const cases: Array<[string, RegExp]> = [
		[
			'{"resourceType":"Patient","id":"a"}\n{"resourceType":"Patients","id":"b"}\n',
			/line 2 has resourceType "Patients" but the manifest lists this file as Patient/,
		],
		[
			'{"resourceType":"Patient","id":"a"}\n{"resourceType":"Observation"}\n',
			/line 2 has resourceType "Observation"/,
		],
		['{"resourceType":"Patient"}\n{"id":"x"}\n', /line 2 has resourceType \(none\)/],
		[
			// the type far into the line (more than 64 bytes in) still names the type it has
			`{"id":"${'x'.repeat(80)}","resourceType":"Observation"}\n`,
			/line 1 has resourceType "Observation"/,
		],
		['{"resourceType":"Patient","id":"a"}\n{"resourceType":"Pat', /ends in the middle of line 2/],
		['{"resourceType":"Patient","id":"a"\n', /line 1 is not a complete JSON object/],
	];
	for (const [text, message] of cases) {
		const whole = check(text, 1 << 20);
		expect(whole.error).toMatch(message);
		for (let size = 1; size <= text.length; size++)
			expect(check(text, size).error).toBe(whole.error);
	}
	// the resourceType of the next line is not taken for this line's
	const mixed = '{"id":"x"}\n{"resourceType":"Patient"}\n';
	for (let size = 1; size <= mixed.length; size++)
		expect(check(mixed, size).error).toMatch(/line 1 has resourceType \(none\)/);
	// a type far into the line is found (no fixed position)
	const far = `{"id":"${'x'.repeat(80)}","resourceType":"Patient"}\n`;
	for (let size = 1; size <= far.length; size++) expect(check(far, size).lines).toBe(1);
});
