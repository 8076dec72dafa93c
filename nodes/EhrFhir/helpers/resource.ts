// Parameter readers of the FHIR Resource operations: the resource type, the resource (by ID or by a
// URL on the credential's server), the body (checked before sending) and the search query.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { isRecord } from '../../shared/values';
import type { ApiRequest } from '../../shared/http';
import { assertUrlOnServer, pathUnderBase } from './url';
import { shownId } from './patient';

const TYPE_RE = /^[A-Z][A-Za-z]{1,63}$/;

/** "a Condition", "an Observation" */
export function aType(type: string): string {
	return `${/^[AEIOU]/i.test(type) ? 'an' : 'a'} ${type}`;
}
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

function fail(
	ctx: IExecuteFunctions,
	itemIndex: number,
	message: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/** The Resource Type parameter (e.g. Observation), checked. */
export function resourceTypeParam(this: IExecuteFunctions, itemIndex: number): string {
	const type = String(this.getNodeParameter('resourceType', itemIndex, '') ?? '').trim();
	if (!TYPE_RE.test(type)) {
		throw fail(
			this,
			itemIndex,
			type ? `"${type.slice(0, 80)}" is not a FHIR resource type` : 'No resource type given',
			'Choose a resource type from the list, or enter one such as Observation (capitalized, letters only).',
		);
	}
	return type;
}

export interface ResourceRef {
	type: string;
	id: string;
	/** a version in the URL (`…/_history/2`) */
	version?: string;
}

function checkId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	id: string,
	label = 'resource ID',
): string {
	if (!ID_RE.test(id)) {
		throw fail(
			ctx,
			itemIndex,
			id ? `"${shownId(id)}" is not a FHIR ${label}` : `No ${label} given`,
			'A FHIR ID has 1 to 64 letters, digits, "-" and "."; or give the full URL of the resource on the credential\'s server.',
		);
	}
	if (id === '.' || id === '..')
		throw fail(ctx, itemIndex, `"${id}" is not a FHIR ${label}`, 'Enter the ID of the resource.');
	return id;
}

/**
 * The resource the item names in the Resource ID parameter: an ID of the chosen type, or the full
 * URL of the resource on the credential's FHIR server (`…/Observation/1`, `…/_history/2`).
 */
export function resourceRefParam(
	this: IExecuteFunctions,
	itemIndex: number,
	fhirBaseUrl: string,
	type: string,
): ResourceRef {
	const given = String(this.getNodeParameter('resourceId', itemIndex, '') ?? '').trim();
	if (!/^https?:\/\//i.test(given)) return { type, id: checkId(this, itemIndex, given) };
	assertUrlOnServer(this.getNode(), given, fhirBaseUrl, itemIndex, {
		noun: 'resource URL',
		tail: /\/[A-Z][A-Za-z]+\/[^/]*(?:\/_history\/[^/]*)?$/,
		example: `${fhirBaseUrl}/${type}/<id>`,
	});
	const path = pathUnderBase(given.replace(/[?#].*$/, ''), fhirBaseUrl) ?? '';
	const m = /^([A-Za-z]+)\/([^/]+)(?:\/_history\/([^/]+))?\/?$/.exec(path);
	if (!m)
		throw fail(
			this,
			itemIndex,
			`"${given.slice(0, 200)}" is not the URL of one FHIR resource`,
			`Give a URL such as ${fhirBaseUrl}/${type}/<id>, or just the ID.`,
		);
	if (m[1] !== type) {
		throw fail(
			this,
			itemIndex,
			`The URL is of ${aType(m[1])}, but the resource type chosen is ${type}: nothing was sent`,
			`Choose ${m[1]} as the resource type, or give a URL of ${aType(type)}.`,
		);
	}
	return {
		type,
		id: checkId(this, itemIndex, decodeURIComponent(m[2])),
		version: m[3] ? decodeURIComponent(m[3]) : undefined,
	};
}

/** A version ID (`3`, or an ETag `W/"3"`). */
export function versionParam(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
	required: boolean,
): string | undefined {
	const raw = String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const v = raw.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
	if (!v) {
		if (required)
			throw fail(
				this,
				itemIndex,
				'No version ID given',
				'Enter the version ID (meta.versionId of the resource), e.g. 2.',
			);
		return undefined;
	}
	return checkId(this, itemIndex, v, 'version ID');
}

/** A JSON text parameter parsed; invalid JSON is refused naming the item and `what`. */
export function parseJson(
	ctx: IExecuteFunctions,
	itemIndex: number,
	raw: unknown,
	what: string,
): unknown {
	if (typeof raw !== 'string') return raw;
	try {
		return JSON.parse(raw);
	} catch (e) {
		throw fail(
			ctx,
			itemIndex,
			`The ${what} of item ${itemIndex} is not valid JSON (${(e as Error).message.slice(0, 120)}): nothing was sent`,
			'Enter a JSON object such as {"resourceType": "Observation", …}, or map one with an expression.',
		);
	}
}

/**
 * The resource to send: the JSON field, or the input item's JSON (Body From), checked before any
 * request — valid JSON, a JSON object, `resourceType` the chosen type, an `id` matching `id`.
 */
export function resourceBody(
	this: IExecuteFunctions,
	itemIndex: number,
	type: string,
	id?: string,
): IDataObject {
	const from = this.getNodeParameter('bodyFrom', itemIndex, 'json') as string;
	const raw =
		from === 'item'
			? this.getInputData()[itemIndex]?.json
			: this.getNodeParameter('body', itemIndex, '');
	const body = parseJson(this, itemIndex, raw, from === 'item' ? 'input item' : 'body');
	const where = from === 'item' ? `Input item ${itemIndex}` : `The body of item ${itemIndex}`;
	if (!isRecord(body)) {
		throw fail(
			this,
			itemIndex,
			`${where} is not a FHIR resource (a JSON object): nothing was sent`,
			`Give ${aType(type)} as a JSON object with "resourceType": "${type}".`,
		);
	}
	if (body.resourceType !== type) {
		const has =
			body.resourceType === undefined || body.resourceType === ''
				? 'has no resourceType'
				: `is ${aType(String(body.resourceType).slice(0, 60))}`;
		throw fail(
			this,
			itemIndex,
			`${where} ${has}, not ${aType(type)}: nothing was sent`,
			`Set "resourceType": "${type}" in the body, or choose the resource type of the body.`,
		);
	}
	if (id !== undefined && body.id !== undefined && String(body.id) !== id) {
		throw fail(
			this,
			itemIndex,
			`${where} has the id "${shownId(String(body.id))}", but the resource to update is ${type}/${id}: nothing was sent`,
			'Remove the id from the body, or update the resource with that id.',
		);
	}
	return id !== undefined ? { ...body, id } : body;
}

/** A JSON Patch document (a list of operations), checked before sending. */
export function jsonPatchParam(this: IExecuteFunctions, itemIndex: number): IDataObject[] {
	const ops = parseJson(
		this,
		itemIndex,
		this.getNodeParameter('patch', itemIndex, '[]'),
		'JSON Patch',
	);
	const bad =
		!Array.isArray(ops) ||
		!ops.length ||
		ops.some((o) => !isRecord(o) || typeof o.op !== 'string' || typeof o.path !== 'string');
	if (bad) {
		throw fail(
			this,
			itemIndex,
			`The JSON Patch of item ${itemIndex} is not a list of operations: nothing was sent`,
			'Enter a JSON array such as [{"op": "replace", "path": "/status", "value": "final"}].',
		);
	}
	return ops as IDataObject[];
}

/** A query string (`identifier=x|1&status=final`) as request parameters; repeated names are kept. */
export function parseQuery(query: string): NonNullable<ApiRequest['qs']> {
	const qs: NonNullable<ApiRequest['qs']> = {};
	for (const [k, v] of new URLSearchParams(query.trim().replace(/^\?/, ''))) {
		if (!k) continue;
		const had = qs[k];
		qs[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [String(had), v];
	}
	return qs;
}

/** The conditional search of Create If None Exists / Create or Update (`identifier=…`), required. */
export function conditionParam(this: IExecuteFunctions, itemIndex: number): string {
	const raw = String(this.getNodeParameter('condition', itemIndex, '') ?? '')
		.trim()
		.replace(/^\?/, '');
	if (!raw || !Object.keys(parseQuery(raw)).length) {
		throw fail(
			this,
			itemIndex,
			'No search given to find the existing resource',
			'Enter a search such as identifier=http://clinic.example/mrn|12345 (what makes the resource unique).',
		);
	}
	return raw;
}

/** The weak ETag of a version, for If-Match. */
export function etagOf(version: string): string {
	return `W/"${version}"`;
}
