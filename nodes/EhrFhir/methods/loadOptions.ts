// The Resource Type and Search Parameter dropdowns: from the server's CapabilityStatement (read
// once per dropdown load), or the vendor profile's list; a server that says nothing gets the
// common FHIR R4 types and parameters.
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { getVendorProfile } from '../../shared/vendors';
import { loadCapabilities } from '../helpers/capabilities';

const COMMON_TYPES = [
	'AllergyIntolerance',
	'Appointment',
	'CarePlan',
	'Condition',
	'Coverage',
	'Device',
	'DiagnosticReport',
	'DocumentReference',
	'Encounter',
	'Goal',
	'Immunization',
	'Location',
	'Medication',
	'MedicationRequest',
	'Observation',
	'Organization',
	'Patient',
	'Practitioner',
	'PractitionerRole',
	'Procedure',
	'ServiceRequest',
];

/** parameters every type has (FHIR R4 "all resources" parameters) */
const COMMON_PARAMS = [
	{ name: '_id', type: 'token', description: 'The resource ID' },
	{
		name: '_lastUpdated',
		type: 'date',
		description: 'When the resource last changed, e.g. ge2024-01-01',
	},
];

async function capabilities(ctx: ILoadOptionsFunctions) {
	const credentialType = ctx.getNodeParameter('authentication', 'onpatientOAuth2Api') as string;
	const profile = getVendorProfile(
		credentialType,
		await ctx.getCredentials(credentialType),
		ctx.getNode(),
	);
	return await loadCapabilities(ctx, credentialType, profile);
}

export async function getResourceTypes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const caps = await capabilities(this);
	const types = caps.known ? [...caps.types.keys()] : COMMON_TYPES;
	return [...types].sort().map((t) => ({ name: t, value: t }));
}

export async function getSearchParameters(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const type = String(this.getCurrentNodeParameter('resourceType') ?? '').trim();
	const caps = await capabilities(this);
	const declared = caps.types.get(type)?.searchParams ?? [];
	const params = [
		...COMMON_PARAMS.filter((c) => !declared.some((d) => d.name === c.name)),
		...declared,
	];
	return params
		.sort((a, b) => a.name.localeCompare(b.name))
		.map((p) => ({
			name: p.name,
			value: p.name,
			description:
				'description' in p ? String(p.description) : p.type ? `A ${p.type} parameter` : undefined,
		}));
}
