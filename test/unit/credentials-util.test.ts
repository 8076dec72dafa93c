// nodes/shared/credentials-util.ts and the text helpers of nodes/shared/errors.ts without a
// network: URL field checks, the vendor's words in token and API answers, secrets removed.
import { checkBaseUrl, safeUrl, tokenErrorMessage } from '../../nodes/shared/credentials-util';
import { fieldError } from '../helpers/field-error';
import { redact, vendorMessage } from '../../nodes/shared/errors';

describe('checkBaseUrl', () => {
	it('returns the URL without trailing slashes; plain http only on loopback', () => {
		expect(checkBaseUrl('https://api.example.org/fhir//', 'API Host')).toBe(
			'https://api.example.org/fhir',
		);
		expect(checkBaseUrl(' http://127.0.0.1:4010/x ', 'API Host')).toBe('http://127.0.0.1:4010/x');
		expect(checkBaseUrl('http://[::1]:4010', 'API Host')).toBe('http://[::1]:4010');
		expect(checkBaseUrl('', 'Token URL', { required: false })).toBe('');
	});

	it('names the field in a CredentialFieldError', () => {
		const empty = fieldError(() => checkBaseUrl('  ', 'Auth Host'));
		expect(empty.field).toBe('Auth Host');
		expect(empty.name).toBe('CredentialFieldError');
		expect(empty.message).toBe('Auth Host is empty. Enter the full https:// URL.');
		expect(fieldError(() => checkBaseUrl('not a url', 'Auth Host')).message).toBe(
			'Auth Host "not a url" is not a valid URL. Enter the full https:// URL.',
		);
		expect(fieldError(() => checkBaseUrl('http://emr.example.com', 'Server URL')).message).toBe(
			'Server URL must use https:// (plain http is only allowed for 127.0.0.1, localhost or [::1]); got "http://emr.example.com".',
		);
		expect(fieldError(() => checkBaseUrl('https://u:p@x.example', 'Server URL')).message).toBe(
			'Server URL must not contain a user name or password.',
		);
		expect(fieldError(() => checkBaseUrl('https://x.example/?a=1', 'Server URL')).message).toBe(
			'Server URL must not contain a query string or fragment.',
		);
	});
});

describe('safeUrl', () => {
	it('leaves out the query string', () => {
		expect(safeUrl('https://x.example/token?client_secret=s')).toBe('https://x.example/token');
		expect(safeUrl('nope')).toBe('(invalid URL)');
	});
});

describe('tokenErrorMessage', () => {
	it('reads OAuth and 1upHealth token answers, never empty', () => {
		expect(tokenErrorMessage({ error: 'invalid_grant', error_description: 'bad code' })).toBe(
			'invalid_grant: bad code',
		);
		expect(tokenErrorMessage({ error: 'x', error_description: 'x' })).toBe('x');
		expect(tokenErrorMessage({ error: 'not_found', message: 'user does not exist' })).toBe(
			'not_found: user does not exist',
		);
		expect(tokenErrorMessage({ message: 'm', detail: 'd' })).toBe('m');
		expect(tokenErrorMessage({ detail: 'nope' })).toBe('nope');
		expect(tokenErrorMessage({ raw: '<html>  oops \n page</html>' })).toBe(
			'<html> oops page</html>',
		);
		expect(tokenErrorMessage({ raw: 'x'.repeat(300) })).toBe('x'.repeat(300));
		expect(tokenErrorMessage({ error: { message: 'nested' } })).toBe('no error message');
		expect(tokenErrorMessage({})).toBe('no error message');
	});

	it("keeps the server's error and error_description whole, however long; only beyond any real reason is a text bounded", () => {
		const reason =
			`The client assertion was signed with key "${'k'.repeat(40)}", which is not in the JWKS registered for this client; register the public key or use the key id of a registered key.`.repeat(
				3,
			);
		expect(reason.length).toBeGreaterThan(500);
		expect(tokenErrorMessage({ error: 'invalid_client', error_description: reason })).toBe(
			`invalid_client: ${reason}`,
		);
		expect(tokenErrorMessage({ raw: reason })).toBe(reason);
		expect(
			tokenErrorMessage({ error: 'invalid_client', error_description: 'y'.repeat(5000) }),
		).toBe(`invalid_client: ${'y'.repeat(1000)}…`);
	});

	it('removes what looks like a token', () => {
		expect(
			tokenErrorMessage({
				error: 'invalid_token',
				error_description: 'Bearer abc.def.ghi refused',
			}),
		).toBe('invalid_token: Bearer [redacted] refused');
	});
});

describe('redact', () => {
	it('removes bearer tokens, OAuth tokens, client secrets and at_/rt_ tokens', () => {
		expect(redact('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
		expect(redact('access_token=abcdefghijkl rest')).toBe('access_token=[redacted] rest');
		expect(redact('client_secret: sss&x')).toBe('client_secret: [redacted]&x');
		expect(redact('token at_x_0123456789abcdefXYZ here')).toBe('token [redacted] here');
		expect(redact('plain text')).toBe('plain text');
	});

	it('removes the given secret values (4 characters or more), every time they appear', () => {
		expect(redact('secret-value-123 and secret-value-123', ['secret-value-123'])).toBe(
			'[redacted] and [redacted]',
		);
		expect(redact('abc stays, long-secret goes', ['abc', undefined, 'long-secret'])).toBe(
			'abc stays, [redacted] goes',
		);
	});
});

describe('redact: encoded forms of a secret', () => {
	const SECRET = 'tok/en+Secret=value-0123456789';
	const lowerHex = (t: string) => t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

	it('removes it URL-encoded (component, lower-case hex, form, twice), JSON-escaped and base64 (standard, URL-safe, inside id:secret)', () => {
		const forms = [
			encodeURIComponent(SECRET),
			lowerHex(encodeURIComponent(SECRET)),
			new URLSearchParams({ s: `${SECRET} x` }).toString().slice(2, -2),
			encodeURIComponent(encodeURIComponent(SECRET)),
			JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/'),
			Buffer.from(SECRET).toString('base64'),
			Buffer.from(SECRET).toString('base64url'),
		];
		for (const f of forms)
			expect(redact(`vendor said: ${f} is wrong`, [SECRET])).toBe(
				'vendor said: [redacted] is wrong',
			);
		// at every offset inside a longer base64 value (e.g. a Basic credential echoed without "Basic")
		for (const id of ['a:', 'ab:', 'abc:']) {
			// the whole encoded value goes, padding included
			expect(redact(`value ${Buffer.from(id + SECRET).toString('base64')} end`, [SECRET])).toBe(
				'value [redacted] end',
			);
			expect(redact(`value=${Buffer.from(id + SECRET).toString('base64url')}&x`, [SECRET])).toBe(
				'value=[redacted]&x',
			);
		}
	});

	it('stays linear on a long body: 2 MB of base64 with the secret at the end', () => {
		const body = `${'QUJD'.repeat(512 * 1024)}${Buffer.from(`x${SECRET}`).toString('base64')} tail`;
		const t0 = Date.now();
		expect(redact(body, [SECRET, 'another-secret-value'])).toBe('[redacted] tail');
		expect(Date.now() - t0).toBeLessThan(1000);
	});

	it('removes bearer and Basic credentials, tokens and client secrets written URL-encoded or JSON-escaped, whatever their value', () => {
		expect(redact('Authorization: Bearer%20abc.def%2Fghi rest')).toBe(
			'Authorization: Bearer%20[redacted] rest',
		);
		expect(redact('Bearer+abc.def')).toBe('Bearer+[redacted]');
		expect(redact('"auth":"Bearer abc\\/def\\/ghi"')).toBe('"auth":"Bearer [redacted]"');
		expect(redact('Authorization: Basic Y2xpZW50OnNlY3JldA== sent')).toBe(
			'Authorization: Basic [redacted] sent',
		);
		expect(redact('Basic authentication is not enabled for this client')).toBe(
			'Basic authentication is not enabled for this client',
		);
		expect(redact('refresh_token%3Dabcdefghijkl%26grant_type%3Dx')).toBe(
			'refresh_token%3D[redacted]',
		);
		expect(redact('{\\"access_token\\":\\"abcdefghijkl\\"}')).toBe(
			'{\\"access_token\\":\\"[redacted]"}',
		);
		expect(redact('client_secret%3Dsss%2Fx&y=1')).toBe('client_secret%3D[redacted]&y=1');
	});
});

describe('vendorMessage', () => {
	it('reads every vendor error shape', () => {
		expect(
			vendorMessage({
				resourceType: 'OperationOutcome',
				issue: [{ severity: 'error', code: 'invalid', diagnostics: 'bad' }],
			}),
		).toBe('error/invalid: bad');
		expect(vendorMessage({ validationErrors: { a: ['b'] }, internalErrors: [] })).toBe(
			'validation errors: a: b',
		);
		expect(vendorMessage({ error: 'invalid_grant', error_description: 'bad code' })).toBe(
			'invalid_grant: bad code',
		);
		expect(vendorMessage({ error: 'x', error_description: 'x' })).toBe('x: x');
		expect(vendorMessage({ error: 'not_found', message: 'user does not exist' })).toBe(
			'user does not exist',
		);
		expect(vendorMessage({ error: { message: 'nested' } })).toBe('nested');
		expect(vendorMessage({ errors: ['e1', 'e2'] })).toBe('e1; e2');
		expect(vendorMessage({ title: 't' })).toBe('t');
		expect(vendorMessage(' text ')).toBe('text');
		expect(vendorMessage('{"detail":"json text"}')).toBe('json text');
	});

	it('gives nothing for HTML, non-objects and bodies without a message', () => {
		expect(vendorMessage('<!doctype html><p>x')).toBeUndefined();
		expect(vendorMessage({ raw: 'x' })).toBeUndefined();
		expect(vendorMessage(42)).toBeUndefined();
		expect(vendorMessage(null)).toBeUndefined();
		expect(vendorMessage([1])).toBeUndefined();
	});
});
