// Shared setup for the MyPatientPortal integration tests: a sandbox, a patient token, the node
// run through the harness (real execute, real HTTP on loopback), and what the tests read back.
import type { INodeExecutionData, INodeParameters, INodePropertyOptions } from 'n8n-workflow';
import { runNode, loadOptions, type HarnessResult } from '../../harness';
import { MyPatientPortal } from '../../../nodes/MyPatientPortal/MyPatientPortal.node';
import type { Sandbox } from '../../../sandbox/server';
import { withSandbox } from '../../helpers/sandbox';

export const API = '/mpp/api/portal/v1';

export interface Slot {
	id: string;
	start_time: string;
	end_time: string;
	appointment_type_id: number;
	appointment_category_id: number;
}

export interface AdminAppointment {
	id: string;
	status: string;
	start_time: string;
	patient_id: string;
	availability_id: string;
	previous_start_times: string[];
}

export function patientToken(
	sb: Sandbox,
	patient = 'pt-00001',
	scopes = ['profile_read', 'appointment_read', 'appointment_write'],
): string {
	return sb.app.tokens.issue({
		surface: 'mpp',
		clientId: 'test',
		scopes,
		lifetimeSeconds: 3600,
		patient,
	}).access_token;
}

export function credentialsFor(sb: Sandbox, token: string) {
	return {
		myPatientPortalOAuth2Api: {
			portalUrl: `${sb.url}/mpp`,
			oauthTokenData: { access_token: token, token_type: 'Bearer' },
		},
	};
}

export async function run(
	sb: Sandbox,
	token: string,
	parameters: INodeParameters,
	opts: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
): Promise<HarnessResult> {
	return await runNode(MyPatientPortal, {
		parameters,
		credentials: credentialsFor(sb, token),
		...opts,
	});
}

/** the node's output items (first output) as plain JSON */
export async function runJson(
	sb: Sandbox,
	token: string,
	parameters: INodeParameters,
	opts: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
) {
	const r = await run(sb, token, parameters, opts);
	return r.output[0];
}

export async function options(
	sb: Sandbox,
	token: string,
	method: string,
	parameters: INodeParameters,
): Promise<INodePropertyOptions[]> {
	return await loadOptions(MyPatientPortal, method, {
		parameters,
		credentials: credentialsFor(sb, token),
	});
}

export async function adminAppointments(
	sb: Sandbox,
	patient?: string,
): Promise<AdminAppointment[]> {
	const r = await fetch(`${sb.url}/_admin/mpp/appointments${patient ? `?patient=${patient}` : ''}`);
	return ((await r.json()) as { data: AdminAppointment[] }).data;
}

export async function slotsOverHttp(
	sb: Sandbox,
	token: string,
	cat: number,
	type: number,
	ins: number,
): Promise<Slot[]> {
	const r = await fetch(
		`${sb.url}${API}/availabilities?appointment_category_id=${cat}&appointment_type_id=${type}&insurance_id=${ins}`,
		{
			headers: { authorization: `Bearer ${token}` },
		},
	);
	return ((await r.json()) as { data: Slot[] }).data;
}

export async function resetSandbox(sb: Sandbox): Promise<void> {
	await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
}

export async function bookingPosts(sb: Sandbox): Promise<number> {
	const r = await fetch(`${sb.url}/_admin/requests`);
	const { requests } = (await r.json()) as { requests: Array<{ method: string; path: string }> };
	return requests.filter((q) => q.method === 'POST' && q.path === `${API}/booking`).length;
}

/**
 * One sandbox for the test file, reset to its seed with a fresh patient token before each test;
 * `use` receives them (tests keep their own `sb` / `token` variables).
 */
export function useMppSandbox(use: (sb: Sandbox, token: string) => void): void {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await withSandbox();
	});
	afterAll(() => sb.close());
	beforeEach(async () => {
		await resetSandbox(sb);
		use(sb, patientToken(sb));
	});
}

/** Book Appointment parameters for a slot (insurance, category, type default to 136 / 53 / 198). */
export const bookParams = (slotId: string, ins = '136', cat = '53', type = '198') => ({
	operation: 'book',
	insuranceId: ins,
	appointmentCategoryId: cat,
	appointmentTypeId: type,
	availabilityId: slotId,
});

/** `s` as a literal inside a RegExp. */
export function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How many writes (any method but GET) the portal API has received. */
export function portalWrites(sb: Sandbox): number {
	return sb.app.requests.filter((r) => r.method !== 'GET' && r.path.startsWith(API)).length;
}

/** Runs the node once with Continue On Fail and one input item per Limit value (the Limit comes from the item). */
export async function runWithLimits(
	sb: Sandbox,
	token: string,
	parameters: INodeParameters,
	limits: unknown[],
): Promise<INodeExecutionData[]> {
	const items = limits.map((limit) => ({ json: { limit } })) as INodeExecutionData[];
	return await runJson(
		sb,
		token,
		{ ...parameters, limit: '={{ $json.limit }}' },
		{ continueOnFail: true, items },
	);
}
