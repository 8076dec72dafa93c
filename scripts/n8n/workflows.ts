// Workflow files: examples/ (importable by users) and test workflows. Test workflows may hold the
// placeholder __SANDBOX_URL__ (replaced with the running sandbox's URL on import). Our node
// types that the package does not declare yet are reported so callers can skip the workflow.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredNodeTypes } from './package';
import { REPO_ROOT } from './paths';
import type { WorkflowJson } from './runtime';

export const SANDBOX_URL_PLACEHOLDER = '__SANDBOX_URL__';

export function prepareWorkflow(wf: WorkflowJson, sandboxUrl: string): WorkflowJson {
	return JSON.parse(
		JSON.stringify(wf).split(SANDBOX_URL_PLACEHOLDER).join(sandboxUrl.replace(/\/+$/, '')),
	) as WorkflowJson;
}

export function loadWorkflows(dir: string): Array<{ file: string; workflow: WorkflowJson }> {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => ({
			file: f,
			workflow: JSON.parse(readFileSync(join(dir, f), 'utf8')) as WorkflowJson,
		}));
}

export const loadExamples = () => loadWorkflows(join(REPO_ROOT, 'examples'));

/** Our node types the workflow uses that the package does not declare yet. */
export function missingNodeTypes(wf: WorkflowJson, declared = declaredNodeTypes()): string[] {
	const have = new Set(declared);
	return [
		...new Set(
			wf.nodes.map((n) => n.type).filter((t) => t.startsWith('n8n-nodes-ehr.') && !have.has(t)),
		),
	];
}

/** How a workflow starts: `webhook <method> <path>`, `manual`, `schedule`… (for the listing). */
export function describeTrigger(wf: WorkflowJson): string {
	const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
	if (hook)
		return `webhook ${String(hook.parameters?.httpMethod ?? 'GET')} /webhook/${String(hook.parameters?.path ?? '')}`;
	if (wf.nodes.some((n) => n.type === 'n8n-nodes-base.scheduleTrigger'))
		return 'schedule (and manual)';
	if (wf.nodes.some((n) => n.type.startsWith('n8n-nodes-ehr.') && n.type.endsWith('Trigger')))
		return 'polling trigger (activate the workflow)';
	return 'manual';
}
