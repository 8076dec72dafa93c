// The browser suite's tools: Debian's Chromium through playwright-core, n8n's sign-in form, a
// test wrapper that saves a screenshot and the page's text when a test fails
// (.test-results/browser/), the README pictures (docs/images/, with N8N_EHR_DOCS_IMAGES=1) and
// the editor steps the tests share. Selectors are n8n's own data-test-id attributes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { OWNER, type N8n } from '../../scripts/n8n/runtime';
import { REPO_ROOT } from '../../scripts/n8n/paths';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

export const RESULTS_DIR = join(REPO_ROOT, '.test-results', 'browser');
export const DOCS_IMAGES_DIR = join(REPO_ROOT, 'docs', 'images');
/** `npm run docs:images` sets it: the suite writes the README's pictures as it goes */
export const WRITE_DOCS_IMAGES = process.env.N8N_EHR_DOCS_IMAGES === '1';

export interface Browser {
	context: BrowserContext;
	page: Page;
	close: () => Promise<void>;
}

/** Chromium with a fresh profile (removed on close), one page of 1440×900. */
export async function launchBrowser(): Promise<Browser> {
	const profile = mkdtempSync(join(tmpdir(), 'n8n-ehr-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1440, height: 900 },
		timezoneId: 'UTC',
		locale: 'en-US',
	});
	context.setDefaultTimeout(30_000);
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		close: async () => {
			await context.close().catch(() => undefined);
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

/** The page the running test drives (popups set it while they are open): saved on failure. */
export const current: { page?: Page } = {};

function fileName(name: string): string {
	return name
		.replace(/[^A-Za-z0-9._-]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 100);
}

/** Saves a screenshot and the visible text of every open page of the test that failed. */
async function saveFailure(name: string, error: unknown): Promise<void> {
	mkdirSync(RESULTS_DIR, { recursive: true });
	const base = join(RESULTS_DIR, fileName(name));
	const pages = current.page ? current.page.context().pages() : [];
	let i = 0;
	for (const p of pages) {
		const suffix = pages.length > 1 ? `-${i++}` : '';
		await p.screenshot({ path: `${base}${suffix}.png` }).catch(() => undefined);
		const text = await p
			.evaluate<string>('document.body ? document.body.innerText : ""')
			.catch((e: Error) => `(page text not readable: ${e.message})`);
		writeFileSync(
			`${base}${suffix}.txt`,
			`${p.url()}\n\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\n${text}`,
		);
	}
	process.stderr.write(`[browser] "${name}" failed: screenshot and page text in ${base}.*\n`);
}

/** test() that saves the page (screenshot + text) under .test-results/browser/ when it fails. */
export function browserTest(name: string, fn: () => Promise<void>, timeout = 180_000): void {
	test(
		name,
		async () => {
			try {
				await fn();
			} catch (e) {
				await saveFailure(name, e);
				throw e;
			}
		},
		timeout,
	);
}

/** A README picture (PNG) of the page or one element, when WRITE_DOCS_IMAGES is on. */
export async function docsImage(target: Page | Locator, name: string): Promise<void> {
	if (!WRITE_DOCS_IMAGES) return;
	mkdirSync(DOCS_IMAGES_DIR, { recursive: true });
	await target.screenshot({ path: join(DOCS_IMAGES_DIR, `${name}.png`), animations: 'disabled' });
}

/** n8n's sign-in form, as the owner. */
export async function signIn(page: Page, n8n: N8n): Promise<void> {
	await page.goto(`${n8n.baseUrl}/signin`);
	await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(OWNER.email);
	await page.locator('[data-test-id="password"] input').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL(/\/home\b|\/workflows?\b/, { timeout: 60_000 });
}

/** Opens a saved workflow on the canvas and waits for its nodes. */
export async function openWorkflow(page: Page, n8n: N8n, id: string): Promise<void> {
	await page.goto(`${n8n.baseUrl}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor();
}

/** The canvas node of that name (its label), exactly. */
export function canvasNode(page: Page, name: string): Locator {
	return page
		.locator('[data-test-id="canvas-node"]')
		.filter({ has: page.getByText(name, { exact: true }) });
}

/** Double-clicks a canvas node: its panel (NDV) opens. */
export async function openNode(page: Page, name: string): Promise<void> {
	await canvasNode(page, name).first().dblclick();
	await page
		.locator('[data-test-id="ndv"], .ndv-wrapper, [data-test-id="node-parameters"]')
		.first()
		.waitFor();
}

export async function closeNode(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	await page.locator('[data-test-id="node-parameters"]').waitFor({ state: 'detached' });
}

/** The number of items the open node's output panel says it shows ("3 items"). */
export async function outputItemCount(page: Page): Promise<number> {
	const count = page.locator('[data-test-id="output-panel"] [data-test-id="run-data-item-count"]');
	await count.first().waitFor();
	const text = (await count.first().innerText()).trim();
	const m = /(\d[\d,]*)\s+items?/.exec(text);
	if (!m) throw new Error(`the output panel's item count reads "${text}"`);
	return Number(m[1].replace(/,/g, ''));
}

/** A new empty workflow with one node added through the node panel (search, node, action). */
export async function addNodeAction(
	page: Page,
	n8n: N8n,
	search: string,
	nodeName: string,
	action: string,
): Promise<void> {
	await page.goto(`${n8n.baseUrl}/workflow/new`);
	await page
		.locator('[data-test-id="canvas-plus-button"], [data-test-id="node-creator-plus-button"]')
		.first()
		.click();
	await page.locator('input[data-test-id="node-creator-search-bar"]').fill(search);
	await page
		.locator('[data-test-id="node-creator-item-name"]', { hasText: nodeName })
		.first()
		.click();
	const item = page
		.locator('[data-test-id="node-creator-item-name"]')
		.filter({ hasText: new RegExp(`^${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i') })
		.first();
	// a node with a trigger twin (MyPatientPortal, EHR FHIR) opens with its Triggers section
	// expanded and its Actions collapsed on an empty workflow: open Actions as a user would
	const actions = page.getByText(/^Actions \(\d+\)$/).first();
	await item.or(actions).first().waitFor();
	if (!(await item.isVisible())) await actions.click();
	await item.click();
	await page.locator('[data-test-id="node-parameters"]').waitFor();
}

/** The visible text of the page (what a user reads; for the no-secret checks). */
export async function pageText(page: Page): Promise<string> {
	return await page.evaluate<string>('document.body ? document.body.innerText : ""');
}
