// The Appointment resource's dropdowns: eMedicalPractice patients (a search over the Standard
// API's `GET /patient`), providers and facilities; FHIR Practitioners and the chosen
// practitioner's Schedules.
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { apiRequest, joinUrl } from '../../shared/http';
import { readPage } from '../../shared/pagination';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';
import { isRecord, str } from '../../shared/values';

async function profileOf(
	ctx: ILoadOptionsFunctions,
): Promise<{ type: string; profile: VendorProfile }> {
	const type = ctx.getNodeParameter('authentication', 'onpatientOAuth2Api') as string;
	return { type, profile: getVendorProfile(type, await ctx.getCredentials(type), ctx.getNode()) };
}

async function standardApiList(
	ctx: ILoadOptionsFunctions,
	path: string,
	what: string,
	qs?: Record<string, string>,
): Promise<IDataObject[]> {
	const { type, profile } = await profileOf(ctx);
	if (!profile.standardApiBaseUrl)
		throw new NodeOperationError(
			ctx.getNode(),
			`${profile.vendor} has no Standard API: ${what} needs an eMedicalPractice credential`,
		);
	const res = await apiRequest.call(ctx, type, {
		method: 'GET',
		url: joinUrl(profile.standardApiBaseUrl, path),
		qs,
		headers: { Accept: 'application/json' },
		what,
	});
	const data = isRecord(res.body) ? res.body.data : res.body;
	return (Array.isArray(data) ? data : []).filter(isRecord);
}

const person = (r: IDataObject) =>
	[str(r.title), str(r.fname), str(r.lname)].filter(Boolean).join(' ') || String(r.id ?? '');

/** From List of the eMedicalPractice patient: `GET /api/patient` by last name (or first name). */
export async function searchEmpPatients(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const words = (filter ?? '').trim().split(/\s+/).filter(Boolean);
	// the Standard API filters on exact fields: the last word as last name, a first one as first name
	const qs: Record<string, string> = {};
	if (words.length) qs.lname = words[words.length - 1];
	if (words.length > 1) qs.fname = words[0];
	const list = await standardApiList(this, 'patient', 'Search patients', qs);
	return {
		results: list.slice(0, 200).map((p) => ({
			name: `${[str(p.fname), str(p.lname)].filter(Boolean).join(' ') || String(p.pid)}${str(p.DOB) ? ` (${String(p.DOB)})` : ''}`,
			value: String(p.pid ?? p.id),
		})),
	};
}

export async function getEmpProviders(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const list = await standardApiList(this, 'practitioner', 'Load providers');
	return list.map((p) => ({
		name: `${person(p)}${str(p.specialty) ? ` (${String(p.specialty)})` : ''}`,
		value: String(p.id),
	}));
}

export async function getEmpFacilities(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const list = await standardApiList(this, 'facility', 'Load facilities');
	return list.map((f) => ({ name: String(f.name ?? f.id), value: String(f.id) }));
}

async function fhirSearch(
	ctx: ILoadOptionsFunctions,
	type: string,
	qs: Record<string, string>,
	what: string,
) {
	const { type: credentialType, profile } = await profileOf(ctx);
	const res = await apiRequest.call(ctx, credentialType, {
		method: 'GET',
		url: joinUrl(profile.fhirBaseUrl, type),
		qs: {
			...qs,
			...(profile.pageSizeParam ? { [profile.pageSizeParam]: String(profile.maxPageSize) } : {}),
		},
		headers: { Accept: profile.accept },
		what,
	});
	return readPage(res.body)
		.entries.filter(isRecord)
		.filter((r) => r.resourceType === type);
}

function humanName(r: IDataObject): string {
	const n = (Array.isArray(r.name) ? r.name : []).filter(isRecord)[0];
	if (!n) return String(r.id);
	const given = Array.isArray(n.given) ? n.given.join(' ') : '';
	return (
		str(n.text) ??
		([...(Array.isArray(n.prefix) ? n.prefix : []), given, n.family].filter(Boolean).join(' ') ||
			String(r.id))
	);
}

export async function getPractitioners(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const list = await fhirSearch(this, 'Practitioner', {}, 'Load practitioners');
	return list.map((p) => ({ name: humanName(p), value: String(p.id) }));
}

/** The Schedules of the chosen practitioner (every Schedule when none is chosen). */
export async function getSchedules(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const practitioner = String(this.getCurrentNodeParameter('practitioner') ?? '').trim();
	const list = await fhirSearch(
		this,
		'Schedule',
		practitioner ? { actor: `Practitioner/${practitioner}` } : {},
		'Load schedules',
	);
	return list.map((s) => {
		const actors = (Array.isArray(s.actor) ? s.actor : [])
			.filter(isRecord)
			.map((a) => str(a.display) ?? str(a.reference))
			.filter(Boolean);
		const service = (Array.isArray(s.serviceType) ? s.serviceType : [])
			.filter(isRecord)
			.map((c) => str(c.text))
			.find(Boolean);
		return {
			name: [actors.join(', ') || String(s.id), service].filter(Boolean).join(' — '),
			value: String(s.id),
		};
	});
}
