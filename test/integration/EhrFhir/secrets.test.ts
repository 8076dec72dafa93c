// EHR FHIR node, secrets echoed by vendors: a FHIR server whose error body repeats the access token
// and the client secret in words the token pattern does not know ("token X rejected", "secret Y"),
// and a 1upHealth token endpoint that repeats the client secret and the refresh token. Neither reaches the NodeApiError
// (message, description, cause, context, stack) nor the continue-on-fail item. Real execute
// (harness) against ad-hoc sandbox routes.
import { NodeApiError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { sendJson } from '../../../sandbox/http';
import { runNode } from '../../harness';
import { EhrFhir } from '../../../nodes/EhrFhir/EhrFhir.node';
import { PATIENT, byId, credentialsFor } from './fixtures';
import { useFhirSandbox } from './helpers';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
	// a FHIR server that echoes the request's token and the client secret in its error body
	sb.app.route('GET', '/echo/fhir/Patient/:id', 'smart', (req, res) => {
		const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
		sendJson(res, 400, {
			error: 'invalid_request',
			error_description: `token ${token} rejected for client smart-demo using secret smart-demo-secret`,
		});
	});
	// a 1upHealth token endpoint that echoes the client secret
	sb.app.route('POST', '/echo/1up/oauth2/token', 'oneup', (req, res) => {
		const form = req.form();
		sendJson(res, 401, {
			error: 'invalid_client',
			error_description: `client_secret ${form.client_secret} and refresh ${form.refresh_token} are not valid for ${form.client_id}`,
		});
	});
});

function everything(err: NodeApiError): string {
	return JSON.stringify([
		err.message,
		err.description,
		err.messages,
		err.cause,
		err.context,
		String(err.stack),
	]);
}

describe('secrets echoed by the vendor', () => {
	it('the access token and the client secret never reach the error, its cause or the continue-on-fail item', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		store[type].fhirBaseUrl = `${sb.url}/echo/fhir`;
		const token = (store[type].oauthTokenData as { access_token: string }).access_token;
		const params = { authentication: type, ...PATIENT, patientId: byId('pt-00001') } as never;
		const err = (await runNode(EhrFhir, { parameters: params, credentials: store }).catch(
			(e) => e,
		)) as NodeApiError;
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toBe(
			'Get Patient pt-00001 failed (HTTP 400): invalid_request: token [redacted] rejected for client smart-demo using secret [redacted]',
		);
		expect(everything(err)).not.toContain(token);
		expect(everything(err)).not.toContain('smart-demo-secret');

		const { output } = await runNode(EhrFhir, {
			parameters: params,
			credentials: store,
			continueOnFail: true,
		});
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(output[0][0].json.error).toBe(err.message);
		expect(JSON.stringify(output)).not.toContain(token);
		expect(JSON.stringify(output)).not.toContain('smart-demo-secret');
	});

	it('1upHealth: a token endpoint that echoes the client secret and the refresh token puts neither in the node error', async () => {
		const { type, store } = credentialsFor(sb, 'oneup-r4');
		Object.assign(store[type], {
			authHost: `${sb.url}/echo/1up`,
			accessToken: '',
			refreshToken: 'rt-echo-refresh-0001',
			clientSecret: 'oneup-demo-secret-XYZ',
		});
		const err = (await runNode(EhrFhir, {
			parameters: { authentication: type, ...PATIENT, patientId: byId('pt-00001') } as never,
			credentials: store,
		}).catch((e) => e)) as NodeApiError;
		expect(err).toBeInstanceOf(NodeApiError);
		expect(err.message).toContain('invalid_client');
		expect(err.message).toBe(
			`Get Patient pt-00001 failed: the credential could not get an access token: 1upHealth refused the client credentials at ${sb.url}/echo/1up/oauth2/token (HTTP 401: invalid_client: client_secret [redacted] and refresh [redacted] are not valid for oneup-demo).`,
		);
		expect(err.description).toBe('Check Client ID and Client Secret in the credential.');
		expect(everything(err)).not.toContain('oneup-demo-secret-XYZ');
		expect(everything(err)).not.toContain('rt-echo-refresh-0001');
	});
});
