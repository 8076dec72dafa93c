// A FHIR URL a user gave must be on the credential's FHIR server: only the path after the base is
// used, so a URL of another server would silently read the same resource from this one.
import { NodeOperationError, type INode } from 'n8n-workflow';
import { hasDotSegment } from '../../shared/http';

function baseOf(url: string): { origin: string; path: string } | undefined {
	try {
		const u = new URL(url);
		return { origin: u.origin, path: u.pathname.replace(/\/+$/, '') };
	} catch {
		return undefined;
	}
}

/** The path of `url` under the FHIR base (`Observation/1`), or undefined when it is not under it. */
export function pathUnderBase(url: string, fhirBaseUrl: string): string | undefined {
	const given = baseOf(url);
	const base = baseOf(fhirBaseUrl);
	if (!given || !base || given.origin !== base.origin || !given.path.startsWith(`${base.path}/`))
		return undefined;
	return given.path.slice(base.path.length + 1);
}

/**
 * Refuses a URL that is not under the credential's FHIR base URL, naming both servers (`tail` is
 * cut from the URL to name its server; `example` is the URL shape to use instead).
 */
export function assertUrlOnServer(
	node: INode,
	url: string,
	fhirBaseUrl: string,
	itemIndex: number,
	o: { noun: string; tail: RegExp; example: string },
): void {
	const given = baseOf(url);
	// not a URL: the caller's own check reports it; a "." or ".." segment: the id check does
	if (!given || !baseOf(fhirBaseUrl) || hasDotSegment(url)) return;
	if (pathUnderBase(url, fhirBaseUrl) !== undefined) return;
	const server = `${given.origin}${given.path.replace(o.tail, '')}`;
	throw new NodeOperationError(
		node,
		`The ${o.noun} is on ${server}, but the credential's FHIR server is ${fhirBaseUrl}: nothing was sent`,
		{
			itemIndex,
			description: `Use a URL of the credential's server (${o.example}), enter the ID with "By ID", or choose a credential for the other server.`,
		},
	);
}
