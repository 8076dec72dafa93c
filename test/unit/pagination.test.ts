// nodes/shared/pagination.ts without a network: the list shapes readPage reads.
import { readPage } from '../../nodes/shared/pagination';

describe('readPage', () => {
	it('reads every list shape', () => {
		expect(readPage({ results: [{ id: 1 }], next: 'n', count: 9 })).toEqual({
			entries: [{ id: 1 }],
			next: 'n',
			total: 9,
		});
		expect(readPage({ results: [], next: null })).toEqual({
			entries: [],
			next: undefined,
			total: undefined,
		});
		expect(
			readPage({
				resourceType: 'Bundle',
				total: 2,
				link: [{ relation: 'NEXT', url: 'u' }],
				entry: [{ resource: { id: 'a' } }, { fullUrl: 'x' }],
			}),
		).toEqual({ entries: [{ id: 'a' }], next: 'u', total: 2 });
		expect(readPage({ validationErrors: [], internalErrors: [], data: [{ id: 'd' }] })).toEqual({
			entries: [{ id: 'd' }],
			next: undefined,
		});
		expect(readPage([{ id: 'z' }])).toEqual({ entries: [{ id: 'z' }] });
		expect(readPage({ resourceType: 'Patient', id: 'p' })).toEqual({ entries: [] });
	});
});
