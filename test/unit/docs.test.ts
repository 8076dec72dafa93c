// The documents a user and a maintainer rely on: CHANGELOG.md, SECURITY.md, the README's Install
// and Security sections, its two set-up commands, and the release steps in docs/DEVELOPING.md.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (f: string): string => readFileSync(join(root, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string };
const readme = read('README.md');

/** The text of a markdown section: from its heading to the next heading of the same or a higher level. */
function section(md: string, heading: string): string {
	const lines = md.split('\n');
	const start = lines.findIndex((l) => l.trim() === heading);
	expect(start).toBeGreaterThanOrEqual(0);
	const level = heading.indexOf(' ');
	let fenced = false; // `# comment` lines in code blocks are not headings
	let end = lines.length;
	for (let i = start + 1; i < lines.length; i++) {
		if (lines[i].startsWith('```')) fenced = !fenced;
		else if (!fenced && /^#+ /.test(lines[i]) && lines[i].indexOf(' ') <= level) {
			end = i;
			break;
		}
	}
	return lines.slice(start + 1, end).join('\n');
}

/** The n8n version the demo and the e2e tests run (scripts/n8n/paths.ts). */
function testedN8nVersion(): string {
	const m = /N8N_VERSION = process\.env\.N8N_EHR_N8N_VERSION \?\? '([\d.]+)'/.exec(
		read('scripts/n8n/paths.ts'),
	);
	expect(m).not.toBeNull();
	return m![1];
}

describe('CHANGELOG.md', () => {
	const changelog = read('CHANGELOG.md');

	it('follows keep-a-changelog with an Unreleased section and an entry for the package version', () => {
		expect(changelog).toMatch(/^# Changelog\n/);
		expect(changelog).toMatch(/keepachangelog\.com/);
		expect(changelog).toMatch(/semver\.org/);
		expect(changelog).toMatch(/^## \[Unreleased\]$/m);
		const entry = new RegExp(
			`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`,
			'm',
		);
		expect(changelog).toMatch(entry);
		expect(changelog.indexOf('## [Unreleased]')).toBeLessThan(changelog.search(entry));
		expect(changelog).toMatch(
			new RegExp(`^\\[${pkg.version.replace(/\./g, '\\.')}\\]: https://github\\.com/`, 'm'),
		);
	});

	it("lists the package's nodes and credentials in this version's entry", () => {
		const date = /^## \[[\d.]+\] - (\S+)$/m.exec(changelog)![1];
		// wrapped lines read as one
		const entry = section(changelog, `## [${pkg.version}] - ${date}`).replace(/\s+/g, ' ');
		for (const name of [
			'EHR FHIR',
			'MyPatientPortal',
			'FHIR Bulk Export',
			'Get Patient',
			'List Immunizations',
			'Book Appointment',
			'Bulk Export',
			'Get Public JWKS',
		]) {
			expect(entry).toContain(name);
		}
		for (const cred of [
			'OnPatient (DrChrono) OAuth2 API',
			'1upHealth API',
			'MyPatientPortal OAuth2 API',
			'eMedicalPractice OAuth2',
			'SMART Backend',
			'SMART on FHIR',
		]) {
			expect(entry).toContain(cred);
		}
	});
});

describe('SECURITY.md', () => {
	it('says how to report privately, which versions are supported and what is stored and never logged', () => {
		expect(existsSync(join(root, 'SECURITY.md'))).toBe(true);
		const security = read('SECURITY.md');
		expect(security).toMatch(/^## Reporting a vulnerability$/m);
		expect(security).toMatch(/security\/advisories\/new/);
		expect(security).toMatch(/^## Supported versions$/m);
		expect(security).toMatch(/never logged/i);
	});
});

describe('README.md', () => {
	it('keeps exactly the two set-up commands, in their table', () => {
		const lines = section(readme, '## The two commands').split('\n');
		const first = lines.findIndex((l) => l.startsWith('|'));
		const last = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
		// the first table of the section, without its |---|---| line
		const table = lines.slice(first, last).filter((l) => !/^\|[-| ]+\|$/.test(l));
		expect(table).toHaveLength(3); // header + two rows
		expect(table.slice(1).map((l) => /`([^`]+)` \|$/.exec(l)?.[1])).toEqual([
			'npm install && npm start',
			'npm install && npm test',
		]);
		// and no other `npm install && …` anywhere
		expect([...readme.matchAll(/npm install && npm \w+/g)].map((m) => m[0]).sort()).toEqual([
			'npm install && npm start',
			'npm install && npm test',
		]);
	});

	it('has an Install section: Community Nodes settings, ~/.n8n/nodes, Docker, queue mode, n8n 3', () => {
		const install = section(readme, '## Install');
		expect(install).toMatch(/Settings → Community Nodes/);
		expect(install).toContain('n8n-nodes-ehr');
		expect(install).toContain('~/.n8n/nodes');
		expect(install).toMatch(/npm install [^\n]*n8n-nodes-ehr/);
		expect(install).toMatch(/^### Docker$/m);
		expect(install).toContain('/home/node/.n8n/nodes');
		expect(install).toMatch(/^### Queue mode$/m);
		expect(install).toMatch(/every worker/);
		expect(install).toContain('N8N_UNVERIFIED_PACKAGES_ENABLED=true');
	});

	it('states the n8n version it is tested with, the one the e2e tests run', () => {
		expect(section(readme, '## Install')).toMatch(
			new RegExp(
				`\\*\\*Compatibility:\\*\\* tested with n8n ${testedN8nVersion().replace(/\./g, '\\.')}\\b`,
			),
		);
	});

	it('has a Security and patient data section: credentials, logging, execution and binary data, SECURITY.md', () => {
		const sec = section(readme, '## Security and patient data');
		expect(sec).toMatch(/encrypt/);
		expect(sec).toMatch(/Never logged/);
		for (const v of [
			'EXECUTIONS_DATA_PRUNE',
			'EXECUTIONS_DATA_MAX_AGE',
			'EXECUTIONS_DATA_SAVE_ON_SUCCESS',
			'N8N_DEFAULT_BINARY_DATA_MODE',
		]) {
			expect(sec).toContain(v);
		}
		expect(sec).toMatch(/queue mode/);
		expect(sec).toContain('(SECURITY.md)');
	});

	it('comes after the demo and test part and before the node reference', () => {
		const at = (h: string) => readme.split('\n').findIndex((l) => l === h);
		expect(at('### What `npm test` runs')).toBeLessThan(at('## Install'));
		expect(at('## Install')).toBeLessThan(at('## Security and patient data'));
		expect(at('## Security and patient data')).toBeLessThan(at('## Nodes'));
	});
});

describe('docs/DEVELOPING.md', () => {
	const dev = read('docs/DEVELOPING.md');

	it('has the release steps: version, changelog, tag, the publish workflow with provenance', () => {
		const rel = section(dev, '## Releasing');
		expect(rel).toMatch(/semantic versioning/i);
		expect(rel).toContain('CHANGELOG.md');
		expect(rel).toMatch(/git tag vX\.Y\.Z/);
		expect(rel).toContain('.github/workflows/publish.yml');
		expect(rel).toContain('npm publish --provenance');
	});

	it('states the known deviation: several EHR vendors in one package', () => {
		expect(section(dev, "## Known deviations from n8n's verification guidelines")).toMatch(
			/one third-party service per\s+package/,
		);
	});
});
