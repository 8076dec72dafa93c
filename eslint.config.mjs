// n8n's community-node rules: @n8n/eslint-plugin-community-nodes (recommended) for the package,
// eslint-plugin-n8n-nodes-base for node, credential and package.json conventions.
import tseslint from 'typescript-eslint';
import { configs as communityConfigs } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const base = n8nNodesBase.configs;

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'sandbox/**',
			'scripts/**',
			'test/**',
			'bench/**',
			'examples/**',
			'coverage/**',
			'*.js',
			'*.mjs',
		],
	},
	{
		files: ['**/*.ts', 'package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
	},
	{
		...communityConfigs.recommended,
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
	},
	{
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: base.community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...base.credentials.rules,
			// our credential docs live in this package's README, not on docs.n8n.io
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// off in n8n's verification scanner too: it asks a password field of every name with "key"
			// in it, while the community rules refuse a password field that holds nothing secret (the
			// SMART Backend Services Key ID, a public kid)
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...base.nodes.rules,
			'n8n-nodes-base/node-execute-block-missing-continue-on-fail': 'off',
			'n8n-nodes-base/node-resource-description-filename-against-convention': 'off',
			'n8n-nodes-base/node-param-default-missing': 'off',
		},
	},
];
