// The "Use PKCE" field of the oAuth2Api-based SMART credentials. n8n 2.41's OAuth service sends a
// PKCE S256 challenge when grantType is `pkce`, or `authorizationCode` with `usePkce` true, and
// its callback adds the code_verifier next to the client secret (Basic header or form body).
import type { INodeProperties } from 'n8n-workflow';

/** Shown for confidential clients (grantType authorizationCode); on by default. */
export function usePkceProperty(why: string): INodeProperties {
	return {
		displayName: 'Use PKCE',
		name: 'usePkce',
		type: 'boolean',
		default: true,
		displayOptions: { show: { grantType: ['authorizationCode'] } },
		description: `Whether to send a PKCE S256 code challenge with the client secret. ${why} Turn it off only if the server refuses code_challenge. Takes effect on the next Connect.`,
	};
}
