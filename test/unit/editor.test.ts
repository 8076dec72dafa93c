// What a user meets in n8n's editor before running anything: the subtitle under each node, the
// node panel search (codex aliases), the Docs links (README anchors) and the spelling of labels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	Workflow,
	type ICredentialType,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
} from 'n8n-workflow';
import { EhrFhir } from '../../nodes/EhrFhir/EhrFhir.node';
import { FhirBulkExport } from '../../nodes/FhirBulkExport/FhirBulkExport.node';
import { MyPatientPortal } from '../../nodes/MyPatientPortal/MyPatientPortal.node';
import { EhrFhirTrigger } from '../../nodes/EhrFhirTrigger/EhrFhirTrigger.node';
import { MyPatientPortalTrigger } from '../../nodes/MyPatientPortalTrigger/MyPatientPortalTrigger.node';
import { FhirSubscriptionTrigger } from '../../nodes/FhirSubscriptionTrigger/FhirSubscriptionTrigger.node';
import { CREDENTIAL_LABELS } from '../../nodes/shared/credential-types';
import { EMedicalPracticeOAuth2Api } from '../../credentials/EMedicalPracticeOAuth2Api.credentials';
import { MyPatientPortalOAuth2Api } from '../../credentials/MyPatientPortalOAuth2Api.credentials';
import { OneUpHealthApi } from '../../credentials/OneUpHealthApi.credentials';
import { OnpatientOAuth2Api } from '../../credentials/OnpatientOAuth2Api.credentials';
import { SmartBackendServicesApi } from '../../credentials/SmartBackendServicesApi.credentials';
import { SmartOnFhirOAuth2Api } from '../../credentials/SmartOnFhirOAuth2Api.credentials';

const root = join(__dirname, '..', '..');
const README_URL = 'https://github.com/n8n-nodes-ehr/n8n-nodes-ehr';

interface Codex {
	alias: string[];
	resources: {
		primaryDocumentation: { url: string }[];
		credentialDocumentation: { url: string }[];
	};
}

const nodes: Array<{ dir: string; type: INodeType }> = [
	{ dir: 'EhrFhir', type: new EhrFhir() },
	{ dir: 'FhirBulkExport', type: new FhirBulkExport() },
	{ dir: 'MyPatientPortal', type: new MyPatientPortal() },
	{ dir: 'FhirSubscriptionTrigger', type: new FhirSubscriptionTrigger() },
];
/** trigger nodes: no actions (no resource / operation), events instead */
const triggers: Array<{ dir: string; type: INodeType }> = [
	{ dir: 'EhrFhirTrigger', type: new EhrFhirTrigger() },
	{ dir: 'MyPatientPortalTrigger', type: new MyPatientPortalTrigger() },
];
const allNodes = [...nodes, ...triggers];
const codexOf = (dir: string): Codex =>
	JSON.parse(readFileSync(join(root, 'nodes', dir, `${dir}.node.json`), 'utf8')) as Codex;

const credentials: ICredentialType[] = [
	new EMedicalPracticeOAuth2Api(),
	new MyPatientPortalOAuth2Api(),
	new OneUpHealthApi(),
	new OnpatientOAuth2Api(),
	new SmartBackendServicesApi(),
	new SmartOnFhirOAuth2Api(),
];

/**
 * Evaluates a subtitle (`={{ … }}` over `$parameter`) twice: as plain JavaScript, and with
 * n8n-workflow's expression engine as the editor does; both must agree.
 */
function evaluate(
	type: INodeType,
	expression: string,
	parameters: Record<string, string | undefined>,
): unknown {
	const m = /^=\{\{([\s\S]*)\}\}$/.exec(expression);
	expect(m).not.toBeNull();
	const plain = new Function('$parameter', `return (${m![1]});`)(parameters) as unknown;
	const nodeTypes = {
		getByName: () => type,
		getByNameAndVersion: () => type,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const node: INode = {
		id: '1',
		name: type.description.displayName,
		type: `n8n-nodes-ehr.${type.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: Object.fromEntries(
			Object.entries(parameters).filter(([, v]) => v !== undefined),
		) as INodeParameters,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const n8n = workflow.expression.getSimpleParameterValue(node, expression, 'internal', {});
	expect(n8n).toBe(plain);
	return plain;
}

const shown = (p: INodeProperties, values: Record<string, unknown>): boolean =>
	Object.entries(p.displayOptions?.show ?? {}).every(([k, allowed]) =>
		(allowed as unknown[]).includes(values[k]),
	);

/** Every resource/operation pair a user can pick, with the operation option picked. */
function actions(d: INodeTypeDescription): Array<{
	resource?: string;
	option: INodePropertyOptions;
}> {
	const resource = d.properties.find((p) => p.name === 'resource');
	const resources = resource
		? (resource.options as INodePropertyOptions[]).map((o) => String(o.value))
		: [undefined];
	return resources.flatMap((r) =>
		d.properties
			.filter((p) => p.name === 'operation' && shown(p, { resource: r }))
			.flatMap((p) =>
				(p.options as INodePropertyOptions[]).map((option) => ({ resource: r, option })),
			),
	);
}

describe('subtitles', () => {
	const expected: Record<string, Record<string, string>> = {
		EhrFhir: {
			'patient:get': 'Get Patient',
			'patient:everything': 'Patient Everything',
			'immunization:list': 'List Immunizations',
			'resource:get': 'Get: Observation',
			'resource:search': 'Get Many: Observation',
			'resource:createIfNoneExists': 'Create If None Exists: Observation',
			'bundle:transaction': 'Transaction',
			'bundle:batch': 'Batch',
			'appointment:book': 'Book Appointment',
			'appointment:cancel': 'Cancel Appointment',
			'appointment:reschedule': 'Reschedule Appointment',
			'appointment:findSlots': 'Find Free Slots',
			'appointment:get': 'Get Appointment',
			'appointment:list': 'Get Many Appointments',
		},
		FhirBulkExport: {
			'export:bulkExport': 'Bulk Export',
			'key:getPublicJwks': 'Get Public JWKS',
		},
		MyPatientPortal: {
			':book': 'Book Appointment',
			':findAvailabilities': 'Find Availabilities',
			':reschedule': 'Reschedule Appointment',
			':cancel': 'Cancel Appointment',
		},
	};

	for (const { dir, type } of nodes) {
		const d = type.description;
		// triggers have no actions (their subtitle has its own test)
		if (d.group.includes('trigger')) continue;
		it(`${d.displayName} shows the action's name for every resource and operation`, () => {
			const pairs = actions(d);
			expect(pairs.length).toBeGreaterThan(0);
			for (const { resource, option } of pairs) {
				const subtitle = evaluate(type, d.subtitle!, {
					resource,
					operation: String(option.value),
					resourceType: 'Observation',
				});
				expect(typeof subtitle).toBe('string');
				expect(subtitle).toContain(option.name);
				expect(subtitle).not.toMatch(/undefined|null/);
				if (option.name !== option.value) expect(subtitle).not.toBe(option.value);
				const want = expected[dir][`${resource ?? ''}:${String(option.value)}`];
				if (want) expect(subtitle).toBe(want);
			}
		});
	}

	it('EHR FHIR Custom API Call: with the options n8n adds (as its loader does), every one is an action with the request fields, and the subtitle names the request', () => {
		const type = new EhrFhir();
		const d = structuredClone(type.description);
		// n8n's injectCustomApiCallOptions (n8n 2.41.1 load-nodes-and-credentials.js)
		for (const p of d.properties) {
			const options = p.options as INodePropertyOptions[] | undefined;
			if (['resource', 'operation'].includes(p.name) && Array.isArray(options))
				if (options[options.length - 1].name !== 'Custom API Call')
					options.push({ name: 'Custom API Call', value: '__CUSTOM_API_CALL__' });
		}
		const pairs = actions(d).filter((a) => a.option.value === '__CUSTOM_API_CALL__');
		// every resource's Operation list, and the Custom API Call resource's own (one, not two)
		expect(pairs.map((a) => a.resource)).toEqual([
			'appointment',
			'bundle',
			'resource',
			'immunization',
			'patient',
			'__CUSTOM_API_CALL__',
		]);
		for (const { resource } of pairs) {
			const params = { resource, operation: '__CUSTOM_API_CALL__', method: 'POST' };
			const fields = d.properties.filter((p) => shown(p, params)).map((p) => p.name);
			expect(fields).toEqual(
				expect.arrayContaining(['method', 'path', 'queryParameters', 'requestBody', 'options']),
			);
			expect(evaluate(type, d.subtitle!, { ...params, path: 'Observation' })).toBe(
				'Custom API Call: POST Observation',
			);
			expect(evaluate(type, d.subtitle!, { ...params, path: '' })).toBe('Custom API Call');
		}
	});

	it('EHR FHIR leaves the resource type off while none is chosen', () => {
		const type = new EhrFhir();
		expect(
			evaluate(type, type.description.subtitle!, {
				resource: 'resource',
				operation: 'get',
				resourceType: '',
			}),
		).toBe('Get');
	});
});

it('FHIR Subscription Trigger shows the resource type it listens to', () => {
	const type = new FhirSubscriptionTrigger();
	const subtitle = type.description.subtitle!;
	expect(evaluate(type, subtitle, { resourceType: 'Observation' })).toBe('On change: Observation');
	expect(evaluate(type, subtitle, { resourceType: '' })).toBe('On change');
});

describe('node panel search', () => {
	/** Like the node panel: case-insensitive, against the display name and the codex aliases. */
	function search(phrase: string): string[] {
		const q = phrase.toLowerCase();
		return allNodes
			.filter(({ dir, type }) =>
				[type.description.displayName, ...codexOf(dir).alias].some((s) =>
					s.toLowerCase().includes(q),
				),
			)
			.map(({ dir }) => dir);
	}

	const phrases: Record<string, string | string[]> = {
		'Get Patient': 'EhrFhir',
		'Patient Everything': 'EhrFhir',
		Immunizations: 'EhrFhir',
		vaccination: 'EhrFhir',
		'FHIR resource': 'EhrFhir',
		observation: 'EhrFhir',
		transaction: 'EhrFhir',
		'custom api call': 'EhrFhir',
		'http request': 'EhrFhir',
		batch: 'EhrFhir',
		'Book Appointment': ['EhrFhir', 'MyPatientPortal'],
		'cancel appointment': ['EhrFhir', 'MyPatientPortal'],
		reschedule: ['EhrFhir', 'MyPatientPortal'],
		'find free slots': 'EhrFhir',
		'Get Many Appointments': 'EhrFhir',
		'find availabilities': 'MyPatientPortal',
		JWKS: 'FhirBulkExport',
		'bulk export': 'FhirBulkExport',
		'check export status': 'FhirBulkExport',
		'patient trigger': 'EhrFhirTrigger',
		'new patient': 'EhrFhirTrigger',
		'new appointment': 'MyPatientPortalTrigger',
		'earlier slot': 'MyPatientPortalTrigger',
		'fhir subscription': 'FhirSubscriptionTrigger',
		'rest-hook': 'FhirSubscriptionTrigger',
	};
	for (const [phrase, dir] of Object.entries(phrases)) {
		it(`"${phrase}" finds ${String(dir)}`, () => {
			expect(search(phrase)).toEqual(Array.isArray(dir) ? dir : [dir]);
		});
	}

	it("every operation's name finds its node", () => {
		for (const { dir, type } of nodes) {
			for (const { option } of actions(type.description)) {
				const name = option.name;
				expect({ name, found: search(name).includes(dir) }).toEqual({ name, found: true });
			}
		}
	});
});

describe('trigger nodes', () => {
	for (const { type } of triggers) {
		const d = type.description;
		it(`${d.displayName} follows n8n's trigger conventions and shows a subtitle`, () => {
			expect(d.name).toMatch(/Trigger$/);
			expect(d.displayName).toMatch(/ Trigger$/);
			expect(d.inputs).toEqual([]);
			expect(d.polling).toBe(true);
			expect(d.group).toEqual(['trigger']);
			expect(d.usableAsTool).toBeUndefined();
			expect(typeof type.poll).toBe('function');
			const subtitle = evaluate(
				type,
				String(d.subtitle),
				d.name === 'ehrFhirTrigger'
					? { resourceType: 'Patient' }
					: { events: ['appointmentBooked', 'appointmentCancelled'] as unknown as string },
			);
			expect(subtitle).toBe(
				d.name === 'ehrFhirTrigger' ? 'New or updated Patient' : '2 appointment event(s)',
			);
		});
	}
});

describe('Docs links', () => {
	const readme = readFileSync(join(root, 'README.md'), 'utf8');

	/** The anchors GitHub gives the README's headings (lowercase, spaces → '-', punctuation dropped, repeats -1, -2, …). */
	function anchors(md: string): Set<string> {
		const out = new Set<string>();
		const seen = new Map<string, number>();
		let fenced = false;
		for (const line of md.split('\n')) {
			if (line.startsWith('```')) fenced = !fenced;
			const m = !fenced && /^#{1,6} (.+)$/.exec(line);
			if (!m) continue;
			const slug = m[1]
				.trim()
				.toLowerCase()
				.replace(/[^\p{L}\p{N}\s_-]/gu, '')
				.replace(/ /g, '-');
			const n = seen.get(slug) ?? 0;
			seen.set(slug, n + 1);
			out.add(n ? `${slug}-${n}` : slug);
		}
		return out;
	}
	const headings = anchors(readme);

	function anchorOf(url: string): string {
		expect(url.startsWith(`${README_URL}#`)).toBe(true);
		return url.slice(README_URL.length + 1);
	}

	it('computes anchors as GitHub does', () => {
		expect(anchors('# A: b, c (d)\n## A: b, c (d)\n### `npm start` does\n')).toEqual(
			new Set(['a-b-c-d', 'a-b-c-d-1', 'npm-start-does']),
		);
	});

	for (const { dir, type } of allNodes) {
		it(`${type.description.displayName}: the Docs button and codex links open README sections`, () => {
			// n8n uses the description's documentationUrl as it is; a codex URL gets ?utm_… appended
			const url = type.description.documentationUrl!;
			expect(headings).toContain(anchorOf(url));
			const codex = codexOf(dir).resources;
			for (const { url: u } of [...codex.primaryDocumentation, ...codex.credentialDocumentation]) {
				expect(headings).toContain(anchorOf(u));
			}
			expect(codex.primaryDocumentation[0].url).toBe(url);
		});
	}

	for (const c of credentials) {
		it(`${c.displayName}: the documentation URL opens its README section`, () => {
			expect(headings).toContain(anchorOf(c.documentationUrl!));
		});
	}
});

describe('labels', () => {
	const optionNames = (props: INodeProperties[]): string[] =>
		props.flatMap((p) => [
			...(
				(p.options ?? []) as Array<INodePropertyOptions | { name: string; options?: unknown }>
			).map((o) => o.name),
			...optionNames(
				((p.options ?? []) as Array<{ values?: INodeProperties[] }>).flatMap((o) => o.values ?? []),
			),
			...optionNames(
				((p.options ?? []) as unknown[]).filter(
					(o): o is INodeProperties => typeof (o as INodeProperties).type === 'string',
				),
			),
		]);
	const all = [
		...allNodes.flatMap(({ type }) => optionNames(type.description.properties)),
		...credentials.flatMap((c) => [c.displayName, ...optionNames(c.properties)]),
		...Object.values(CREDENTIAL_LABELS),
	];

	it("spell the vendors' names and the protocol's terms as they do", () => {
		expect(all).toEqual(
			expect.arrayContaining([
				'SMART v1 (.read)',
				'SMART v2 (.rs)',
				'HTTP Basic (client_secret_basic)',
				'Form Body (client_secret_post)',
				'onpatient (drchrono)',
			]),
		);
		for (const bad of [
			/\(\.Read\)/,
			/\(\.Rs\)/,
			/Client_secret/,
			/Onpatient/,
			/Drchrono/,
			/OnPatient \(Drchrono\)/,
		]) {
			expect(all.filter((s) => bad.test(s))).toEqual([]);
		}
	});

	it('name every action in one style: sentence case', () => {
		for (const { type } of nodes) {
			for (const { option } of actions(type.description)) {
				const action = option.action!;
				expect(action[0]).toBe(action[0].toUpperCase());
				for (const word of action.split(' ').slice(1)) {
					if (!/^[A-Z]{2,}$|^FHIR$/.test(word)) expect(word).toBe(word.toLowerCase());
				}
			}
		}
	});

	it('the README names the credentials as the credential picker lists them', () => {
		const readme = readFileSync(join(root, 'README.md'), 'utf8');
		expect(readme).not.toMatch(/pick the \*\*Authentication\*\*/);
		for (const c of credentials) expect(readme).toContain(`**${c.displayName}**`);
		for (const { type } of nodes) {
			for (const { option } of actions(type.description)) expect(readme).toContain(option.name);
		}
	});

	it('keep the saved option values', () => {
		const values = (c: ICredentialType, name: string): unknown[] =>
			(c.properties.find((p) => p.name === name)?.options as INodePropertyOptions[]).map(
				(o) => o.value,
			);
		expect(values(new EMedicalPracticeOAuth2Api(), 'smartVersion')).toEqual(
			expect.arrayContaining(['v1', 'v2']),
		);
		expect(Object.keys(CREDENTIAL_LABELS)).toContain('onpatientOAuth2Api');
	});
});
