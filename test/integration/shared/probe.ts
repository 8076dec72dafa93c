// One apiRequest through the TransportProbe node with a bearer token: the run, or the error it threw.
import type { NodeApiError } from 'n8n-workflow';
import { runNode, type HarnessResult } from '../../harness';
import { TransportProbe, PROBE_CREDENTIAL_TYPES } from '../../harness/probe';
import type { ApiRequest } from '../../../nodes/shared/http';

export function probeWith(token: string) {
	const call = async (req: ApiRequest, continueOnFail = false): Promise<HarnessResult> =>
		await runNode(TransportProbe, {
			parameters: { authentication: 'probeBearerApi', request: JSON.stringify(req) },
			credentials: { probeBearerApi: { token } } as never,
			credentialTypes: PROBE_CREDENTIAL_TYPES,
			continueOnFail,
		});
	const callError = async (req: ApiRequest): Promise<NodeApiError> => {
		const err = await call(req).then(
			() => undefined,
			(e: NodeApiError) => e,
		);
		if (!err) throw new Error('expected the node to fail');
		return err;
	};
	return { call, callError };
}
