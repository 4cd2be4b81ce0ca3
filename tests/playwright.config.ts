import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

// Browser tests run against the production build served by the real server (`npm run build`
// first): the service worker's precache list is empty in `vite dev`.
const port = Number(process.env.E2E_PORT ?? 4173);
// Each run starts from a fresh register holding only the demo plans.
const dataDir = mkdtempSync(join(tmpdir(), 'dbep-e2e-'));

export default defineConfig({
	testDir: '.',
	testMatch: '**/*.e2e.ts',
	timeout: 60_000,
	expect: { timeout: 10_000 },
	fullyParallel: false,
	workers: 1,
	retries: 0,
	reporter: process.env.CI ? [['list']] : [['list']],
	use: {
		baseURL: `http://localhost:${port}`,
		locale: 'nb-NO',
		timezoneId: 'Europe/Oslo',
		viewport: { width: 820, height: 1180 },
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		}
	},
	webServer: {
		command: 'node src/server.js',
		cwd: '..',
		url: `http://localhost:${port}/healthz`,
		env: { PORT: String(port), HOST: '127.0.0.1', DBEP_DATA_DIR: dataDir },
		reuseExistingServer: false,
		timeout: 30_000
	}
});
