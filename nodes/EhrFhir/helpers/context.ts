// What every EHR FHIR operation needs: the credential type the user picked, its vendor profile and
// what the server can do (its CapabilityStatement, read at the first operation that needs it).
import type { IExecuteFunctions } from 'n8n-workflow';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';
import { CapabilityCache } from './capabilities';

export interface OperationContext {
	credentialType: string;
	profile: VendorProfile;
	capabilities: CapabilityCache;
}

/** Reads the chosen credential once per execution and builds the vendor profile. */
export async function operationContext(this: IExecuteFunctions): Promise<OperationContext> {
	const credentialType = this.getNodeParameter('authentication', 0) as string;
	const credentials = await this.getCredentials(credentialType);
	const profile = getVendorProfile(credentialType, credentials, this.getNode());
	return {
		credentialType,
		profile,
		capabilities: new CapabilityCache(this, credentialType, profile),
	};
}
