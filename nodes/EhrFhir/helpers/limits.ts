// The request bounds of the Options collection (descriptions/options.ts), as ApiRequest fields.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { ApiRequest } from '../../shared/http';

export function requestLimits(
	fn: IExecuteFunctions,
	itemIndex: number,
): Pick<ApiRequest, 'maxResponseBytes' | 'deadlineMs' | 'limitOptions'> {
	const o = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const num = (v: unknown, d: number) =>
		typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d;
	return {
		maxResponseBytes: num(o.maxResponseSize, 64) * 1024 * 1024,
		deadlineMs: num(o.requestTimeout, 120) * 1000,
		limitOptions: { size: 'Max Response Size (MB)', time: 'Request Timeout (Seconds)' },
	};
}
