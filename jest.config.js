// One jest run, four projects. `npm test` runs them all (scripts/test.js); select one with
// `npx jest --selectProjects unit` (or sandbox, integration, e2e).
const transform = {
	'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.check.json', diagnostics: false }],
};
const common = {
	testEnvironment: 'node',
	transform,
	moduleFileExtensions: ['ts', 'js', 'json'],
	// counts the assertions each test file makes (scripts/test.js prints the total)
	setupFilesAfterEnv: ['<rootDir>/test/helpers/count-assertions.js'],
};

module.exports = {
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'sandbox', testMatch: ['<rootDir>/test/sandbox/**/*.test.ts'] },
		{ ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			// installs the n8n runtime when missing, builds and packs the package once per run
			globalSetup: '<rootDir>/test/e2e/global-setup.ts',
		},
	],
};
