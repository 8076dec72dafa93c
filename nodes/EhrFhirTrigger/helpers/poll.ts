// One poll of the EHR FHIR Trigger. Two ways to find changes, chosen by the vendor profile:
//   - search (`lastUpdatedSearch`): `[type]?_lastUpdated=ge<cursor>&_sort=_lastUpdated`, the
//     keys delivered at the cursor's time skipped (../../shared/trigger-state). With a server that
//     sorts, each page that moves the cursor starts a new search from it (keyset paging: a
//     resource changed while the pages are read cannot shift another out of view); without
//     `_sort`, every page is read and sorted here.
//   - list (`lastUpdatedSearch: false`, onpatient): the whole list each poll, compared with a
//     capped snapshot of `Type/id` → version / lastUpdated.
// The cursor moves only over what this poll returns: the rest comes with the next poll.
import { createHash } from 'node:crypto';
import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';
import { joinUrl, type ApiRequest } from '../../shared/http';
import { paginate, readPage } from '../../shared/pagination';
import { apiRequest } from '../../shared/http';
import { getVendorProfile, type VendorProfile } from '../../shared/vendors';
import { simplifyResource } from '../../shared/fhir-simplify';
import { isRecord, parseDate, str } from '../../shared/values';
import {
	changeEvent,
	diffList,
	lastUpdatedOf,
	takeAfter,
	toChange,
	versionOf,
	type BoundaryCursor,
	type Change,
	type Snapshot,
} from '../../shared/trigger-state';
import { parseQuery } from '../../EhrFhir/helpers/resource';
import { DEFAULT_MAX_ITEMS, SAMPLE_SIZE } from './description';

/** keys a list-mode snapshot keeps (about 60 bytes each in the workflow's static data) */
export const SNAPSHOT_CAP = 20_000;
/** pages one poll reads at most (a runaway server is an error, not an endless poll) */
const MAX_PAGES = 2000;

type Query = NonNullable<ApiRequest['qs']>;

interface Settings {
	credentialType: string;
	profile: VendorProfile;
	type: string;
	filters: Query;
	maxItems: number;
	simplify: boolean;
	startFrom?: string;
	/** what the static data belongs to: a change of credential, type or filters starts afresh */
	config: string;
	what: string;
}

/** What the trigger keeps in the node's static data. */
interface State {
	config?: string;
	cursor?: BoundaryCursor;
	snapshot?: Snapshot;
}

function fail(fn: IPollFunctions, message: string, description: string): NodeOperationError {
	return new NodeOperationError(fn.getNode(), message, { description });
}

async function settings(this: IPollFunctions): Promise<Settings> {
	const credentialType = this.getNodeParameter('authentication') as string;
	const profile = getVendorProfile(
		credentialType,
		await this.getCredentials(credentialType),
		this.getNode(),
	);
	const type = String(this.getNodeParameter('resourceType', '') ?? '').trim();
	if (!/^[A-Z][A-Za-z]+$/.test(type)) {
		throw fail(
			this,
			type ? `"${type}" is not a FHIR resource type` : 'No Resource Type chosen',
			'Choose the resource type to watch, e.g. Patient or Immunization.',
		);
	}
	if (profile.declared && !profile.declared[type]?.includes('search-type')) {
		const listable = Object.entries(profile.declared)
			.filter(([, i]) => i.includes('search-type'))
			.map(([t]) => t);
		throw fail(
			this,
			`${profile.vendor} cannot list ${type} resources, so the trigger cannot watch them`,
			`It lists: ${listable.join(', ') || 'nothing'}. Choose one of those.`,
		);
	}
	const pairs = ((this.getNodeParameter('searchParameters', {}) as IDataObject).parameter ??
		[]) as IDataObject[];
	const query = new URLSearchParams();
	for (const p of pairs) {
		const name = String(p.name ?? '').trim();
		if (!name)
			throw fail(
				this,
				'A search filter has no name',
				'Choose a name for every search filter, or remove the empty one.',
			);
		// the trigger sets these itself
		if (name === '_sort' || name === '_count' || name === profile.pageSizeParam) continue;
		query.append(name, String(p.value ?? ''));
	}
	const filters = parseQuery(query.toString());
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const max = Number(options.maxItems ?? DEFAULT_MAX_ITEMS);
	const maxItems = Number.isFinite(max) && max >= 1 ? Math.floor(max) : DEFAULT_MAX_ITEMS;
	let startFrom: string | undefined;
	const parsed = parseDate(options.startFrom);
	if (parsed === null)
		throw fail(
			this,
			`Start From "${String(options.startFrom)}" is not a date`,
			'Enter a date such as 2024-01-31 or 2024-01-31T08:00:00Z, or leave it empty.',
		);
	if (parsed) startFrom = parsed.iso;
	return {
		credentialType,
		profile,
		type,
		filters,
		maxItems,
		simplify: options.simplify === true,
		startFrom,
		config: JSON.stringify([credentialType, type, new URLSearchParams(query).toString()]),
		what: `Check for new or updated ${type} resources`,
	};
}

function withPageSize(s: Settings, qs: Query, size = s.profile.pageSize): Query {
	return s.profile.pageSizeParam
		? { ...qs, [s.profile.pageSizeParam]: Math.min(size, s.profile.maxPageSize) }
		: qs;
}

function request(s: Settings, qs: Query): ApiRequest {
	return {
		method: 'GET',
		url: joinUrl(s.profile.fhirBaseUrl, s.type),
		qs,
		headers: { Accept: s.profile.accept },
		what: s.what,
	};
}

/** The search from `cursor` on: the user's filters, `_lastUpdated=ge…` and the sort. */
function since(s: Settings, cursor: string): ApiRequest {
	const mine = `ge${cursor}`;
	const theirs = s.filters._lastUpdated;
	const lastUpdated =
		theirs === undefined ? mine : [...(Array.isArray(theirs) ? theirs : [String(theirs)]), mine];
	return request(
		s,
		withPageSize(s, {
			...s.filters,
			_lastUpdated: lastUpdated,
			...(s.profile.lastUpdatedSort ? { _sort: '_lastUpdated' } : {}),
		}),
	);
}

/** The output item of a changed resource. */
function item(s: Settings, resource: IDataObject, event: string): INodeExecutionData {
	const shaped: IDataObject = s.simplify ? simplifyResource(resource) : { ...resource };
	// a resource type with its own top-level `event` (e.g. Composition) keeps it as fhirEvent
	if ('event' in shaped) shaped.fhirEvent = shaped.event;
	shaped.event = event;
	return { json: shaped };
}

/** Reads the changes after the cursor, at most `max`, in time order. */
async function readSince(
	this: IPollFunctions,
	s: Settings,
	state: BoundaryCursor,
): Promise<{ take: Array<Change<IDataObject>>; next: BoundaryCursor }> {
	const out: Array<Change<IDataObject>> = [];
	let cur = state;
	let sorted = s.profile.lastUpdatedSort;
	let skipped = 0;
	const changesOf = (entries: unknown[]) => {
		const list: Array<Change<IDataObject>> = [];
		for (const e of entries) {
			const c = toChange(e as IDataObject);
			if (c) list.push(c);
			else skipped++;
		}
		return list;
	};
	if (sorted) {
		let failure: unknown;
		try {
			outer: for (;;) {
				let restart = false;
				let prev = -Infinity;
				for await (const page of paginate(this, s.credentialType, since(s, cur.cursor), {
					maxPages: MAX_PAGES,
				})) {
					const changes = changesOf(page.entries);
					if (changes.some((c, i) => c.time < (i > 0 ? changes[i - 1].time : prev))) {
						// the server does not sort: read everything and sort it here
						sorted = false;
						break outer;
					}
					if (changes.length) prev = changes[changes.length - 1].time;
					const { take, next } = takeAfter(cur, changes, s.maxItems - out.length);
					out.push(...take);
					const moved = next.cursor !== cur.cursor;
					cur = next;
					if (out.length >= s.maxItems || !page.next) break outer;
					// keyset paging: ask again from the new cursor
					if (moved) {
						restart = true;
						break;
					}
				}
				if (!restart) break;
			}
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined) {
			// nothing read: the poll fails (the cursor stays); else what was read is delivered and
			// the failed rest comes with the next poll
			if (!out.length) throw failure;
			this.logger.warn(
				`EHR FHIR Trigger: ${s.what} stopped after ${out.length} resources: ${(failure as Error).message}; the rest follows with the next poll`,
			);
			return { take: out, next: cur };
		}
		if (sorted) {
			if (skipped) warnSkipped(this, s, skipped);
			return { take: out, next: cur };
		}
	}
	skipped = 0;
	const all: Array<Change<IDataObject>> = [];
	for await (const page of paginate(this, s.credentialType, since(s, state.cursor), {
		maxPages: MAX_PAGES,
	}))
		all.push(...changesOf(page.entries));
	if (skipped) warnSkipped(this, s, skipped);
	const { take, next } = takeAfter(state, all, s.maxItems);
	return { take, next };
}

function warnSkipped(fn: IPollFunctions, s: Settings, n: number): void {
	fn.logger.warn(
		`EHR FHIR Trigger: ${n} ${s.type} resources without an id or meta.lastUpdated were left out (their change time is unknown)`,
	);
}

/** The server's clock (its Date header) from a one-resource search, else this machine's. */
async function serverNow(this: IPollFunctions, s: Settings): Promise<string> {
	const res = await apiRequest.call(
		this,
		s.credentialType,
		request(s, withPageSize(s, s.filters, 1)),
	);
	const t = Date.parse(res.headers.date ?? '');
	return new Date(Number.isFinite(t) ? t : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Every resource of the list (list mode), all pages. */
async function readWholeList(this: IPollFunctions, s: Settings): Promise<IDataObject[]> {
	const all: IDataObject[] = [];
	for await (const page of paginate(
		this,
		s.credentialType,
		request(s, withPageSize(s, s.filters)),
		{
			maxPages: MAX_PAGES,
		},
	))
		for (const e of page.entries) if (isRecord(e)) all.push(e);
	return all;
}

function idOf(r: IDataObject): string | undefined {
	return str(r.id) ?? (typeof r.id === 'number' ? String(r.id) : undefined);
}

/** What a list-mode change is: version and lastUpdated, or the content when it has neither. */
function signature(r: IDataObject): string {
	const v = versionOf(r);
	const t = lastUpdatedOf(r);
	if (v !== undefined || t !== undefined) return `${v ?? ''}|${t ?? ''}`;
	return `#${createHash('sha256').update(JSON.stringify(r)).digest('base64').slice(0, 22)}`;
}

function timeOf(r: IDataObject): number | undefined {
	const t = lastUpdatedOf(r);
	return t === undefined ? undefined : Date.parse(t);
}

async function pollList(
	this: IPollFunctions,
	s: Settings,
	state: State,
	fresh: boolean,
): Promise<INodeExecutionData[][] | null> {
	const list = await readWholeList.call(this, s);
	const diff = diffList(fresh || !state.snapshot ? { seen: {} } : state.snapshot, list, {
		keyOf: (r) => {
			const id = idOf(r);
			return id === undefined ? undefined : `${s.type}/${id}`;
		},
		signature,
		timeOf,
		cap: SNAPSHOT_CAP,
	});
	const start = s.startFrom ? Date.parse(s.startFrom) : undefined;
	// first poll: what exists is known, except the changes since Start From
	const known = new Set(
		fresh
			? diff.changes
					.filter((c) => start === undefined || (timeOf(c.item) ?? -Infinity) < start)
					.map((c) => c.key)
			: [],
	);
	const pending = diff.changes
		.filter((c) => !known.has(c.key))
		.map((c, i) => ({ c, i, t: timeOf(c.item) ?? Infinity }))
		.sort((a, b) => a.t - b.t || a.i - b.i)
		.map((x) => x.c);
	const deliver = pending.slice(0, s.maxItems);
	const data = this.getWorkflowStaticData('node') as State;
	data.config = s.config;
	data.snapshot = diff.commit(new Set([...known, ...deliver.map((c) => c.key)]));
	delete data.cursor;
	if (!deliver.length) return null;
	return [
		deliver.map((c) => item(s, c.item, c.previous === undefined ? changeEvent(c.item) : 'updated')),
	];
}

/** The newest resources of a list, by meta.lastUpdated. */
function newestOf(entries: IDataObject[]): IDataObject[] {
	return entries
		.map((r, i) => ({ r, i, t: timeOf(r) ?? -Infinity }))
		.sort((a, b) => b.t - a.t || a.i - b.i)
		.slice(0, SAMPLE_SIZE)
		.map((x) => x.r);
}

/** windows a server without `_sort` is searched in for the newest resources (then: all) */
const SAMPLE_WINDOWS_MS = [3_600_000, 86_400_000, 30 * 86_400_000];

/** "Fetch Test Event": the newest matching resources; nothing remembered. */
async function sample(this: IPollFunctions, s: Settings): Promise<INodeExecutionData[][]> {
	let newest: IDataObject[] = [];
	if (s.profile.lastUpdatedSearch && s.profile.lastUpdatedSort) {
		const qs = withPageSize(s, { ...s.filters, _sort: '-_lastUpdated' }, SAMPLE_SIZE);
		const res = await apiRequest.call(this, s.credentialType, request(s, qs));
		newest = newestOf(readPage(res.body).entries.filter(isRecord));
	} else if (s.profile.lastUpdatedSearch) {
		// no sort: the newest of the last hour, day, month, or of everything
		for (const w of [...SAMPLE_WINDOWS_MS, undefined]) {
			const all: IDataObject[] = [];
			const from = w === undefined ? undefined : new Date(Date.now() - w).toISOString();
			const req = from
				? since({ ...s, profile: { ...s.profile, lastUpdatedSort: false } }, from)
				: request(s, withPageSize(s, s.filters));
			for await (const page of paginate(this, s.credentialType, req, { maxPages: MAX_PAGES }))
				all.push(...page.entries.filter(isRecord));
			newest = newestOf(all);
			if (newest.length) break;
		}
	} else newest = newestOf(await readWholeList.call(this, s));
	if (!newest.length) {
		throw fail(
			this,
			`No ${s.type} resources found to show as a test event`,
			'Create or change one on the server (or loosen the Search Filters) and fetch again. An active workflow starts on every new or updated resource all the same.',
		);
	}
	return [newest.map((r) => item(s, r, changeEvent(r)))];
}

export async function pollChanges(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const s = await settings.call(this);
	if (this.getMode() === 'manual') return await sample.call(this, s);
	const data = this.getWorkflowStaticData('node') as State;
	const fresh = data.config !== s.config;
	if (!s.profile.lastUpdatedSearch) return await pollList.call(this, s, data, fresh);

	let cursor = fresh ? undefined : data.cursor;
	if (!cursor) {
		if (!s.startFrom) {
			// first activation: from now on, nothing delivered
			data.cursor = { cursor: await serverNow.call(this, s), atCursor: [] };
			data.config = s.config;
			delete data.snapshot;
			return null;
		}
		cursor = { cursor: s.startFrom, atCursor: [] };
	}
	const { take, next } = await readSince.call(this, s, cursor);
	data.cursor = next;
	data.config = s.config;
	delete data.snapshot;
	if (!take.length) return null;
	return [take.map((c) => item(s, c.item, changeEvent(c.item)))];
}
