// Credential types for the harness: loads this package's `credentials/*.credentials.ts`, fills
// defaults the way n8n does (child properties over the `oAuth2Api` parent's), resolves simple
// expressions such as `={{$self["authHost"]}}/o/authorize/`, and applies `authenticate`.
import fs from 'node:fs';
import path from 'node:path';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

const CREDENTIALS_DIR = path.resolve(__dirname, '../../credentials');

/** n8n-nodes-base's oAuth2Api properties that matter for requests (defaults). */
const OAUTH2_PARENT_DEFAULTS: ICredentialDataDecryptedObject = {
	grantType: 'authorizationCode',
	authUrl: '',
	accessTokenUrl: '',
	clientId: '',
	clientSecret: '',
	scope: '',
	authQueryParameters: '',
	authentication: 'header',
};

let packageTypes: Map<string, ICredentialType> | undefined;

function loadPackageTypes(): Map<string, ICredentialType> {
	if (packageTypes) return packageTypes;
	packageTypes = new Map();
	if (!fs.existsSync(CREDENTIALS_DIR)) return packageTypes;
	for (const file of fs.readdirSync(CREDENTIALS_DIR)) {
		if (!file.endsWith('.credentials.ts')) continue;
		let mod: Record<string, unknown>;
		try {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			mod = require(path.join(CREDENTIALS_DIR, file)) as Record<string, unknown>;
		} catch (e) {
			// a colleague's half-written credential must not break every test
			console.warn(`harness: could not load credentials/${file}: ${(e as Error).message}`);
			continue;
		}
		for (const exported of Object.values(mod)) {
			if (typeof exported !== 'function') continue;
			try {
				const inst = new (exported as new () => ICredentialType)();
				if (inst && typeof inst.name === 'string' && Array.isArray(inst.properties))
					packageTypes.set(inst.name, inst);
			} catch {
				/* not a credential class */
			}
		}
	}
	return packageTypes;
}

const cache = new Map<string, (self: unknown, credentials: unknown) => unknown>();
function compiled(expr: string): (self: unknown, credentials: unknown) => unknown {
	let fn = cache.get(expr);
	if (!fn) {
		// eslint-disable-next-line @typescript-eslint/no-implied-eval
		fn = new Function('$self', '$credentials', `return (${expr});`) as (
			self: unknown,
			credentials: unknown,
		) => unknown;
		cache.set(expr, fn);
	}
	return fn;
}

/** Evaluates `={{ … }}` the simple way: JavaScript with `$self`/`$credentials` bound. */
export function resolveExpression(value: unknown, self: Record<string, unknown>): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const tpl = value.slice(1);
	const evalOne = (expr: string): unknown => compiled(expr)(self, self);
	const whole = /^\{\{([\s\S]*)\}\}$/.exec(tpl.trim());
	if (whole && !whole[1].includes('}}')) return evalOne(whole[1]);
	return tpl.replace(/\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => {
		const v = evalOne(expr);
		return v === undefined || v === null
			? ''
			: typeof v === 'object'
				? JSON.stringify(v)
				: String(v);
	});
}

export class CredentialRegistry {
	private types = new Map<string, ICredentialType>();

	constructor(extra: ICredentialType[] = []) {
		for (const [k, v] of loadPackageTypes()) this.types.set(k, v);
		for (const t of extra) this.types.set(t.name, t);
	}

	get(type: string): ICredentialType | undefined {
		return this.types.get(type);
	}

	/** parent chain names, like credentialTypes.getParentTypes */
	parents(type: string): string[] {
		const out: string[] = [];
		let queue = [...(this.types.get(type)?.extends ?? [])];
		while (queue.length) {
			const p = queue.shift()!;
			if (out.includes(p)) continue;
			out.push(p);
			queue = queue.concat(this.types.get(p)?.extends ?? []);
		}
		return out;
	}

	isOAuth2(type: string): boolean {
		return type === 'oAuth2Api' || this.parents(type).includes('oAuth2Api');
	}

	/** name of the hidden `expirable` property, if the type has one */
	expirableField(type: string): string | undefined {
		return this.properties(type).find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		)?.name;
	}

	properties(type: string): INodeProperties[] {
		const t = this.types.get(type);
		if (!t) return [];
		const merged = new Map<string, INodeProperties>();
		for (const p of t.extends ?? [])
			for (const prop of this.properties(p)) merged.set(prop.name, prop);
		for (const prop of t.properties) merged.set(prop.name, prop);
		return [...merged.values()];
	}

	/** Defaults filled in and expressions resolved, as `getCredentials` returns them in n8n. */
	resolve(type: string, raw: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
		const data: ICredentialDataDecryptedObject = {};
		if (this.isOAuth2(type)) Object.assign(data, OAUTH2_PARENT_DEFAULTS);
		for (const prop of this.properties(type)) {
			if (prop.default !== undefined)
				data[prop.name] = prop.default as ICredentialDataDecryptedObject[string];
		}
		// a hidden property's default wins over stored data only when the stored value is absent
		Object.assign(data, JSON.parse(JSON.stringify(raw)) as ICredentialDataDecryptedObject);
		// resolve in a few passes so expressions may refer to other resolved fields
		const out: ICredentialDataDecryptedObject = { ...data };
		for (let pass = 0; pass < 3; pass++) {
			for (const [k, v] of Object.entries(data)) {
				try {
					out[k] = resolveExpression(v, out) as ICredentialDataDecryptedObject[string];
				} catch {
					out[k] = v;
				}
			}
		}
		return out;
	}

	async authenticate(
		type: string,
		credentials: ICredentialDataDecryptedObject,
		options: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const t = this.types.get(type);
		if (!t?.authenticate) return options;
		if (typeof t.authenticate === 'function') return await t.authenticate(credentials, options);
		const auth = t.authenticate;
		if (auth.type === 'generic') {
			const target = options as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, inner] of Object.entries(auth.properties)) {
				for (const [key, value] of Object.entries(inner as Record<string, unknown>)) {
					const k = String(resolveExpression(key, credentials));
					const v = resolveExpression(value, credentials);
					target[outerKey] = { ...(target[outerKey] ?? {}) };
					target[outerKey][k] = v === undefined || v === null ? '' : String(v);
				}
			}
		}
		return options;
	}
}
