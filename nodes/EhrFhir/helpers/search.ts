// Reading a list of resources (Search, History, Patient Everything) page by page through the one
// pagination code (../../shared/pagination, as List Immunizations), up to a limit: one output item
// per matching resource; `_include` / `_revinclude` results attached to the resource that
// references them (or that they reference), or output as their own items.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { paginate } from '../../shared/pagination';
import { isRecord, str } from '../../shared/values';
import type { ApiRequest } from '../../shared/http';
import { simplifyResource } from '../../shared/fhir-simplify';
import type { OperationContext } from './context';
import { requestLimits } from './limits';

export type IncludedMode = 'attach' | 'separate';

export interface ReadListOptions {
	limit: number;
	simplify: boolean;
	/** where included resources (search.mode include) go */
	included: IncludedMode;
	/** a history Bundle: a deleted version (an entry without a resource) is an item too */
	history?: boolean;
	what: string;
	itemIndex: number;
}

interface Split {
	matches: IDataObject[];
	included: IDataObject[];
}

/** The type and id a history entry without a resource (a delete) is about. */
function deletedEntry(entry: IDataObject): IDataObject | undefined {
	const request = isRecord(entry.request) ? entry.request : {};
	const url = str(request.url) ?? str(entry.fullUrl) ?? '';
	const m = /([A-Za-z]+)\/([^/?#]+)(?:\/_history\/([^/?#]+))?\/?$/.exec(url);
	if (!m) return undefined;
	return {
		resourceType: m[1],
		id: m[2],
		...(m[3] ? { versionId: m[3] } : {}),
		deleted: true,
		method: str(request.method) ?? 'DELETE',
	};
}

function split(body: unknown, entries: unknown[], history: boolean): Split {
	if (!isRecord(body) || !Array.isArray(body.entry))
		return { matches: entries.filter(isRecord), included: [] };
	const out: Split = { matches: [], included: [] };
	for (const e of body.entry.filter(isRecord)) {
		const mode = isRecord(e.search) ? e.search.mode : undefined;
		if (mode === 'outcome') continue;
		const resource = isRecord(e.resource) ? e.resource : history ? deletedEntry(e) : undefined;
		if (!resource) continue;
		(mode === 'include' ? out.included : out.matches).push(resource);
	}
	return out;
}

/** The `reference` values in a resource (nested, depth-limited). */
function references(v: unknown, out: Set<string>, depth = 0): Set<string> {
	if (depth > 8 || v === null || typeof v !== 'object') return out;
	if (Array.isArray(v)) {
		for (const x of v) references(x, out, depth + 1);
		return out;
	}
	for (const [k, x] of Object.entries(v)) {
		if (k === 'reference' && typeof x === 'string') out.add(x.replace(/\/_history\/[^/]*$/, ''));
		else references(x, out, depth + 1);
	}
	return out;
}

function key(r: IDataObject): string {
	return `${String(r.resourceType)}/${String(r.id)}`;
}

/** True when `from` references `to` (`Patient/1`, or a full URL ending in it). */
function refersTo(refs: Set<string>, to: IDataObject): boolean {
	const k = key(to);
	for (const r of refs) if (r === k || r.endsWith(`/${k}`)) return true;
	return false;
}

function related(match: IDataObject, included: IDataObject[]): IDataObject[] {
	const mine = references(match, new Set());
	return included.filter((x) => refersTo(mine, x) || refersTo(references(x, new Set()), match));
}

/** Reads the pages of `first` up to `o.limit` matching resources. */
export async function readList(
	this: IExecuteFunctions,
	ctx: OperationContext,
	first: ApiRequest,
	o: ReadListOptions,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const shape = (r: IDataObject) => (o.simplify ? simplifyResource(r) : r);
	const emitted = new Set<string>();
	let matched = 0;
	const pages = paginate(
		this,
		ctx.credentialType,
		{ ...requestLimits(this, o.itemIndex), ...first, what: o.what, itemIndex: o.itemIndex },
		{ what: o.what, itemIndex: o.itemIndex, maxPages: 5000 },
	);
	for await (const page of pages) {
		const { matches, included } = split(page.body, page.entries, o.history === true);
		for (const m of matches) {
			if (matched >= o.limit) break;
			matched++;
			const rel = included.length ? related(m, included) : [];
			if (o.included === 'attach') {
				out.push({
					json: rel.length ? { ...shape(m), _included: rel.map(shape) } : shape(m),
					pairedItem: { item: o.itemIndex },
				});
				continue;
			}
			out.push({ json: shape(m), pairedItem: { item: o.itemIndex } });
			for (const x of rel) {
				if (emitted.has(key(x))) continue;
				emitted.add(key(x));
				out.push({ json: { ...shape(x), _includedBy: key(m) }, pairedItem: { item: o.itemIndex } });
			}
		}
		if (matched >= o.limit) break; // stops fetching further pages
	}
	return out;
}
