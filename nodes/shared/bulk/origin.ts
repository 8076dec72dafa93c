// The credential's FHIR base URL, and where the access token may go during a bulk export: only
// to the origin of that base URL. Status URLs and file URLs come from the server's answers or from the user's input
// (an expression, a pasted manifest); one on another origin never receives the token.
// IG v2: the client uses its access token for the status URL and, when the manifest says
// `requiresAccessToken: true`, for the files. The IG does not ask a client to send the token to
// another origin, and a client that did would hand it to whoever wrote the URL; so such a URL is
// refused with a clear message instead (a server that hosts files elsewhere publishes them with
// `requiresAccessToken: false`, which is downloaded without any token).
import { NodeOperationError } from 'n8n-workflow';
import { ExecutionMemo } from '../execution-memo';
import { getVendorProfile } from '../vendors';
import type { Ctx } from './types';

/** credential type → FHIR base URL, per execution */
const bases = new ExecutionMemo<string>();

/**
 * The FHIR base URL of the credential the user picked (from its vendor profile), without a
 * trailing slash; read once per execution context, not for every file or status poll.
 */
export async function fhirBaseFor(ctx: Ctx, credentialType: string): Promise<string> {
	const known = bases.get(ctx, credentialType);
	if (known !== undefined) return known;
	const c = await ctx.getCredentials(credentialType);
	const base = getVendorProfile(credentialType, c, ctx.getNode()).fhirBaseUrl.replace(/\/+$/, '');
	bases.set(ctx, credentialType, base);
	return base;
}

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** Throws unless `url` is on the origin of the credential's FHIR base URL. */
export async function assertTokenOrigin(
	ctx: Ctx,
	credentialType: string,
	url: string,
	what: string,
	itemIndex?: number,
): Promise<void> {
	await assertTokenOrigins(ctx, credentialType, [{ url, what }], itemIndex);
}

/** assertTokenOrigin for many URLs at once (the files of a manifest, before any is downloaded). */
export async function assertTokenOrigins(
	ctx: Ctx,
	credentialType: string,
	targets: Array<{ url: string; what: string }>,
	itemIndex?: number,
): Promise<void> {
	if (targets.length === 0) return;
	const base = await fhirBaseFor(ctx, credentialType);
	const expected = originOf(base);
	const bad = targets.find((t) => expected === undefined || originOf(t.url) !== expected);
	if (!bad) return;
	const { what } = bad;
	const actual = originOf(bad.url);
	throw new NodeOperationError(
		ctx.getNode(),
		`${what}: ${actual ? `the URL is on another origin (${actual})` : 'the URL is not valid'} than the FHIR server (${expected ?? base}), so the access token is not sent there`,
		{
			itemIndex,
			description:
				'Nothing was sent. Use a status URL or manifest from this FHIR server (as Start Export / Check Export Status return them), or pick the credential of the server that made them.',
		},
	);
}
