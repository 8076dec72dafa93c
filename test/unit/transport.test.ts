// nodes/shared/http without a network: path segment encoding, URL joining, dot segments in a
// path, the Retry-After header, and messages from elsewhere (shortened URLs, whole reasons).
import { encodePathSegment, hasDotSegment, joinUrl, parseRetryAfter } from '../../nodes/shared/http';
import { sanitizeMessage } from '../../nodes/shared/http/body';

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
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('sanitizeMessage', () => {
	it('shortens a long URL, never the reason after it', () => {
		const url = `https://auth.hospital.example/${'tenant/segment/'.repeat(12)}oauth2/token`;
		const reason = 'invalid_scope: the scope system/*.$export is not registered for this client; ask the administrator to grant it or use system/*.read. '.repeat(3).trim();
		const msg = `SMART Backend Services token request to ${url} failed (HTTP 400: ${reason}). Check Scope: only system/ scopes your app is registered for can be granted.`;
		expect(msg.length).toBeGreaterThan(300);
		expect(sanitizeMessage(msg)).toBe(
			`SMART Backend Services token request to https://auth.hospital.example/…/token failed (HTTP 400: ${reason}). Check Scope: only system/ scopes your app is registered for can be granted.`,
		);
		expect(sanitizeMessage('at https://x.example/short/path failed')).toBe('at https://x.example/short/path failed');
		expect(sanitizeMessage('Bearer abc.def refused')).toBe('Bearer [redacted] refused');
	});

	it('bounds only a text longer than any real reason', () => {
		expect(sanitizeMessage('z'.repeat(5000))).toBe(`${'z'.repeat(2000)}…`);
	});
});
