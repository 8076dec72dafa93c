// EHR FHIR node, the patient picker (Patient "From List", listSearch method searchPatients) against
// the sandbox: search by name and the next-page token on every vendor with a patient search, the
// onpatient message (no patient search there), and next links or page tokens of another server
// (ad-hoc server), which are never handed out or followed.
import type { Sandbox } from '../../../../sandbox/server';
import { listSearch } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import { credentialsFor, ds, type Vendor } from '../fixtures';
import { AD_HOC_FHIR, adHocCredentials, serveAdHocFhir, useFhirSandbox } from '../helpers';

let sb: Sandbox;
useFhirSandbox((s) => {
	sb = s;
	serveAdHocFhir(s);
});

describe('patient picker (From List)', () => {
	it.each(['oneup-r4', 'emp', 'smart'] as Vendor[])(
		'%s: searches patients by name, with a next-page token',
		async (vendor) => {
			const { type, store } = credentialsFor(sb, vendor);
			const p = ds(sb).patient('pt-00003')!;
			const found = await listSearch(EhrFhir, 'searchPatients', {
				parameters: { authentication: type },
				credentials: store,
				filter: p.name[0].family,
			});
			const want = ds(sb)
				.patientIds()
				.map((id) => ds(sb).patient(id)!)
				.filter((x) =>
					x.name.some((n) => n.family.toLowerCase().startsWith(p.name[0].family.toLowerCase())),
				);
			expect(found.results.map((r) => r.value)).toEqual(want.map((x) => x.id).slice(0, 20));
			expect(found.results[want.findIndex((x) => x.id === 'pt-00003')]).toMatchObject({
				name: `${p.name[0].given.join(' ')} ${p.name[0].family} (${p.birthDate})`,
				value: 'pt-00003',
			});
			const all = await listSearch(EhrFhir, 'searchPatients', {
				parameters: { authentication: type },
				credentials: store,
			});
			expect(all.results.map((r) => r.value)).toEqual(ds(sb).patientIds().slice(0, 20));
			expect(all.paginationToken).toBeDefined();
			const more = await listSearch(EhrFhir, 'searchPatients', {
				parameters: { authentication: type },
				credentials: store,
				paginationToken: all.paginationToken as string,
			});
			expect(more.results.map((r) => r.value)).toEqual(ds(sb).patientIds().slice(20, 40));
		},
	);

	it('onpatient has no patient search: says to use By ID', async () => {
		const { type, store } = credentialsFor(sb, 'onpatient');
		await expect(
			listSearch(EhrFhir, 'searchPatients', {
				parameters: { authentication: type },
				credentials: store,
			}),
		).rejects.toThrow(
			'onpatient (drchrono) has no patient search: choose "By ID" and enter the patient\'s ID',
		);
	});
});

describe('next links and page tokens of another server', () => {
	it('a next link to another server is not handed out as the next page token', async () => {
		const { type, store } = adHocCredentials(sb);
		const found = await listSearch(EhrFhir, 'searchPatients', {
			parameters: { authentication: type },
			credentials: store,
			filter: 'Lee',
		});
		expect(found.results.map((r) => r.value)).toEqual(['p1']);
		expect(found.paginationToken).toBeUndefined();
	});

	it('a token of another server or not a URL starts the search again with the filter, never a TypeError', async () => {
		const { type, store } = adHocCredentials(sb);
		for (const paginationToken of ['not a url', sb.app.filesUrl(`${AD_HOC_FHIR}/Patient?page=2`)]) {
			const before = sb.app.requests.length;
			const found = await listSearch(EhrFhir, 'searchPatients', {
				parameters: { authentication: type },
				credentials: store,
				filter: 'Lee',
				paginationToken,
			});
			expect(found.results.map((r) => r.value)).toEqual(['p1']);
			const sent = sb.app.requests.slice(before);
			expect(sent.map((r) => r.origin)).toEqual(['main']);
			expect(sent[0].query).toContain('name=Lee');
		}
	});
});
