// Once per jest run that includes the browser project: Debian's Chromium (installed when
// missing), then what the e2e setup does (n8n runtime, build, pack; done once per run when both
// projects run).
import e2eSetup from '../e2e/global-setup';
import { ensureChromium } from './chromium';

export default async function globalSetup(): Promise<void> {
	ensureChromium();
	await e2eSetup();
}
