// The patient picker "From List": a FHIR Patient search by name on the chosen vendor.
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../shared/http';
import { readPage } from '../../shared/pagination';
import { getVendorProfile } from '../../shared/vendors';
import { simplifyPatient } from '../../shared/fhir';

export async function searchPatients(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentialType = this.getNodeParameter('authentication', 'onpatientOAuth2Api') as string;
	const profile = getVendorProfile(
		credentialType,
		await this.getCredentials(credentialType),
		this.getNode(),
	);
	if (!profile.patientSearch) {
		throw new NodeOperationError(
			this.getNode(),
			`${profile.vendor} has no patient search: choose "By ID" and enter the patient's ID`,
		);
	}
	const origin = new URL(profile.fhirBaseUrl).origin;
	const sameServer = (u: string | undefined): u is string => {
		try {
			return !!u && new URL(u).origin === origin;
		} catch {
			return false;
		}
	};
	// the next page link of a previous search, only on the same server (never handed out otherwise)
	const first = !sameServer(paginationToken);
	const url = first ? joinUrl(profile.fhirBaseUrl, 'Patient') : paginationToken;
	const res = await apiRequest.call(this, credentialType, {
		method: 'GET',
		url,
		qs: first
			? {
					...(filter ? { name: filter } : {}),
					...(profile.pageSizeParam
						? { [profile.pageSizeParam]: Math.min(20, profile.maxPageSize) }
						: {}),
				}
			: undefined,
		headers: { Accept: profile.accept },
		what: 'Search patients',
	});
	const { entries, next } = readPage(res.body);
	const results = entries
		.filter((e) => (e as IDataObject)?.resourceType === 'Patient')
		.map((e) => {
			const p = simplifyPatient(e);
			const name = [p.givenName, p.familyName].filter(Boolean).join(' ') || String(p.id);
			return {
				name: `${name}${p.birthDate ? ` (${String(p.birthDate)})` : ''}`,
				value: String(p.id),
				url: joinUrl(profile.fhirBaseUrl, 'Patient', String(p.id)),
			};
		});
	let nextUrl: string | undefined;
	try {
		nextUrl = next ? new URL(next, res.url).toString() : undefined;
	} catch {
		nextUrl = undefined;
	}
	// a next link to another server is not followed (the token would go there): no more pages
	return { results, paginationToken: sameServer(nextUrl) ? nextUrl : undefined };
}
