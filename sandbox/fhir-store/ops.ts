// One FHIR REST interaction on a store surface, as a plain request → result, so that HTTP routes
// and batch/transaction entries run the very same code. Refuses what the surface's profile does
// not declare (405 not-supported), checks scopes per interaction, answers OperationOutcome.
import { SearchError } from '../surfaces/fhir-common';
import { fail, type Result } from './access';
import { typeOf, type Op, type OpCtx } from './context';
import { everythingOp, historyOp, readOp, searchOp, vreadOp } from './ops-read';
import { conditionalUpdateOp, createOp, deleteOp, patchOp, updateOp } from './ops-write';

/** Runs one interaction; never throws for a client error. */
export function execute(ctx: OpCtx, op: Op): Result {
	try {
		return dispatch(ctx, op);
	} catch (e) {
		if (e instanceof SearchError) return fail(400, 'invalid', e.message);
		throw e;
	}
}

function dispatch(ctx: OpCtx, op: Op): Result {
	const [seg, id, sub, vid] = op.parts;
	const type = seg === undefined ? undefined : typeOf(ctx, seg);
	if (!type)
		return fail(
			404,
			'not-supported',
			`Resource type "${seg ?? ''}" is not supported by this server.`,
		);
	const n = op.parts.length;
	const m = op.method;
	if (n === 1) {
		if (m === 'GET') return searchOp(ctx, op, type);
		if (m === 'POST') return createOp(ctx, op, type);
		if (m === 'PUT') return conditionalUpdateOp(ctx, op, type);
	} else if (n === 2 && id === '_search' && m === 'POST') {
		return searchOp(ctx, op, type);
	} else if (n === 2 && id === '_history' && m === 'GET') {
		return historyOp(ctx, op, type);
	} else if (n === 2) {
		if (m === 'GET') return readOp(ctx, op, type, id);
		if (m === 'PUT') return updateOp(ctx, op, type, id);
		if (m === 'PATCH') return patchOp(ctx, op, type, id);
		if (m === 'DELETE') return deleteOp(ctx, op, type, id);
	} else if (m === 'GET' && n === 3 && sub === '_history') {
		return historyOp(ctx, op, type, id);
	} else if (m === 'GET' && n === 4 && sub === '_history') {
		return vreadOp(ctx, op, type, id, vid);
	} else if (m === 'GET' && n === 3 && type === 'Patient' && sub === '$everything') {
		return everythingOp(ctx, op, id);
	}
	return fail(405, 'not-supported', `This server does not support ${m} ${op.parts.join('/')}.`);
}
