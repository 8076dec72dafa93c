// Get Public JWKS: the public key set derived from the SMART Backend Services credential's
// private key, to paste into the server's client registration. Never outputs private parts.
import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { publicJwks } from '../../shared/jwt';
import type { Ctx } from '../../shared/bulk/types';

export async function execute(ctx: Ctx, credentialType: string, i: number): Promise<INodeExecutionData[]> {
	if (credentialType !== 'smartBackendServicesApi') {
		throw new NodeOperationError(ctx.getNode(), 'Get Public JWKS needs the SMART Backend Services credential', {
			itemIndex: i,
			description: 'Set Authentication to "SMART Backend Services (System)"; only that credential holds a private key.',
		});
	}
	const c = await ctx.getCredentials(credentialType);
	try {
		const jwks = publicJwks(String(c.privateKey ?? ''), String(c.keyId ?? ''), String(c.algorithm ?? 'RS384'));
		return [
			{
				json: jwks as unknown as Record<string, never>,
				pairedItem: { item: i },
			},
		];
	} catch (e) {
		throw new NodeOperationError(ctx.getNode(), `Could not derive the public JWKS: ${(e as Error).message}`, {
			itemIndex: i,
			description: 'Check the private key (PEM or JWK) and the algorithm in the credential.',
		});
	}
}
