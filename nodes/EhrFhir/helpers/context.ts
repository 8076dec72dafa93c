// What every EHR FHIR operation needs: the credential type the user picked and its vendor profile.
import type { IExecuteFunctions } from 'n8n-workflow';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';

export interface OperationContext {
	credentialType: string;
	profile: VendorProfile;
}

/** Reads the chosen credential once per execution and builds the vendor profile. */
export async function operationContext(this: IExecuteFunctions): Promise<OperationContext> {
	const credentialType = this.getNodeParameter('authentication', 0) as string;
	const credentials = await this.getCredentials(credentialType);
	return { credentialType, profile: getVendorProfile(credentialType, credentials, this.getNode()) };
}
