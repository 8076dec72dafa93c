// Get Public JWKS: the public key set derived from the SMART Backend Services credential's
// private key, to paste into the server's client registration. Never outputs private parts.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { CREDENTIAL_LABELS } from '../../../shared/credential-types';
import { publicJwks } from '../../../shared/jwt';
import { toItems } from '../../../shared/runner';
import type { OperationContext } from '../../helpers/context';

const KEY_CREDENTIAL = 'smartBackendServicesApi';

/** No parameters: the key comes from the credential. */
export const description: INodeProperties[] = [];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	i: number,
): Promise<INodeExecutionData[]> {
	if (ctx.credentialType !== KEY_CREDENTIAL) {
		throw new NodeOperationError(
			this.getNode(),
			'Get Public JWKS needs the SMART Backend Services credential',
			{
				itemIndex: i,
				description: `Set Authentication to "${CREDENTIAL_LABELS[KEY_CREDENTIAL]}"; only that credential holds a private key.`,
			},
		);
	}
	const c = await this.getCredentials(KEY_CREDENTIAL);
	try {
		const jwks = publicJwks(
			String(c.privateKey ?? ''),
			String(c.keyId ?? ''),
			String(c.algorithm ?? 'RS384'),
		);
		return toItems(jwks as unknown as IDataObject, i);
	} catch (e) {
		throw new NodeOperationError(
			this.getNode(),
			`Could not derive the public JWKS: ${(e as Error).message}`,
			{
				itemIndex: i,
				description: 'Check the private key (PEM or JWK) and the algorithm in the credential.',
			},
		);
	}
}
