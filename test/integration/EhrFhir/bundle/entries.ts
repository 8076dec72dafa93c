// The Bundle entries the Batch and Transaction tests send: each input item names its method, URL,
// resource and (optionally) If-Match; an Observation POST and a PUT with a stale If-Match (412).
import { observation } from '../store';

export const TX = { resource: 'bundle', operation: 'transaction' };
export const BATCH = { resource: 'bundle', operation: 'batch' };
/** method, URL and resource from each item's fields */
export const PER_ITEM = {
	method: '={{ $json.method }}',
	url: '={{ $json.url }}',
	bodyFrom: 'json',
	body: '={{ $json.resource }}',
	entryOptions: { ifMatch: '={{ $json.ifMatch ?? "" }}' },
};
export const post = (pid: string, value: number) => ({
	json: {
		method: 'POST',
		url: 'Observation',
		resource: observation(pid, { valueQuantity: { value, unit: '/min' } }),
	},
});
export const stalePut = {
	json: {
		method: 'PUT',
		url: 'Patient/pt-00001',
		resource: { resourceType: 'Patient', id: 'pt-00001', active: false },
		ifMatch: '9',
	},
};
