// The OAuth client registry of the sandbox, loaded from sandbox/clients.json (or
// SandboxOptions.clientsFile). Every rule the token endpoints enforce about a client comes from
// its entry here: how it authenticates, where it may redirect, which scopes it may ask for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scopeAllows } from '../tokens';

export type TokenEndpointAuth =
	'client_secret_post' | 'client_secret_basic' | 'both' | 'none' | 'private_key_jwt';

export interface PublicJwk {
	kty: string;
	kid?: string;
	alg?: string;
	use?: string;
	crv?: string;
	[k: string]: unknown;
}

export interface ClientRegistration {
	surface: string;
	client_id: string;
	client_secret?: string;
	token_endpoint_auth: TokenEndpointAuth;
	redirect_uris: string[];
	scopes: string[];
	jwks?: { keys: PublicJwk[] };
}

export const DEFAULT_CLIENTS_FILE = join(__dirname, '..', 'clients.json');

const AUTH_METHODS: TokenEndpointAuth[] = [
	'client_secret_post',
	'client_secret_basic',
	'both',
	'none',
	'private_key_jwt',
];

export class ClientRegistry {
	private readonly byKey = new Map<string, ClientRegistration>();

	constructor(readonly clients: ClientRegistration[]) {
		for (const c of clients) {
			if (!c.surface || !c.client_id)
				throw new Error('clients file: every client needs surface and client_id');
			if (!AUTH_METHODS.includes(c.token_endpoint_auth)) {
				throw new Error(
					`clients file: ${c.client_id} has unknown token_endpoint_auth "${String(c.token_endpoint_auth)}"`,
				);
			}
			const confidential = ['client_secret_post', 'client_secret_basic', 'both'].includes(
				c.token_endpoint_auth,
			);
			if (confidential && !c.client_secret)
				throw new Error(`clients file: ${c.client_id} needs a client_secret`);
			if (c.token_endpoint_auth === 'private_key_jwt' && !c.jwks?.keys?.length) {
				throw new Error(`clients file: ${c.client_id} (private_key_jwt) needs a jwks with keys`);
			}
			c.redirect_uris ??= [];
			c.scopes ??= [];
			this.byKey.set(`${c.surface}|${c.client_id}`, c);
		}
	}

	static load(file = DEFAULT_CLIENTS_FILE): ClientRegistry {
		const parsed = JSON.parse(readFileSync(file, 'utf8')) as
			{ clients?: ClientRegistration[] } | ClientRegistration[];
		return new ClientRegistry(Array.isArray(parsed) ? parsed : (parsed.clients ?? []));
	}

	/**
	 * Registers `uris` as redirect URIs of every client that signs users in through a browser (those
	 * the clients file gives redirect URIs), e.g. the OAuth callback of an n8n on another port.
	 */
	addRedirectUris(uris: string[]): void {
		for (const c of this.clients) {
			if (!c.redirect_uris.length) continue;
			for (const u of uris) if (!c.redirect_uris.includes(u)) c.redirect_uris.push(u);
		}
	}

	get(surface: string, clientId: string | undefined): ClientRegistration | undefined {
		if (!clientId) return undefined;
		return this.byKey.get(`${surface}|${clientId}`);
	}
}

/** n8n's OAuth2 callback URLs for an n8n listening on `port` of this machine (127.0.0.1 and localhost). */
export function n8nCallbackUris(port: number): string[] {
	return [
		`http://127.0.0.1:${port}/rest/oauth2-credential/callback`,
		`http://localhost:${port}/rest/oauth2-credential/callback`,
	];
}

export function isPublic(c: ClientRegistration): boolean {
	return c.token_endpoint_auth === 'none';
}

/** Splits a scope parameter on spaces and on `+` (MyPatientPortal's documented separator). */
export function parseScopes(raw: string | null | undefined): string[] {
	if (!raw) return [];
	return [...new Set(raw.split(/[\s+]+/).filter((s) => s.length > 0))];
}

/** Scopes of `requested` the client is not registered for (SMART wildcards honoured). */
export function unallowedScopes(client: ClientRegistration, requested: string[]): string[] {
	return requested.filter((s) => !client.scopes.includes(s) && !scopeAllows(client.scopes, s));
}
