// Shared setup of the Appointment tests: credentials whose tokens carry the scheduling scopes
// (eMedicalPractice staff scheduling; SMART user/*.read + write), the node run, the stored state
// read back through the sandbox's admin routes, and the requests the sandbox received.
import type { INodeExecutionData } from 'n8n-workflow';
import type { Sandbox } from '../../../../sandbox/server';
import { runNode } from '../../../harness';
import { EhrFhir } from '../../../../nodes/EhrFhir/EhrFhir.node';
import { storeCredentials } from '../store';
import type { Vendor } from '../fixtures';
import { EMP_SCHEDULING_SCOPES as SCHEDULING_SCOPES } from '../../../../scripts/n8n/sandbox-credentials';

export const EMP_SCHEDULING_SCOPES = [...SCHEDULING_SCOPES];

export async function runAppointment(
	sb: Sandbox,
	vendor: Vendor,
	parameters: Record<string, unknown>,
	opts: {
		continueOnFail?: boolean;
		scopes?: string[];
		items?: Array<{ json: Record<string, unknown> }>;
	} = {},
): Promise<INodeExecutionData[]> {
	const { type, store } = storeCredentials(
		sb,
		vendor,
		opts.scopes ?? (vendor === 'emp' ? EMP_SCHEDULING_SCOPES : undefined),
	);
	const { output } = await runNode(EhrFhir, {
		parameters: { authentication: type, resource: 'appointment', ...parameters } as never,
		credentials: store,
		items: opts.items as never,
		continueOnFail: opts.continueOnFail,
	});
	return output[0];
}

export interface StoredEmpAppointment {
	pc_eid: string;
	pc_pid: string;
	pc_aid: string;
	pc_eventDate: string;
	pc_startTime: string;
	pc_duration: string;
	pc_facility: string;
	pc_billing_location: string;
	pc_catid: string;
	pc_title: string;
	pc_apptstatus: string;
	pc_hometext: string;
}

/** The eMedicalPractice appointments as the sandbox stores them. */
export async function empStored(sb: Sandbox): Promise<StoredEmpAppointment[]> {
	const r = await fetch(`${sb.url}/_admin/emp/appointments`);
	return ((await r.json()) as { appointments: StoredEmpAppointment[] }).appointments;
}

/** method + path of the data requests since `from` (the request log index). */
export function requestsSince(sb: Sandbox, from: number): string[] {
	return sb.app.requests
		.slice(from)
		.filter((r) => r.origin === 'main' && !r.path.startsWith('/_admin'))
		.map((r) => `${r.method} ${r.path}`);
}

export const rl = (value: string) => ({ __rl: true, mode: 'id', value });
