// nodes/shared/credentials-util.ts against a sandbox token endpoint: withoutSecrets and
// tokenErrorMessage keep the credential's secret values out of a token request's error, even when
// the endpoint echoes them (that error is what n8n shows in the node and in the credential test).
import { withSandbox } from '../../helpers/sandbox';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson } from '../../../sandbox/http';
import { n8nHttpRequest } from '../../harness/http';
import { OneUpHealthApi } from '../../../credentials/OneUpHealthApi.credentials';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
	sb.app.route('POST', '/rc/1up/oauth2/token', 'oneup', (req, res) => {
		const form = req.form();
		sendJson(res, 401, { error: 'invalid_client', error_description: `secret ${form.client_secret} and refresh ${form.refresh_token} refused` });
	});
});
afterAll(() => sb.close());

describe('withoutSecrets around a token request', () => {
	it('1upHealth preAuthentication: the echoed client secret and refresh token are not in the error', async () => {
		const helper = { helpers: { httpRequest: async (o: IHttpRequestOptions) => await n8nHttpRequest(o) } } as unknown as IHttpRequestHelper;
		const credentials: ICredentialDataDecryptedObject = {
			clientId: 'oneup-demo',
			clientSecret: 'oneup-demo-secret-XYZ',
			appUserId: 'u1',
			authHost: `${sb.url}/rc/1up`,
			apiHost: `${sb.url}/1up/api`,
			accessToken: '',
			refreshToken: 'rt-echoed-refresh-0001',
		};
		const err = (await new OneUpHealthApi().preAuthentication.call(helper, credentials).catch((e) => e)) as Error;
		expect(err.message).toBe(
			`1upHealth refused the client credentials at ${sb.url}/rc/1up/oauth2/token (HTTP 401: invalid_client: secret [redacted] and refresh [redacted] refused). Check Client ID and Client Secret in the credential.`,
		);
		expect(String(err.stack)).not.toContain('oneup-demo-secret-XYZ');
	});
});
