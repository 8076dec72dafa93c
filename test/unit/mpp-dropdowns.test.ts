// The MyPatientPortal dropdowns in the editor: IDs that expressions give are accepted without
// n8n's 'The value "136" is not supported!' (allowArbitraryValues), and a dropdown loaded before
// a credential is chosen says so in words (not n8n's "Node does not have any credentials set").
import type { ILoadOptionsFunctions, INodeProperties } from 'n8n-workflow';
import { MyPatientPortal } from '../../nodes/MyPatientPortal/MyPatientPortal.node';
import { getInsurances } from '../../nodes/MyPatientPortal/methods/loadOptions';

/** a load-options context whose getCredentials fails with that message */
function failingCredentials(message: string): ILoadOptionsFunctions {
	return {
		getCredentials: async () => {
			throw new Error(message);
		},
		getNode: () => ({ name: 'MyPatientPortal', type: 'n8n-nodes-ehr.myPatientPortal' }),
	} as unknown as ILoadOptionsFunctions;
}

const props = new MyPatientPortal().description.properties as INodeProperties[];

describe('MyPatientPortal dropdowns', () => {
	it('every dropdown that loads from the portal accepts any ID (expressions, booked slots)', () => {
		const loaded = props.filter((p) => p.type === 'options' && p.typeOptions?.loadOptionsMethod);
		expect([...new Set(loaded.map((p) => p.name))].sort()).toEqual([
			'appointmentCategoryId',
			'appointmentTypeId',
			'availabilityId',
			'insuranceId',
			'newAvailabilityId',
		]);
		for (const p of loaded)
			expect({ name: p.name, any: p.allowArbitraryValues }).toEqual({ name: p.name, any: true });
	});

	it('a dropdown opened before a credential is chosen names what to do', async () => {
		const ctx = failingCredentials('Node does not have any credentials set');
		await expect(getInsurances.call(ctx)).rejects.toThrow(
			'No MyPatientPortal credential is chosen yet: pick one in Credential above, then open the list again',
		);
	});

	it('other credential failures keep their own words', async () => {
		const ctx = failingCredentials('Credential with ID "x" does not exist');
		await expect(getInsurances.call(ctx)).rejects.toThrow('Credential with ID "x" does not exist');
	});
});
