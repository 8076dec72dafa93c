// nodes/shared/http without a network: path segment encoding, URL joining, dot segments in a
// path, and the Retry-After header.
import { encodePathSegment, hasDotSegment, joinUrl, parseRetryAfter } from '../../nodes/shared/http';

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
