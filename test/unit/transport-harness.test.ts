// The harness itself: parameters with the node's defaults and extractValue, the credential
// displayOptions check, binary data through streams, loadOptions and listSearch.
import {
	NodeOperationError,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { Readable } from 'node:stream';
import fs from 'node:fs';
import {
	runNode,
	loadOptions,
	listSearch,
	readBinary,
	binaryFilePath,
	resolvedCredentials,
} from '../harness';
import { PROBE_CREDENTIAL_TYPES } from '../harness/probe';

class HarnessProbe implements INodeType {
	description = {
		displayName: 'Harness Probe',
		name: 'harnessProbe',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Harness Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'probeBearerApi', displayOptions: { show: { useAuth: [true] } } }],
		properties: [
			{ displayName: 'Use Auth', name: 'useAuth', type: 'boolean', default: false },
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'A', value: 'a' },
					{ name: 'B', value: 'b' },
				],
				default: 'a',
			},
			{
				displayName: 'Only For B',
				name: 'onlyB',
				type: 'string',
				default: 'bee',
				displayOptions: { show: { mode: ['b'] } },
			},
			{
				displayName: 'Thing',
				name: 'thing',
				type: 'resourceLocator',
				default: { mode: 'id', value: '' },
				modes: [
					{ displayName: 'ID', name: 'id', type: 'string' },
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						extractValue: { type: 'regex', regex: '/things/([^/]+)$' },
					},
				],
			},
			{ displayName: 'Chunks', name: 'chunks', type: 'number', default: 3 },
			{ displayName: 'Ask Credentials', name: 'askCreds', type: 'boolean', default: false },
		],
	} as unknown as INodeTypeDescription;

	methods = {
		loadOptions: {
			async modes(this: ILoadOptionsFunctions) {
				return [{ name: `mode is ${this.getCurrentNodeParameter('mode') as string}`, value: 'x' }];
			},
		},
		listSearch: {
			async things(this: ILoadOptionsFunctions, filter?: string, token?: string) {
				return {
					results: [{ name: `t-${filter}`, value: `v-${filter}` }],
					paginationToken: token ? undefined : 'next',
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const chunks = this.getNodeParameter('chunks', i) as number;
			const stream = Readable.from(
				(function* () {
					for (let k = 0; k < chunks; k++) yield Buffer.from(`line ${k}\n`);
				})(),
			);
			const bin = await this.helpers.prepareBinaryData(
				stream,
				'out.ndjson',
				'application/fhir+ndjson',
			);
			const ask =
				(this.getNodeParameter('useAuth', i) as boolean) ||
				(this.getNodeParameter('askCreds', i) as boolean);
			const creds = ask ? await this.getCredentials('probeBearerApi') : undefined;
			out.push({
				json: {
					mode: this.getNodeParameter('mode', i) as string,
					onlyB: this.getNodeParameter('onlyB', i, 'absent') as string,
					thing: this.getNodeParameter('thing', i, '', { extractValue: true }) as string,
					token: (creds?.token as string) ?? null,
				},
				binary: { data: bin },
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}

describe('harness', () => {
	it('fills defaults like n8n (displayOptions apply), extracts resource locator values, evaluates expressions', async () => {
		const { output } = await runNode(HarnessProbe, {
			parameters: {
				thing: { __rl: true, mode: 'url', value: '={{ "https://h/things/" + $json.n }}' },
			},
			items: [{ json: { n: 'abc' } }],
		});
		expect(output[0][0].json).toEqual({ mode: 'a', onlyB: 'absent', thing: 'abc', token: null });
		const b = await runNode(HarnessProbe, {
			parameters: { mode: 'b', thing: { __rl: true, mode: 'id', value: 'z' } },
		});
		expect(b.output[0][0].json).toMatchObject({ mode: 'b', onlyB: 'bee', thing: 'z' });
	});

	it('a resource locator URL that does not match the regex is a NodeOperationError', async () => {
		await expect(
			runNode(HarnessProbe, {
				parameters: { thing: { __rl: true, mode: 'url', value: 'https://h/other/1' } },
			}),
		).rejects.toThrow(NodeOperationError);
	});

	it('getCredentials refuses a credential hidden by displayOptions, gives it when shown', async () => {
		const credentials = { probeBearerApi: { token: 'tok' } };
		const ok = await runNode(HarnessProbe, {
			parameters: { useAuth: true },
			credentials,
			credentialTypes: PROBE_CREDENTIAL_TYPES,
		});
		expect(ok.output[0][0].json.token).toBe('tok');
		await expect(
			runNode(HarnessProbe, {
				parameters: { useAuth: false, askCreds: true },
				credentials,
				credentialTypes: PROBE_CREDENTIAL_TYPES,
			}),
		).rejects.toThrow(
			'Credentials of type "probeBearerApi" are not shown for the node\'s current parameters',
		);
	});

	it('prepareBinaryData writes a stream to disk without buffering it in the item', async () => {
		const { output } = await runNode(HarnessProbe, { parameters: { chunks: 2000 } });
		const bin = output[0][0].binary!.data;
		expect(bin).toMatchObject({
			mimeType: 'application/fhir+ndjson',
			fileName: 'out.ndjson',
			fileExtension: 'ndjson',
			data: 'filesystem-v2',
		});
		const expected = Array.from({ length: 2000 }, (_, k) => `line ${k}\n`).join('');
		expect(fs.statSync(binaryFilePath(bin)).size).toBe(Buffer.byteLength(expected));
		expect((await readBinary(bin)).toString()).toBe(expected);
	});

	it('loadOptions and listSearch call the node methods with the current parameters', async () => {
		expect(await loadOptions(HarnessProbe, 'modes', { parameters: { mode: 'b' } })).toEqual([
			{ name: 'mode is b', value: 'x' },
		]);
		expect(await listSearch(HarnessProbe, 'things', { parameters: {}, filter: 'q' })).toEqual({
			results: [{ name: 't-q', value: 'v-q' }],
			paginationToken: 'next',
		});
	});

	it('resolves credential expressions against the credential ($self)', () => {
		const c = resolvedCredentials('onpatientOAuth2Api', {
			authHost: 'https://auth.example/',
			apiHost: 'https://api.example',
		});
		expect(c.accessTokenUrl).toBe('https://auth.example/o/token/');
		expect(c.authUrl).toBe('https://auth.example/o/authorize/');
		expect(c.authentication).toBe('body');
	});
});
