// The EHR FHIR patient picker: "From List" only for the vendors with a Patient search (onpatient
// has none); the parameter's name and modes By ID / By URL stay, so saved workflows are unchanged.
import { NodeHelpers, type INodeProperties, type INodeParameters } from 'n8n-workflow';
import { EhrFhir } from '../../nodes/EhrFhir/EhrFhir.node';
import { FHIR_CREDENTIAL_TYPES, NO_PATIENT_SEARCH } from '../../nodes/shared/vendors';

const d = new EhrFhir().description;
const node = {
	id: '1',
	name: 'EHR FHIR',
	type: 'n8n-nodes-ehr.ehrFhir',
	typeVersion: 1,
	position: [0, 0] as [number, number],
	parameters: {},
};

function shownPatientModes(values: INodeParameters): string[][] {
	return (d.properties as INodeProperties[])
		.filter((p) => p.name === 'patientId')
		.filter((p) => NodeHelpers.displayParameter(values, p, node, d))
		.map((p) => (p.modes ?? []).map((m) => m.name));
}

describe('EHR FHIR patient picker', () => {
	const ops: Array<Record<string, string>> = [
		{ resource: 'patient', operation: 'get' },
		{ resource: 'patient', operation: 'everything' },
		{ resource: 'immunization', operation: 'list', scope: 'patient' },
	];
	for (const op of ops) {
		it(`${op.resource} ${op.operation}: one patient picker per credential type, "From List" only where the vendor can search`, () => {
			for (const authentication of FHIR_CREDENTIAL_TYPES) {
				const shown = shownPatientModes({ ...op, authentication });
				const want = NO_PATIENT_SEARCH.includes(authentication)
					? [['id', 'url']]
					: [['list', 'id', 'url']];
				expect({ authentication, shown }).toEqual({ authentication, shown: want });
			}
		});
	}
	it('onpatient is the vendor without a patient search', () => {
		expect(NO_PATIENT_SEARCH).toEqual(['onpatientOAuth2Api']);
	});
});
