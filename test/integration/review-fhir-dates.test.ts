// Review findings on List Immunizations parameters: a Date From / Date To that is not a date was
// silently dropped (every immunization came back); Limit 0, negative or NaN. Real execute (harness)
// against the sandbox.
import { NodeOperationError } from 'n8n-workflow';
import { withSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../sandbox/server';
import { runNode } from '../harness';
import { EhrFhir } from '../../nodes/EhrFhir/EhrFhir.node';
import { LIST, byId, credentialsFor, ds, ids } from './fhir/fixtures';

let sb: Sandbox;
beforeAll(async () => {
	sb = await withSandbox();
});
afterAll(() => sb.close());

async function failure(p: Promise<unknown>): Promise<NodeOperationError> {
	try {
		await p;
	} catch (e) {
		return e as NodeOperationError;
	}
	throw new Error('expected the node to fail');
}

describe('date filters', () => {
	it.each([
		['dateFrom', 'yesterday'],
		['dateTo', '2024-13-45'],
		['dateFrom', '2024-02-30T00:00:00'],
	])('%s "%s" is refused before any request, not silently dropped', async (field, value) => {
		const { type, store } = credentialsFor(sb, 'emp');
		const before = sb.app.requests.length;
		const err = await failure(
			runNode(EhrFhir, {
				parameters: { authentication: type, ...LIST, scope: 'patient', patientId: byId('pt-00001'), returnAll: true, filters: { [field]: value } } as never,
				credentials: store,
			}),
		);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(err.message).toBe(`Date ${field === 'dateFrom' ? 'From' : 'To'} "${value}" is not a date`);
		expect(err.description).toBe('Enter a date such as 2024-05-31 (or pick one), or remove the filter.');
		expect(sb.app.requests.length).toBe(before);
	});

	it('a Date and a Luxon-like DateTime from an expression are read as days', async () => {
		const { type, store } = credentialsFor(sb, 'emp');
		const imms = ds(sb).immunizations('pt-00001');
		const day = String(imms[1].occurrenceDateTime).slice(0, 10);
		const want = imms.filter((i) => String(i.occurrenceDateTime).startsWith(day)).map((i) => i.id);
		expect(want.length).toBeLessThan(imms.length);
		const { output } = await runNode(EhrFhir, {
			parameters: {
				authentication: type,
				...LIST,
				scope: 'patient',
				patientId: byId('pt-00001'),
				returnAll: true,
				simplify: true,
				filters: { dateFrom: new Date(`${day}T00:00:00Z`), dateTo: { toISO: () => `${day}T12:00:00.000+00:00` } },
			} as never,
			credentials: store,
		});
		expect(ids(output[0])).toEqual(want);
	});
});

describe('Limit', () => {
	it.each([0, -3, NaN, 'abc'])('Limit %p is refused before any request (not read as 1, not sent as _count=NaN)', async (limit) => {
		const { type, store } = credentialsFor(sb, 'smart');
		const before = sb.app.requests.length;
		const err = await failure(
			runNode(EhrFhir, {
				parameters: { authentication: type, ...LIST, scope: 'patient', patientId: byId('pt-00001'), returnAll: false, limit } as never,
				credentials: store,
			}),
		);
		expect(err).toBeInstanceOf(NodeOperationError);
		expect(err.message).toBe(`Limit must be a number of 1 or more, not "${String(limit)}"`);
		expect(err.description).toBe('Enter how many immunizations to return at most, or turn on Return All.');
		expect(sb.app.requests.length).toBe(before);
	});

	it('Limit 2.5 returns 2 items (the server is never asked for _count=2.5)', async () => {
		const { type, store } = credentialsFor(sb, 'smart');
		const { output } = await runNode(EhrFhir, {
			parameters: { authentication: type, ...LIST, scope: 'patient', patientId: byId('pt-00001'), returnAll: false, limit: 2.5 } as never,
			credentials: store,
		});
		expect(ids(output[0])).toEqual(ds(sb).immunizations('pt-00001').slice(0, 2).map((i) => i.id));
	});
});
