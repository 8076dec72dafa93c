// JSON Patch (RFC 6902) on a copy of a resource: add, remove, replace, test, move, copy.
// PatchError carries the HTTP status: 400 for a malformed patch, 422 for one that cannot apply
// (a failed `test`, a path that is not there).

export class PatchError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

type Json = unknown;
type Container = Record<string, Json> | Json[];

function pointer(path: unknown, what: string): string[] {
	if (typeof path !== 'string' || (path !== '' && !path.startsWith('/')))
		throw new PatchError(400, `${what} must be a JSON Pointer such as "/name/0".`);
	return path === ''
		? []
		: path
				.slice(1)
				.split('/')
				.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walk(doc: Json, parts: string[], path: string): Json {
	let cur = doc;
	for (const p of parts) {
		if (Array.isArray(cur) && /^(0|[1-9]\d*)$/.test(p) && Number(p) < cur.length)
			cur = cur[Number(p)];
		else if (
			cur &&
			typeof cur === 'object' &&
			!Array.isArray(cur) &&
			Object.prototype.hasOwnProperty.call(cur, p)
		)
			cur = (cur as Record<string, Json>)[p];
		else throw new PatchError(422, `Path ${path} does not exist in the resource.`);
	}
	return cur;
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Container; key: string } {
	if (parts.length === 0)
		throw new PatchError(422, 'The whole resource cannot be replaced by a patch operation.');
	const parent = walk(doc, parts.slice(0, -1), path);
	if (!parent || typeof parent !== 'object')
		throw new PatchError(422, `Path ${path} does not exist in the resource.`);
	return { parent: parent as Container, key: parts[parts.length - 1] };
}

function index(arr: Json[], key: string, path: string, forAdd: boolean): number {
	if (forAdd && key === '-') return arr.length;
	if (!/^(0|[1-9]\d*)$/.test(key))
		throw new PatchError(422, `Path ${path}: "${key}" is not an array index.`);
	const i = Number(key);
	if (i > arr.length || (!forAdd && i === arr.length))
		throw new PatchError(422, `Path ${path}: index ${i} is out of range.`);
	return i;
}

function add(doc: Json, path: string, value: Json): void {
	const { parent, key } = parentOf(doc, pointer(path, 'path'), path);
	if (Array.isArray(parent)) parent.splice(index(parent, key, path, true), 0, value);
	else parent[key] = value;
}

function remove(doc: Json, path: string): Json {
	const parts = pointer(path, 'path');
	const old = walk(doc, parts, path);
	const { parent, key } = parentOf(doc, parts, path);
	if (Array.isArray(parent)) parent.splice(index(parent, key, path, false), 1);
	else delete parent[key];
	return old;
}

function equal(a: Json, b: Json): boolean {
	if (a === b) return true;
	if (
		typeof a !== 'object' ||
		typeof b !== 'object' ||
		!a ||
		!b ||
		Array.isArray(a) !== Array.isArray(b)
	)
		return false;
	const ka = Object.keys(a);
	const kb = Object.keys(b);
	return (
		ka.length === kb.length &&
		ka.every((k) => equal((a as Record<string, Json>)[k], (b as Record<string, Json>)[k]))
	);
}

const clone = (v: Json): Json => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Applies `ops` to a deep copy of `doc`; throws PatchError. */
export function applyPatch<T>(doc: T, ops: unknown): T {
	if (!Array.isArray(ops))
		throw new PatchError(400, 'A JSON Patch body is an array of operations.');
	const out = clone(doc);
	ops.forEach((op: unknown, i) => {
		if (!op || typeof op !== 'object')
			throw new PatchError(400, `Patch operation ${i} is not an object.`);
		const o = op as { op?: unknown; path?: unknown; from?: unknown; value?: unknown };
		const path = o.path as string;
		pointer(o.path, `Patch operation ${i}: path`);
		const needValue = o.op === 'add' || o.op === 'replace' || o.op === 'test';
		if (needValue && !('value' in o))
			throw new PatchError(400, `Patch operation ${i} (${String(o.op)}) needs a value.`);
		switch (o.op) {
			case 'add':
				return add(out, path, clone(o.value));
			case 'remove':
				return void remove(out, path);
			case 'replace':
				walk(out, pointer(path, 'path'), path);
				remove(out, path);
				return add(out, path, clone(o.value));
			case 'test':
				if (!equal(walk(out, pointer(path, 'path'), path), o.value))
					throw new PatchError(422, `Patch operation ${i}: test failed at ${path}.`);
				return;
			case 'move': {
				pointer(o.from, `Patch operation ${i}: from`);
				if (path.startsWith(`${String(o.from)}/`))
					throw new PatchError(422, `Patch operation ${i}: cannot move a value into itself.`);
				return add(out, path, remove(out, String(o.from)));
			}
			case 'copy':
				return add(
					out,
					path,
					clone(walk(out, pointer(o.from, `Patch operation ${i}: from`), String(o.from))),
				);
			default:
				throw new PatchError(400, `Patch operation ${i}: unknown op "${String(o.op)}".`);
		}
	});
	return out as T;
}
