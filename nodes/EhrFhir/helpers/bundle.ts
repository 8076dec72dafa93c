// Batch / Transaction: one Bundle entry per input item (method, URL, resource from the item), sent
// once for all items; one output item per entry response, paired with its input item. A refused
// transaction is one error naming the entry (and input item) the server blamed.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { apiError, vendorMessage } from '../../shared/errors';
import { isRecord, str } from '../../shared/values';
import { assertSupports, assertSystemSupports } from './capabilities';
import { etagOf, resourceBody, versionParam } from './resource';
import { createOnce } from './write';
import { pathUnderBase } from './url';
import type { OperationContext } from './context';

type Kind = 'batch' | 'transaction';

interface Entry {
	fullUrl?: string;
	request: IDataObject;
	resource?: IDataObject;
	/** the interaction the entry asks of its type, for the capability check */
	type: string;
	interaction: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

function entryError(
	ctx: IExecuteFunctions,
	i: number,
	message: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Input item ${i}: ${message}; nothing was sent`, {
		itemIndex: i,
		description,
	});
}

function interactionOf(method: string, path: string): string {
	const [resource, query] = path.split('?');
	const hasId = resource.split('/').filter(Boolean).length > 1;
	if (method === 'GET')
		return hasId ? (/\/_history\//.test(resource) ? 'vread' : 'read') : 'search-type';
	if (method === 'POST') return 'create';
	if (method === 'PUT') return hasId ? 'update' : query ? 'conditional-update' : 'update';
	return 'delete';
}

/** The Bundle entry of input item `i`, checked before anything is sent. */
function entryOf(this: IExecuteFunctions, ctx: OperationContext, i: number): Entry {
	const method = String(this.getNodeParameter('method', i, 'POST')).toUpperCase();
	if (!METHODS.includes(method))
		throw entryError(
			this,
			i,
			`"${method.slice(0, 20)}" is not a method of a Bundle entry`,
			`Use one of ${METHODS.join(', ')}.`,
		);
	let url = String(this.getNodeParameter('url', i, '') ?? '').trim();
	if (/^https?:\/\//i.test(url)) {
		const under = pathUnderBase(url.replace(/[?#].*$/, ''), ctx.profile.fhirBaseUrl);
		if (under === undefined)
			throw entryError(
				this,
				i,
				`the URL ${url.slice(0, 200)} is not on the credential's FHIR server (${ctx.profile.fhirBaseUrl})`,
				'Give the URL relative to the FHIR base, e.g. Patient/123 or Patient?identifier=…',
			);
		url = `${under}${/\?.*$/.exec(url)?.[0] ?? ''}`;
	}
	url = url.replace(/^\/+/, '');
	const type = /^([A-Z][A-Za-z]+)(?:[/?]|$)/.exec(url)?.[1];
	if (
		!type ||
		url
			.split(/[?#]/)[0]
			.split('/')
			.some((s) => s === '.' || s === '..')
	) {
		throw entryError(
			this,
			i,
			`"${url.slice(0, 200)}" is not the URL of a Bundle entry`,
			'Give the URL relative to the FHIR base: Patient (create), Patient/123 (update, delete, read) or Patient?identifier=… (conditional update, search).',
		);
	}
	const request: IDataObject = { method, url };
	const ifNoneExist = String(this.getNodeParameter('entryOptions.ifNoneExist', i, '') ?? '').trim();
	const ifMatch = versionParam.call(this, i, 'entryOptions.ifMatch', false);
	if (ifNoneExist && method === 'POST') request.ifNoneExist = ifNoneExist;
	if (ifMatch) request.ifMatch = etagOf(ifMatch);
	const fullUrl = String(this.getNodeParameter('entryOptions.fullUrl', i, '') ?? '').trim();
	if (fullUrl && !/^(?:urn:uuid:[0-9a-f-]{36}|urn:oid:[0-9.]+|https?:\/\/\S+)$/i.test(fullUrl)) {
		throw entryError(
			this,
			i,
			`"${fullUrl.slice(0, 100)}" is not a full URL of an entry`,
			'Give a urn:uuid (urn:uuid: followed by a UUID) or an absolute URL.',
		);
	}
	const entry: Entry = {
		...(fullUrl ? { fullUrl } : {}),
		request,
		type,
		interaction:
			ifNoneExist && method === 'POST' ? 'conditional-create' : interactionOf(method, url),
	};
	if (method === 'POST' || method === 'PUT') {
		const id = method === 'PUT' ? /^[A-Za-z]+\/([^/?#]+)/.exec(url)?.[1] : undefined;
		entry.resource = resourceBody.call(this, i, type, id);
	}
	return entry;
}

/** Which entry (0-based) an OperationOutcome blames: `Bundle.entry[3]` in an issue's expression or location. */
function blamedEntry(body: unknown): number | undefined {
	if (!isRecord(body) || !Array.isArray(body.issue)) return undefined;
	for (const issue of body.issue.filter(isRecord)) {
		for (const e of [
			...(Array.isArray(issue.expression) ? issue.expression : []),
			...(Array.isArray(issue.location) ? issue.location : []),
		]) {
			const m = /Bundle\.entry\[(\d+)\]/.exec(String(e));
			if (m) return Number(m[1]);
		}
	}
	return undefined;
}

/** The output item of one entry response. */
function responseItem(entry: unknown, request: IDataObject, i: number): INodeExecutionData {
	const e = isRecord(entry) ? entry : {};
	const response = isRecord(e.response) ? e.response : {};
	const status = str(response.status) ?? '';
	const json: IDataObject = {
		method: request.method as string,
		url: request.url as string,
		status,
		statusCode: Number(/^\d{3}/.exec(status)?.[0] ?? 0) || null,
		location: str(response.location) ?? null,
		etag: str(response.etag) ?? null,
		lastModified: str(response.lastModified) ?? null,
		outcome: isRecord(response.outcome) ? response.outcome : null,
	};
	if (isRecord(e.resource)) json.resource = e.resource;
	return { json, pairedItem: { item: i } };
}

/** Sends all input items as one Batch or Transaction Bundle (run at the first item). */
export async function sendBundle(
	this: IExecuteFunctions,
	ctx: OperationContext,
	kind: Kind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	if (itemIndex > 0) return []; // the first item sent the entries of every item
	const count = this.getInputData().length;
	await assertSystemSupports.call(this, ctx.capabilities, kind, 0);
	const entries: Entry[] = [];
	for (let i = 0; i < count; i++) entries.push(entryOf.call(this, ctx, i));
	for (let i = 0; i < count; i++)
		await assertSupports.call(this, ctx.capabilities, entries[i].type, entries[i].interaction, i);
	const label = kind === 'batch' ? 'Batch' : 'Transaction';
	const what = `${label} of ${count} entr${count === 1 ? 'y' : 'ies'}`;
	const bundle = {
		resourceType: 'Bundle',
		type: kind,
		entry: entries.map((e) => ({
			...(e.fullUrl ? { fullUrl: e.fullUrl } : {}),
			...(e.resource ? { resource: e.resource } : {}),
			request: e.request,
		})),
	};
	const res = await createOnce.call(
		this,
		ctx,
		{
			method: 'POST',
			path: [],
			body: bundle,
			headers: { Prefer: 'return=representation' },
			okStatuses: kind === 'transaction' ? [400, 404, 409, 412, 422] : [],
			what,
			itemIndex: 0,
		},
		kind === 'transaction'
			? 'the transaction may or may not have been carried out (all of it or nothing)'
			: 'any of its entries may or may not have been carried out',
	);
	if (res.status >= 400) {
		const n = blamedEntry(res.body);
		const vendor = vendorMessage(res.body);
		const entry = n !== undefined ? entries[n] : undefined;
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what} failed (HTTP ${res.status}): ${
				entry
					? `the server refused entry ${n} (input item ${n}: ${String(entry.request.method)} ${String(entry.request.url)})`
					: 'the server refused it'
			}${vendor ? `: ${vendor}` : ''}; nothing was written (a transaction is all or nothing)`,
			hint: entry
				? `Correct input item ${n} and run the node again.`
				: 'Check the entries (methods, URLs and resources) and run the node again.',
			itemIndex: n !== undefined && n < count ? n : 0,
		});
	}
	const answered = isRecord(res.body) && Array.isArray(res.body.entry) ? res.body.entry : [];
	if (answered.length !== count) {
		throw apiError(this.getNode(), {
			what,
			status: res.status,
			message: `${what}: the server answered with ${answered.length} entr${answered.length === 1 ? 'y' : 'ies'} for ${count}, so the answers cannot be paired with the input items`,
			hint: 'Check on the server what was written before running this again.',
			itemIndex: 0,
		});
	}
	return answered.map((e, i) => responseItem(e, entries[i].request, i));
}
