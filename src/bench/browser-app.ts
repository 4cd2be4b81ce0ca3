// The app's side of the browser benchmark: the real server (`node src/server.js`, as `npm start`
// runs it, on a register seeded in a fresh folder), a fresh tablet logged in as the Rana nurse,
// and what is timed on it: the fresh sync, the first open of the long plan, reconnects.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { clinicians } from '$lib/fixtures';
import { probeScript, type ProbeResult, type ProbeTarget } from './browser-probe';

declare global {
	interface Window {
		__probe: { result(): ProbeResult; mark(): void; watch(from: number): void };
	}
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'];
const WAIT = { timeout: 15 * 60_000 };

export type AppServer = { url: string; pid: number; peakRss(): number; stop(): void };

/** The server's resident set now (kB → bytes), from /proc (Linux). */
function rssOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field));
	return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/** `node src/server.js` on `port` over the register in `dataDir`; `peakRss` is the process's high-water mark. */
export async function startAppServer(port: number, dataDir: string): Promise<AppServer> {
	const url = `http://localhost:${port}`;
	const { ORIGIN: _ignored, ...env } = process.env;
	const child = spawn(process.execPath, ['src/server.js'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: url, DBEP_DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'inherit'] });
	for (let i = 0; i < 600; i++) {
		if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, pid: child.pid!, peakRss: () => rssOf(child.pid!, 'VmHWM'), stop: () => child.kill('SIGTERM') };
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill('SIGKILL');
	throw new Error(`the server on ${port} did not start`);
}

/** A fresh tablet: its own profile folder (IndexedDB on disk, as a tablet's), the probe in every page. */
export async function freshTablet(profileDir: string, target: ProbeTarget | null): Promise<{ context: BrowserContext; page: Page }> {
	const context = await chromium.launchPersistentContext(profileDir, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width: 820, height: 1180 } });
	await context.addInitScript({ content: probeScript(target) });
	return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

/** Waits until the probe has seen every row it counts; its figures. */
export async function probed(page: Page): Promise<ProbeResult> {
	await page.waitForFunction(() => window.__probe.result().done !== null, undefined, { ...WAIT, polling: 200 });
	return page.evaluate(() => window.__probe.result());
}

/** Logs the tablet in as the Rana nurse through the embedded provider and chooses the device PIN. */
export async function logIn(page: Page, base: string): Promise<void> {
	const nurse = clinicians.ranaNurse.name;
	await page.goto(`${base}/auth/login`);
	await page.getByRole('button', { name: new RegExp(`^${nurse}`) }).click();
	await page.getByLabel('Ny PIN-kode (4–6 sifre)').fill('2580', WAIT);
	await page.getByLabel('Gjenta PIN-koden').fill('2580');
	await page.getByRole('button', { name: 'Lagre PIN-koden' }).click();
	await page.getByTestId('signed-in').filter({ hasText: nurse }).waitFor(WAIT);
}

/** Tap on the patient found by the list's search until the plan is on screen (the app's user timing). */
export async function firstOpen(page: Page, patient: { name: string; id: string }): Promise<number> {
	await page.locator('#patient-search').fill(patient.name);
	// Generated names repeat in a large caseload: the row's link by its address.
	const link = page.locator(`a[href="/patients/${patient.id}"]`);
	await link.waitFor(WAIT);
	await page.evaluate(() => performance.clearMarks('dbep:plan-ready'));
	const start = await page.evaluate(() => performance.now());
	await link.click();
	await page.waitForFunction(() => performance.getEntriesByName('dbep:plan-ready').length > 0, undefined, WAIT);
	return (await page.evaluate(() => performance.getEntriesByName('dbep:plan-ready')[0]!.startTime)) - start;
}

/** A reconnect's parts: until the socket opened (connection, upgrade, login cookie), until the hello left (the device's manifest), until the answer. */
export type ReconnectParts = { open: number; hello: number; answer: number };

/** Network lost and back: from the page hearing it is online to the register's first answer; round trips after it. */
export async function reconnect(page: Page, context: BrowserContext, before?: () => Promise<void>): Promise<{ ms: number; parts: ReconnectParts; result: ProbeResult }> {
	await context.setOffline(true);
	await page.waitForFunction(() => !navigator.onLine);
	await before?.();
	await page.evaluate(() => window.__probe.mark());
	await context.setOffline(false);
	await page.waitForFunction(() => window.__probe.result().firstFrameAfterMark !== null, undefined, WAIT);
	const result = await page.evaluate(() => window.__probe.result());
	const { onlineAt, openAfterMark, firstSendAfterMark, firstFrameAfterMark } = result as { [K in keyof ProbeResult]: number };
	return { ms: firstFrameAfterMark - onlineAt, parts: { open: openAfterMark - onlineAt, hello: firstSendAfterMark - openAfterMark, answer: firstFrameAfterMark - firstSendAfterMark }, result };
}

/** Until the app's outbox (`unsynced`) is empty: the page's clock then. */
function outboxEmpty(page: Page): Promise<number> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('dbep');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		// No named functions in here: tsx would wrap them in a `__name` the page lacks.
		while ((await new Promise<number>((resolve) => (db.transaction('unsynced').objectStore('unsynced').count().onsuccess = (e) => resolve((e.target as IDBRequest<number>).result)))) > 0)
			await new Promise((resolve) => setTimeout(resolve, 20));
		db.close();
		return performance.now();
	});
}

/**
 * A day's work offline: a comment on each of `patients`' plans through the plan page (the app
 * served by its service worker), then back online: from the page hearing it is online until the
 * register has acknowledged every change (the outbox is empty), and the round trips that took.
 */
export async function reconnectAfterEdits(page: Page, context: BrowserContext, base: string, patients: readonly string[]): Promise<{ ms: number; roundTrips: number }> {
	await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, WAIT);
	const edits = async () => {
		for (const [i, id] of patients.entries()) {
			await page.goto(`${base}/patients/${id}`);
			const text = `Benchmerknad ${i + 1}`;
			await page.getByLabel('Skriv en kommentar').fill(text, WAIT);
			await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
			await page.getByText(text).waitFor(WAIT);
		}
	};
	await reconnect(page, context, edits);
	const done = await outboxEmpty(page);
	const r = await page.evaluate(() => window.__probe.result());
	return { ms: done - r.onlineAt!, roundTrips: r.roundTrips };
}
