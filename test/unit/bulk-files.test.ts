// Planning the files of a bulk export manifest (fileJobs): unique file names from the URLs, in
// time linear in the number of files; presigned file URLs as logs and messages show them.
import { fileJobs } from '../../nodes/shared/bulk/download';
import type { BulkManifest } from '../../nodes/shared/bulk/types';
import { redactUrl, scrubFileError } from '../../nodes/shared/bulk/redact';

function manifest(output: Array<{ type: string; url: string }>): BulkManifest {
	return {
		transactionTime: 't',
		request: 'r',
		requiresAccessToken: false,
		output,
		error: [],
		deleted: [],
	};
}

describe('fileJobs', () => {
	it('20,000 files whose URLs end alike (…/download?file=N) get unique names in well under a second', () => {
		const output = Array.from({ length: 20_000 }, (_, n) => ({
			type: 'Patient',
			url: `https://files.example/export/download?file=${n}`,
		}));
		const t0 = Date.now();
		const jobs = fileJobs(manifest(output));
		const ms = Date.now() - t0;
		expect(jobs).toHaveLength(20_000);
		expect(new Set(jobs.map((j) => j.fileName)).size).toBe(20_000);
		expect(jobs.slice(0, 3).map((j) => j.fileName)).toEqual([
			'download.ndjson',
			'download-2.ndjson',
			'download-3.ndjson',
		]);
		expect(ms).toBeLessThan(5000);
	});

	it('names that collide with an already numbered name still come out unique', () => {
		const jobs = fileJobs(
			manifest([
				{ type: 'Patient', url: 'https://f.example/a/Patient-2.ndjson' },
				{ type: 'Patient', url: 'https://f.example/b/Patient.ndjson' },
				{ type: 'Patient', url: 'https://f.example/c/Patient.ndjson' },
				{ type: 'Patient', url: 'https://f.example/d/Patient.ndjson' },
			]),
		);
		expect(jobs.map((j) => j.fileName)).toEqual([
			'Patient-2.ndjson',
			'Patient.ndjson',
			'Patient-3.ndjson',
			'Patient-4.ndjson',
		]);
	});
});

describe('presigned file URLs in logs and messages', () => {
	const url =
		'https://bucket.s3.example/x/Patient-1.ndjson?X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2Babc&X-Amz-Signature=deadbeef1234&sig=s1g&token=tok12345#frag';

	it('redactUrl keeps origin, path and parameter names, replaces every value, drops the fragment', () => {
		expect(redactUrl(url)).toBe(
			'https://bucket.s3.example/x/Patient-1.ndjson?X-Amz-Security-Token=[redacted]&X-Amz-Signature=[redacted]&sig=[redacted]&token=[redacted]',
		);
		expect(redactUrl('https://f.example/a.ndjson')).toBe('https://f.example/a.ndjson');
		expect(redactUrl('not a url?secret=1')).toBe('not a url');
	});

	it('scrubFileError removes the values as written and decoded from message and description', () => {
		const e = Object.assign(new Error('403 for IQoJb3JpZ2luX2VjE+abc and deadbeef1234'), {
			description: 'echo: IQoJb3JpZ2luX2VjE%2Babc tok12345',
		});
		scrubFileError(e, url);
		expect(e.message).toBe('403 for [redacted] and [redacted]');
		expect(e.description).toBe('echo: [redacted] [redacted]');
	});
});
