// Where the n8n runtime lives: a cache folder outside the repository, keyed by version, so
// clean checkouts and CI runs on the same machine reuse one install.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The n8n version the demo and the e2e tests run (2.41.3 does not install: missing dependency). */
export const N8N_VERSION = process.env.N8N_EHR_N8N_VERSION ?? '2.41.1';
/** n8n 2.x needs Node >= 24; it comes from the registry's `node` package. */
export const NODE_MAJOR = '24';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export function cacheRoot(): string {
	if (process.env.N8N_EHR_CACHE) return process.env.N8N_EHR_CACHE;
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-ehr');
}

export const n8nDir = (): string => join(cacheRoot(), `n8n-${N8N_VERSION}`);
export const nodeDir = (): string => join(cacheRoot(), `node-${NODE_MAJOR}`);
export const node24Bin = (): string => join(nodeDir(), 'node_modules', 'node', 'bin', 'node');
export const n8nBin = (): string => join(n8nDir(), 'node_modules', 'n8n', 'bin', 'n8n');
/** Written only after an install finished completely; without it the install is redone. */
export const MARKER = '.install-complete';
