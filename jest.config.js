// One jest run, six projects. `npm test` runs them all (scripts/test.js); select one with
// `npx jest --selectProjects unit` (or shared, sandbox, integration, e2e, browser).
//   unit        test/unit: no network (no sandbox, no HTTP server)
//   shared      test/integration/shared: nodes/shared code (transport, pagination, credential
//               helpers) through the harness against a sandbox
//   sandbox     test/sandbox: the vendor emulator itself
//   integration test/integration (but shared/): the nodes and credentials against a sandbox
//   e2e         test/e2e: the package in a real n8n
//   browser     test/browser: the editor as a user drives it (Debian's Chromium through
//               playwright-core) against the e2e n8n and sandbox
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
	// a worker that holds more than this after a test file is replaced by a fresh one: memory
	// measurements (the hostile-server bounds tests assert peak RSS) see one file, not the run
	workerIdleMemoryLimit: '400MB',
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'sandbox', testMatch: ['<rootDir>/test/sandbox/**/*.test.ts'] },
		{
			...common,
			displayName: 'shared',
			testMatch: ['<rootDir>/test/integration/shared/**/*.test.ts'],
		},
		{
			...common,
			displayName: 'integration',
			// test/integration/shared is the `shared` project
			testMatch: ['<rootDir>/test/integration/**/*.test.ts', '!**/test/integration/shared/**'],
		},
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			// installs the n8n runtime when missing, builds and packs the package once per run
			globalSetup: '<rootDir>/test/e2e/global-setup.ts',
		},
		{
			...common,
			displayName: 'browser',
			testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
			// Debian's Chromium when missing, then the e2e setup (runtime, build, pack once per run)
			globalSetup: '<rootDir>/test/browser/global-setup.ts',
		},
	],
};
