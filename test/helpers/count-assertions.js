// Counts the assertions every test makes (expect(...) calls that ran), per test file, into
// .test-results/assertions/; scripts/test.js adds them up and prints the total next to the
// passed/failed line, so a change that drops assertions shows in the count.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

let count = 0;
afterEach(() => {
	count += expect.getState().assertionCalls;
});
afterAll(() => {
	const dir = path.join(__dirname, '..', '..', '.test-results', 'assertions');
	fs.mkdirSync(dir, { recursive: true });
	const file = expect.getState().testPath ?? 'unknown';
	const name = crypto.createHash('sha1').update(file).digest('hex').slice(0, 16);
	fs.writeFileSync(
		path.join(dir, `${name}.json`),
		JSON.stringify({ file: path.relative(process.cwd(), file), assertions: count }),
	);
});
