// The editor as a user drives it, in Debian's Chromium against the built package in a real n8n
// with the sandbox (one n8n for the whole suite, on a free port that is not 5678, whose OAuth
// callback the sandbox registers). Sign in through the form; every example opened and executed
// from the editor's button; a new Book Appointment node filled in dropdown by dropdown; the
// EHR FHIR patient search; an OAuth2 credential connected through the popup; the node panel
// search; an error panel. Failures leave a screenshot and the page text in .test-results/browser/;
// N8N_EHR_DOCS_IMAGES=1 (npm run docs:images) also writes the README's pictures to docs/images/.
import type { Page } from 'playwright-core';
import { mppState } from '../../sandbox/surfaces/mpp';
import { freePort } from '../../scripts/n8n/runtime';
import { loadExamples, missingNodeTypes } from '../../scripts/n8n/workflows';
import { DEMO_PATIENT, sandboxCredentials } from '../../scripts/n8n/sandbox-credentials';
import { sandboxJson, startEnv, stopEnv, type Env } from '../e2e/helpers';
import {
	addNodeAction,
	browserTest,
	canvasNode,
	current,
	docsImage,
	launchBrowser,
	openNode,
	openWorkflow,
	outputItemCount,
	pageText,
	signIn,
	WRITE_DOCS_IMAGES,
	type Browser,
} from './helpers';

jest.setTimeout(10 * 60_000);

const examples = loadExamples();
let env: Env | undefined;
let browser: Browser | undefined;
const page = (): Page => {
	if (!browser) throw new Error('the browser did not start');
	return browser.page;
};

beforeAll(async () => {
	// a free port (never 5678): the OAuth callback must work on whatever port n8n got
	const port = await freePort();
	env = await startEnv({
		workflows: examples.map((e) => e.workflow),
		n8n: { port },
		sandbox: { n8nPorts: [port] },
	});
	browser = await launchBrowser();
	current.page = browser.page;
}, 10 * 60_000);

afterAll(async () => {
	await browser?.close();
	await stopEnv(env);
});

browserTest('sign in through the form as the owner', async () => {
	await signIn(page(), env!.n8n);
	expect(page().url()).toMatch(/\/home\b|\/workflows?\b/);
	// the signed-in home page: the overview and the settings in the sidebar
	await page().getByText('Overview').first().waitFor();
	await page().locator('[data-test-id="main-sidebar-settings"]').first().waitFor();
	expect(await pageText(page())).toContain('Overview');
});

const adminAppointments = async (sb: Env['sandbox']) =>
	(await sandboxJson<{ data: unknown[] }>(sb, `/_admin/mpp/appointments?patient=${DEMO_PATIENT}`))
		.data;

/** A body for a webhook-started example's test URL; examples without one are skipped. */
const webhookBodies: Record<string, (e: Env) => Record<string, unknown>> = {
	'07-emedicalpractice-book-appointment.json': () => ({
		patientId: '3',
		providerId: '1',
		facilityId: '3',
		date: '2030-01-08',
		startTime: '10:00',
		duration: 20,
		comment: 'browser suite',
	}),
	'08-fhir-slot-booking.json': () => ({
		patientId: 'pt-00001',
		practitionerId: 'pr-0002',
		reason: 'Check-up (browser suite)',
	}),
	'02-webhook-book-appointment.json': (e) => {
		const st = mppState(e.sandbox.app);
		const now = e.sandbox.app.clock.now();
		const slot = st.data.slots.find(
			(s) => s.startMs > now && !st.taken.has(s.id) && s.appointment_type_id === 198,
		);
		if (!slot) throw new Error('the sandbox has no free slot of type 198');
		return {
			insuranceId: 136,
			appointmentCategoryId: slot.appointment_category_id,
			appointmentTypeId: slot.appointment_type_id,
			availabilityId: slot.id,
			comment: 'browser suite',
		};
	},
};

type Start =
	{ kind: 'button'; trigger: string } | { kind: 'webhook'; trigger: string; path: string };

/** How a user starts an example from the editor, or why the suite cannot. */
function howToStart(file: string, wf: (typeof examples)[number]['workflow']): Start | string {
	const missing = missingNodeTypes(wf);
	if (missing.length) return `node type ${missing.join(', ')} is not in the package yet`;
	const manual = wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	if (manual) return { kind: 'button', trigger: manual.name };
	const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
	if (hook) {
		if (!webhookBodies[file])
			return 'started by a webhook and the suite has no request body for it (add one to webhookBodies)';
		return { kind: 'webhook', trigger: hook.name, path: String(hook.parameters?.path ?? '') };
	}
	const triggers = wf.nodes.filter((n) => /trigger$/i.test(n.type)).map((n) => n.type);
	return `started by ${triggers.join(', ') || 'no trigger'}, which the editor's button cannot run on demand`;
}

describe('every example runs from the editor', () => {
	for (const { file, workflow: wf } of examples) {
		const start = howToStart(file, wf);
		if (typeof start === 'string') {
			process.stderr.write(`SKIPPED: examples/${file} — ${start}\n`);
			test.skip(`examples/${file} (SKIPPED: ${start})`, () => undefined);
			continue;
		}
		browserTest(
			`examples/${file}: executed from the button, the last node shows items`,
			async () => {
				const { n8n } = env!;
				const p = page();
				const before = (await n8n.executions(wf.id)).length;
				await openWorkflow(p, n8n, wf.id);
				await docsImage(p, `example-${file.replace(/\.json$/, '')}`);
				// each trigger's own Execute workflow button shows when the pointer is on the trigger
				await canvasNode(p, start.trigger).hover();
				await p.locator(`[data-test-id="execute-workflow-button-${start.trigger}"]`).click();
				if (start.kind === 'webhook') {
					// the editor now waits for a call of the test URL, as it tells the user
					await p.getByText('Waiting for you to call the Test URL').first().waitFor();
					const res = await fetch(`${n8n.baseUrl}/webhook-test/${start.path}`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(webhookBodies[file](env!)),
					});
					expect(res.status).toBeLessThan(300);
				}
				const execs = await n8n.finishedExecutions(wf.id, before + 1, 120_000);
				expect(execs.length).toBe(before + 1);
				const newest = execs.sort((a, b) => Number(b.id) - Number(a.id))[0];
				expect(newest.status).toBe('success');
				const run = await n8n.execution(newest.id);
				const last = run.lastNodeExecuted;
				if (!last) throw new Error(`execution ${newest.id} names no last node`);
				await openNode(p, last);
				const count = await outputItemCount(p);
				expect({ node: last, count: count > 0 }).toEqual({ node: last, count: true });
				expect(count).toBe(run.nodes[last].items.length);
				await p.keyboard.press('Escape');
				// after the run, the package's nodes show no parameter warnings (IDs from expressions
				// were flagged 'The value "136" is not supported!')
				const warned: Record<string, string[]> = {};
				for (const node of wf.nodes.filter((n) => n.type.startsWith('n8n-nodes-ehr.'))) {
					if (!run.nodes[node.name]) continue;
					await openNode(p, node.name);
					await p.waitForTimeout(1500); // the dropdowns load their options
					const issues = p.locator(
						'[data-test-id="node-parameters"] [data-test-id="parameter-issues"]',
					);
					const params: string[] = [];
					for (const issue of await issues.all()) {
						const item = issue.locator('xpath=ancestor::*[@data-test-id="parameter-item"][1]');
						params.push((await item.innerText().catch(() => '?')).split('\n')[0].trim());
					}
					if (params.length) warned[node.name] = params;
					if (WRITE_DOCS_IMAGES && node.type === 'n8n-nodes-ehr.fhirBulkExport') {
						// the README's picture of a bulk export's files as binary data
						const binary = p.locator(
							'[data-test-id="output-panel"] [data-test-id="radio-button-binary"]',
						);
						if (await binary.count()) await binary.first().click();
						await docsImage(p, 'bulk-export-binary-output');
					}
					await p.keyboard.press('Escape');
				}
				expect(warned).toEqual({});
			},
		);
	}
});

/** The NDV's "Execute step" button, then the output panel's text once it shows the run. */
async function executeStep(p: Page): Promise<string> {
	const out = p.locator('[data-test-id="ndv"] [data-test-id="output-panel"]').first();
	const before = await out.innerText().catch(() => '');
	await p.locator('[data-test-id="ndv"] [data-test-id="node-execute-button"]').first().click();
	const deadline = Date.now() + 90_000;
	for (;;) {
		const text = await out.innerText().catch(() => '');
		if (text !== before && (/\b\d+ items?\b/.test(text) || /problem in node|error/i.test(text)))
			return text;
		if (Date.now() > deadline) throw new Error(`the output panel shows no run:\n${text}`);
		await p.waitForTimeout(300);
	}
}

/**
 * Opens a dropdown (options parameter) and waits for its options: the listbox its input
 * controls (aria-controls), not another dropdown's that is still closing. Clicked again if it
 * stays shut.
 */
async function openDropdown(p: Page, param: string) {
	const field = p.locator(`[data-test-id="parameter-input-${param}"]`);
	for (let attempt = 1; ; attempt++) {
		await field.click();
		// the input is re-rendered when its list reloads: read its listbox each time
		const list = await field.locator('input').first().getAttribute('aria-controls');
		const options = list
			? p.locator(`[id="${list}"] [role="option"]`)
			: p.locator('[role="option"][data-test-id="parameter-input-item"]:visible');
		try {
			await options.first().waitFor({ timeout: 10_000 });
			return options;
		} catch (e) {
			if (attempt === 3) throw e;
			await p.keyboard.press('Escape');
		}
	}
}

/** Opens a dropdown and picks the option with that text (or the first); returns its label. */
async function pick(p: Page, param: string, option?: string | RegExp): Promise<string> {
	const options = await openDropdown(p, param);
	const target =
		option === undefined ? options.first() : options.filter({ hasText: option }).first();
	await target.waitFor({ timeout: 15_000 });
	expect(await pageText(p)).not.toContain('Error fetching options');
	const label = (await target.locator('.option-headline').first().innerText()).trim();
	await target.click();
	await target.waitFor({ state: 'hidden' });
	return label;
}

async function shownValue(p: Page, param: string): Promise<string> {
	const input = p.locator(`[data-test-id="parameter-input-${param}"] input`).first();
	return (await input.inputValue().catch(() => '')).trim();
}

describe('a new Book Appointment node', () => {
	browserTest(
		'credential, then each dropdown in order; a pick kept under a changed parent is refused; booked',
		async () => {
			const { n8n, sandbox } = env!;
			const p = page();
			await addNodeAction(p, n8n, 'Book Appointment', 'MyPatientPortal', 'Book appointment');
			// the only MyPatientPortal credential is chosen for the new node
			await expect(
				p.locator('[data-test-id="node-credentials-select"] input').first().inputValue(),
			).resolves.toBe('MyPatientPortal (sandbox)');
			expect(await pageText(p)).not.toContain('Error fetching options');
			await pick(p, 'insuranceId', 'Gesetzliche Krankenversicherung (GKV)');
			await pick(p, 'appointmentCategoryId', 'General Practice');
			const firstType = await pick(p, 'appointmentTypeId');
			await openDropdown(p, 'availabilityId');
			await docsImage(p, 'book-appointment-dropdowns');
			await p.keyboard.press('Escape');
			const slotLabel = await pick(p, 'availabilityId');
			expect(await shownValue(p, 'availabilityId')).toBe(slotLabel);

			// another type: the slot picked for the first one is not a slot of this type
			const types = await openDropdown(p, 'appointmentTypeId');
			await types.filter({ hasNotText: firstType }).first().click();
			let kept = await shownValue(p, 'availabilityId');
			for (let i = 0; i < 60 && /loading/i.test(kept); i++) {
				await p.waitForTimeout(250);
				kept = await shownValue(p, 'availabilityId');
			}
			process.stderr.write(
				`[browser] after the type changed, n8n ${kept ? `kept the availability ("${kept}")` : 'cleared the availability'}\n`,
			);
			const before = (await adminAppointments(sandbox)).length;
			if (kept) {
				// n8n 2.41.1 keeps a dependent pick: the node refuses it and books nothing
				const text = await executeStep(p);
				expect(text).toContain('pick the slot again');
				expect((await adminAppointments(sandbox)).length).toBe(before);
			}
			await pick(p, 'availabilityId');
			const text = await executeStep(p);
			expect(text).toMatch(/1 item/);
			const out = p.locator('[data-test-id="ndv"] [data-test-id="output-panel"]').first();
			await out.getByText('booked').first().waitFor();
			expect((await adminAppointments(sandbox)).length).toBe(before + 1);
			await p.keyboard.press('Escape');
		},
	);

	browserTest(
		'a dropdown loads after the credential is chosen (another credential was preselected)',
		async () => {
			const { n8n } = env!;
			const p = page();
			// a second MyPatientPortal credential without a portal URL; n8n preselects the newest
			await n8n.rest('POST', '/credentials', {
				name: 'MyPatientPortal (other practice)',
				type: 'myPatientPortalOAuth2Api',
				data: {},
			});
			await addNodeAction(p, n8n, 'Book Appointment', 'MyPatientPortal', 'Book appointment');
			await p.locator('[data-test-id="node-credentials-select"]').click();
			await p.locator('[data-test-id="node-credentials-select-item-ehrDemoMpp000001"]').click();
			await pick(p, 'insuranceId', 'Private Krankenversicherung (PKV)');
			await pick(p, 'appointmentCategoryId');
			expect(await pageText(p)).not.toContain('Error fetching options');
			await p.keyboard.press('Escape');
		},
	);
});

describe('EHR FHIR', () => {
	browserTest(
		'Get Patient: "From List" searches the server; the chosen patient is read',
		async () => {
			const { n8n } = env!;
			const p = page();
			await addNodeAction(p, n8n, 'Get Patient', 'EHR FHIR', 'Get patient');
			await chooseCredential(p, 'SMART on FHIR (sandbox)');
			await p.locator('[data-test-id="rlc-mode-selector"]').first().click();
			await p.locator('[data-test-id="mode-list"]').first().click();
			await p.locator('[data-test-id="rlc-input"]').first().click();
			const search = p
				.locator('[data-test-id="rlc-search"] input, input[placeholder*="Search" i]')
				.last();
			await search.waitFor();
			await search.fill('Martinez');
			const items = p.locator('[data-test-id="rlc-item"]');
			await items.first().waitFor();
			const first = (await items.first().innerText()).trim();
			expect(first).toContain('Martinez');
			await items.first().click();
			const text = await executeStep(p);
			expect(text).toMatch(/1 item/);
			const out = p.locator('[data-test-id="ndv"] [data-test-id="output-panel"]').first();
			await out.getByText('Martinez').first().waitFor();
			expect(await out.innerText()).toContain('Martinez');
			await p.keyboard.press('Escape');
		},
	);

	browserTest(
		'an unknown patient: the error panel names it and shows no secret or token',
		async () => {
			const { n8n, sandbox } = env!;
			const p = page();
			await addNodeAction(p, n8n, 'Get Patient', 'EHR FHIR', 'Get patient');
			await chooseCredential(p, 'SMART Backend Services (sandbox)');
			await p.getByPlaceholder('e.g. pt-00001').fill('pt-99999');
			const text = await executeStep(p);
			expect(text).toContain('pt-99999');
			// a system-scoped credential reads any patient: an unknown one is a 404
			expect(text).toMatch(/HTTP 404|not found|does not exist/i);
			const all = await pageText(p);
			for (const secret of await secretsOf(sandbox.url)) expect(all.includes(secret)).toBe(false);
			await p.keyboard.press('Escape');
		},
	);
});

/** Picks a credential by its name in the node's Credential picker. */
async function chooseCredential(p: Page, name: string): Promise<void> {
	const select = p.locator('[data-test-id="node-credentials-select"]').first();
	if ((await select.locator('input').first().inputValue()) === name) return;
	await select.click();
	await p
		.locator('[data-test-id^="node-credentials-select-item-"]')
		.filter({ hasText: name })
		.first()
		.click();
	await expect(select.locator('input').first().inputValue()).resolves.toBe(name);
}

/** Every secret the demo credentials hold (client secrets, tokens, keys). */
async function secretsOf(sandboxUrl: string): Promise<string[]> {
	const out: string[] = [];
	const walk = (v: unknown, key = ''): void => {
		if (typeof v === 'string') {
			if (/secret|token|password|privateKey|key$/i.test(key) && v.length >= 8) out.push(v);
		} else if (v && typeof v === 'object') {
			for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, k);
		}
	};
	for (const c of await sandboxCredentials(sandboxUrl)) walk(c.data);
	expect(out.length).toBeGreaterThan(3);
	return out;
}

describe('credentials', () => {
	browserTest(
		'a new MyPatientPortal OAuth2 credential connects through the popup (Approve) on this port',
		async () => {
			const { n8n, sandbox } = env!;
			const p = page();
			expect(n8n.port).not.toBe(5678);
			// the consent page, as a user sees it, instead of the tests' automatic approval
			await fetch(`${sandbox.url}/_admin/auto-approve`, {
				method: 'POST',
				body: JSON.stringify({ on: false }),
			});
			await addNodeAction(p, n8n, 'Book Appointment', 'MyPatientPortal', 'Book appointment');
			await p.locator('[data-test-id="node-credentials-select"]').click();
			await p.locator('[data-test-id="node-credentials-select-item-new"]').click();
			const modal = p.locator('[data-test-id="credential-edit-dialog"]').first();
			await modal
				.locator('[data-test-id="parameter-input-portalUrl"] input')
				.fill(`${sandbox.url}/mpp`);
			await modal.locator('[data-test-id="parameter-input-clientId"] input').fill('mpp-demo');
			await modal
				.locator('[data-test-id="parameter-input-clientSecret"] input')
				.fill('mpp-demo-secret');
			// n8n shows "Connect my account" once the credential can be connected (saved first
			// when it is not shown yet)
			const connect = p
				.locator('button, [role="button"]')
				.filter({ hasText: /^\s*Connect( my account)?\s*$/ })
				.first();
			try {
				await connect.waitFor({ timeout: 5_000 });
			} catch {
				await p.locator('[data-test-id="credential-save-button"]').first().click();
				await connect.waitFor();
			}
			await connect.scrollIntoViewIfNeeded();
			await docsImage(p, 'credential-connect');
			const popupP = p.context().waitForEvent('page');
			await connect.click();
			const popup = await popupP;
			current.page = popup;
			// n8n opens the window first, then sends it to the authorize URL
			await popup.waitForURL((u) => u.href.startsWith(`${sandbox.url}/mpp/oauth/authorize`));
			await popup.getByRole('button', { name: /approve/i }).click();
			await popup.waitForEvent('close', { timeout: 60_000 });
			current.page = p;
			// connected: n8n closes the dialog, the node gets the new credential and n8n holds
			// its token
			await expect(
				p.locator('[data-test-id="node-credentials-select"] input').first().inputValue(),
			).resolves.toBe('MyPatientPortal account');
			const creds = await n8n.rest<Array<{ id: string; name: string }>>('GET', '/credentials');
			const made = creds.find((c) => c.name === 'MyPatientPortal account');
			if (!made) throw new Error('the new credential was not saved');
			const stored = await n8n.credentialForEditing(made.id);
			expect(stored.data.oauthTokenData).toBeTruthy();
			const shown = await pageText(p);
			expect(shown).not.toContain('mpp-demo-secret');
			await p.keyboard.press('Escape');
		},
	);
});

describe('the node panel search', () => {
	const phrases: Record<string, string> = {
		'Get Patient': 'EHR FHIR',
		'Patient Everything': 'EHR FHIR',
		Immunizations: 'EHR FHIR',
		vaccination: 'EHR FHIR',
		'FHIR resource': 'EHR FHIR',
		observation: 'EHR FHIR',
		'Book Appointment': 'MyPatientPortal',
		'cancel appointment': 'MyPatientPortal',
		reschedule: 'MyPatientPortal',
		'find availabilities': 'MyPatientPortal',
		JWKS: 'FHIR Bulk Export',
		'bulk export': 'FHIR Bulk Export',
		'check export status': 'FHIR Bulk Export',
	};
	browserTest('each action name and synonym finds its node', async () => {
		const { n8n } = env!;
		const p = page();
		await p.goto(`${n8n.baseUrl}/workflow/new`);
		await p
			.locator('[data-test-id="canvas-plus-button"], [data-test-id="node-creator-plus-button"]')
			.first()
			.click();
		const search = p.locator('input[data-test-id="node-creator-search-bar"]');
		const found: Record<string, boolean> = {};
		for (const [phrase, node] of Object.entries(phrases)) {
			await search.fill(phrase);
			const names = p.locator('[data-test-id="node-creator-item-name"]');
			await names
				.filter({ hasText: node })
				.first()
				.waitFor({ timeout: 10_000 })
				.catch(() => undefined);
			const shown = (await names.allInnerTexts()).map((t) => t.trim());
			found[phrase] = shown.includes(node);
		}
		expect(found).toEqual(Object.fromEntries(Object.keys(phrases).map((k) => [k, true])));
	});
});
