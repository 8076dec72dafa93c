// nodes/shared/http without a network: path segment encoding, URL joining, dot segments in a
// path, the Retry-After header, messages from elsewhere (shortened URLs, whole reasons), and
// error answers read by their status first.
import {
	encodePathSegment,
	hasDotSegment,
	joinUrl,
	parseRetryAfter,
} from '../../nodes/shared/http';
import { failure, sanitizeMessage } from '../../nodes/shared/http/body';
import { htmlText } from '../../nodes/shared/errors';
import { isAbort } from '../../nodes/shared/http/failures';
import type { INode } from 'n8n-workflow';

describe('encodePathSegment', () => {
	it('keeps an id with slashes and dots in one segment', () => {
		expect(encodePathSegment('1/../../Group/1')).toBe('1%2F..%2F..%2FGroup%2F1');
		expect(encodePathSegment('..')).toBe('%2E%2E');
		expect(encodePathSegment('a b?c#d')).toBe('a%20b%3Fc%23d');
		expect(joinUrl('http://h/fhir/', 'Patient', 'x/y')).toBe('http://h/fhir/Patient/x%2Fy');
	});
});

describe('hasDotSegment', () => {
	it('finds . and .. segments, also percent-encoded, only in the path', () => {
		expect(hasDotSegment('http://h/a/../b')).toBe(true);
		expect(hasDotSegment('http://h/a/%2E%2E/b')).toBe(true);
		expect(hasDotSegment('http://h/a/.%2e')).toBe(true);
		expect(hasDotSegment('http://h/a/%2e/')).toBe(true);
		expect(hasDotSegment('http://h/a/.../b')).toBe(false);
		expect(hasDotSegment('http://h/a/b.c?x=../..#..')).toBe(false);
	});
});

describe('parseRetryAfter', () => {
	it('reads seconds and HTTP-dates', () => {
		expect(parseRetryAfter('3')).toBe(3000);
		expect(
			parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
		).toBe(5000);
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('sanitizeMessage', () => {
	it('shortens a long URL, never the reason after it', () => {
		const url = `https://auth.hospital.example/${'tenant/segment/'.repeat(12)}oauth2/token`;
		const reason =
			'invalid_scope: the scope system/*.$export is not registered for this client; ask the administrator to grant it or use system/*.read. '
				.repeat(3)
				.trim();
		const msg = `SMART Backend Services token request to ${url} failed (HTTP 400: ${reason}). Check Scope: only system/ scopes your app is registered for can be granted.`;
		expect(msg.length).toBeGreaterThan(300);
		expect(sanitizeMessage(msg)).toBe(
			`SMART Backend Services token request to https://auth.hospital.example/…/token failed (HTTP 400: ${reason}). Check Scope: only system/ scopes your app is registered for can be granted.`,
		);
		expect(sanitizeMessage('at https://x.example/short/path failed')).toBe(
			'at https://x.example/short/path failed',
		);
		expect(sanitizeMessage('Bearer abc.def refused')).toBe('Bearer [redacted] refused');
	});

	it('bounds only a text longer than any real reason', () => {
		expect(sanitizeMessage('z'.repeat(5000))).toBe(`${'z'.repeat(2000)}…`);
	});
});

describe('failure: the status decides before the content type', () => {
	const node = {
		id: 'n',
		name: 'Probe',
		type: 'probe',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	} as INode;
	const html = { 'content-type': 'text/html; charset=utf-8' };

	it('401 / 403 quote plain text sent as text/html, or the text of a page', () => {
		expect(failure(node, 'Get thing', 401, 'Token expired', html, 0, '').message).toBe(
			'Get thing failed (HTTP 401): Token expired',
		);
		const page = failure(
			node,
			'Get thing',
			401,
			'<html><head><title>Unauthorized</title></head><body><h1>Unauthorized</h1><p>Invalid token</p></body></html>',
			html,
			0,
			'',
		);
		expect(page.message).toBe('Get thing failed (HTTP 401): Unauthorized — Invalid token');
		expect(page.description).toBe(
			'The access was refused: reconnect the credential (its token may have expired or been revoked).',
		);
		expect(
			failure(node, 'Get thing', 403, '<html><body>Access denied</body></html>', {}, 0, '').message,
		).toBe('Get thing failed (HTTP 403): Access denied');
	});

	it('429 / 503 pages get the status message, other statuses the HTML hint', () => {
		expect(
			failure(
				node,
				'Get thing',
				503,
				'<html><body>Service Unavailable</body></html>',
				html,
				0,
				' after 5 attempts',
			).message,
		).toBe('Get thing failed (HTTP 503) after 5 attempts');
		expect(
			failure(node, 'Get thing', 429, '<html><body>Slow down</body></html>', html, 0, '')
				.description,
		).toBe(
			'The vendor is rate-limiting this app: wait and run the workflow again, or lower how often it runs.',
		);
		expect(
			failure(node, 'Get thing', 500, '<html><body>Oops</body></html>', html, 0, '').message,
		).toBe(
			'Get thing failed: the server answered with an HTML page (status 500), check the base URL',
		);
	});

	it('htmlText: title and text once, no scripts or styles, short', () => {
		expect(
			htmlText(
				'<html><head><title>403 Forbidden</title><style>x{}</style></head><body><script>1</script><h1>403 Forbidden</h1><hr>nginx</body></html>',
			),
		).toBe('403 Forbidden — nginx');
		expect(htmlText(`<p>${'word '.repeat(100)}</p>`)).toBe(`${'word '.repeat(40).trim()}…`);
	});
});

describe('isAbort', () => {
	it('knows a cancelled request in each form n8n hands it over (axios CanceledError, its code, a NodeApiError with httpCode ERR_CANCELED)', () => {
		expect(isAbort({ name: 'CanceledError' })).toBe(true);
		expect(isAbort({ code: 'ERR_CANCELED' })).toBe(true);
		expect(isAbort({ cause: { code: 'ERR_CANCELED' } })).toBe(true);
		expect(isAbort({ httpCode: 'ERR_CANCELED', message: 'canceled' })).toBe(true);
		expect(isAbort({ httpCode: '503' })).toBe(false);
		expect(isAbort(new Error('socket hang up'))).toBe(false);
	});
});
