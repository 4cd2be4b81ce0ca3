// `npm run bench`: device-side figures in headless Chromium against the production build, with
// 200 patients stored on the device (then 400, for the caseload search). Prints each figure with
// its name, unit and target.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { osloParts } from '../lib/domain/time';
import { clinicians, pal } from '../lib/fixtures';
import { dueOn, isClinicianMeasure } from '../lib/domain/worklist';
import { buildDeviceData, splitDeviceData, type DeviceData } from './device-data';
import { injectDeviceData } from './inject';

const PATIENTS = 200;
/** The caseload the search is measured on: the bench's patients and as many again. */
const CASELOAD = 2 * PATIENTS;
const EDITS = 1500;
const RUNS = 7;
const port = Number(process.env.BENCH_PORT ?? 4179);
const base = `http://localhost:${port}`;

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)] ?? NaN;
}

async function startServer(): Promise<() => void> {
	const dataDir = mkdtempSync(join(tmpdir(), 'dbep-bench-data-'));
	const child = spawn(process.execPath, ['src/server.js'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DBEP_DATA_DIR: dataDir }, stdio: 'ignore' });
	for (let i = 0; i < 100; i++) {
		try {
			if ((await fetch(`${base}/healthz`)).ok)
				return () => {
					child.kill('SIGTERM');
					rmSync(dataDir, { recursive: true, force: true });
				};
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	child.kill('SIGKILL');
	throw new Error('server did not start');
}

/**
 * Logs the tablet in as the Rana nurse through the embedded provider and chooses the device PIN,
 * as a nurse does at the start of a shift, and waits for her plans to arrive.
 */
async function logIn(page: Page): Promise<void> {
	const nurse = clinicians.ranaNurse.name;
	await page.goto(`${base}/auth/login`);
	await page.getByRole('button', { name: new RegExp(`^${nurse}`) }).click();
	await page.getByLabel('Ny PIN-kode (4–6 sifre)').fill('2580');
	await page.getByLabel('Gjenta PIN-koden').fill('2580');
	await page.getByRole('button', { name: 'Lagre PIN-koden' }).click();
	await page.getByTestId('signed-in').filter({ hasText: nurse }).waitFor({ timeout: 30_000 });
	await page.getByRole('link', { name: pal.patient.name }).waitFor({ timeout: 30_000 });
}

/** A key press, as the nurse's use of the tablet: the app stays unlocked (it locks after 5 idle minutes). */
async function stayActive(page: Page): Promise<void> {
	await page.keyboard.press('Shift');
}

/** Navigation start to the patient list in the DOM (user timing mark set by the app). */
async function listTime(page: Page): Promise<number> {
	await stayActive(page);
	await page.goto(`${base}/`);
	await page.waitForFunction(() => performance.getEntriesByName('dbep:list-ready').length > 0);
	return page.evaluate(() => performance.getEntriesByName('dbep:list-ready')[0]!.startTime);
}

/**
 * The patients on the device, and on the page once the list has put them there (it adds a long
 * list's over a few frames, and holds at most the first 500 until asked for more).
 */
async function allRows(page: Page): Promise<{ total: number; onPage: number }> {
	const counted = /Viser (\d+) av (\d+)/.exec((await page.getByTestId('list-count').textContent()) ?? '');
	const [onPage, total] = [Number(counted?.[1]), Number(counted?.[2])];
	await page.waitForFunction((n) => document.querySelectorAll('[data-testid="patient-row"]').length === n, onPage);
	return { total, onPage };
}

/** A tap on the patient's link to the plan in the DOM, fresh from IndexedDB. */
async function planTime(page: Page, name: string): Promise<number> {
	await listTime(page);
	return page.evaluate(async (name) => {
		// A long list puts its later rows on screen a few frames after the first: wait for the patient's.
		let link: HTMLAnchorElement | undefined;
		for (let frames = 0; !link && frames < 100; frames++) {
			link = [...document.querySelectorAll('a')].find((a) => a.textContent?.trim() === name);
			if (!link) await new Promise((r) => requestAnimationFrame(r));
		}
		if (!link) throw new Error(`no link to ${name}`);
		performance.clearMarks('dbep:plan-ready');
		const start = performance.now();
		link.click();
		while (!performance.getEntriesByName('dbep:plan-ready').length) await new Promise((r) => setTimeout(r, 1));
		return performance.getEntriesByName('dbep:plan-ready')[0]!.startTime - start;
	}, name);
}

/** Ticking the first due measure as done, from the confirm tap until the record is stored. */
async function recordTime(page: Page): Promise<number> {
	const item = page.getByTestId('visit-item').filter({ has: page.getByRole('button', { name: 'Utført', exact: true }) }).first();
	await item.getByRole('button', { name: 'Utført', exact: true }).click();
	await page.evaluate(() => performance.clearMeasures('dbep:record-persisted'));
	await item.getByRole('button', { name: 'Registrer som utført' }).click();
	await page.waitForFunction(() => performance.getEntriesByName('dbep:record-persisted').length > 0);
	return page.evaluate(() => performance.getEntriesByName('dbep:record-persisted')[0]!.duration);
}

/**
 * Typing a name into the list's search, a letter at a time with a frame between keystrokes as a
 * fast typist's, from the first letter until the list shows the match: the whole and the slowest letter.
 */
async function searchTime(page: Page, name: string): Promise<{ total: number; slowest: number }> {
	return page.evaluate(async (name) => {
		const input = document.querySelector<HTMLInputElement>('#patient-search');
		if (!input) throw new Error('no search field');
		const start = performance.now();
		let slowest = 0;
		for (let i = 1; i <= name.length; i++) {
			const t = performance.now();
			input.value = name.slice(0, i);
			input.dispatchEvent(new Event('input', { bubbles: true }));
			// Until the next frame is painted (no named helper: the bundler would wrap it in `__name`, unknown in the page).
			await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
			slowest = Math.max(slowest, performance.now() - t);
		}
		const shown = [...document.querySelectorAll<HTMLElement>('[data-testid="patient-row"]')].filter((r) => !r.hidden);
		if (!shown.some((r) => r.textContent?.includes(name))) throw new Error(`search for ${name} did not show them`);
		return { total: performance.now() - start, slowest };
	}, name);
}

/** Names of patients to record a visit for, one per due home-visit slot today, the long plan first. */
function recordTargets(data: DeviceData, count: number): string[] {
	const now = new Date().toISOString();
	const slots = (s: DeviceData['summaries'][number]) =>
		dueOn({ ...s, measures: s.measures.filter(isClinicianMeasure) }, now).filter((d) => !d.recorded).length;
	const ordered = [...data.summaries].sort((a, b) => Number(b.patientId === data.longPlan.patientId) - Number(a.patientId === data.longPlan.patientId));
	return ordered.flatMap((s) => Array<string>(slots(s)).fill(s.name)).slice(0, count);
}

function report(name: string, values: number[], target: number): void {
	const m = median(values);
	const verdict = m < target ? 'meets' : 'MISSES';
	console.log(`${name}: ${m.toFixed(1)} ms (median of ${values.length}; min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)}; target < ${target} ms: ${verdict})`);
}

async function main(): Promise<void> {
	const t0 = performance.now();
	const all: DeviceData = buildDeviceData(CASELOAD, EDITS, osloParts(new Date()).date);
	const [data, more] = splitDeviceData(all, PATIENTS);
	const bytes = data.docs.reduce((n, d) => n + (d.bytes.length * 3) / 4, 0);
	console.log(`device data: ${PATIENTS} patients, ${data.docs.length} documents, ${(bytes / 1024).toFixed(0)} KiB, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
	console.log(`long plan: ${data.longPlan.changes} changes over two years, ${(data.longPlan.bytes / 1024).toFixed(1)} KiB saved`);

	const stop = await startServer();
	const profile = mkdtempSync(join(tmpdir(), 'dbep-bench-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 820, height: 1180 },
		locale: 'nb-NO',
		timezoneId: 'Europe/Oslo'
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		// The app shows no patient data without a login: log in first, then add the bench's patients.
		await logIn(page);
		await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
		await injectDeviceData(page, data);
		await context.setOffline(true);

		const list: number[] = [];
		for (let i = 0; i < RUNS; i++) list.push(await listTime(page));
		const rows = await allRows(page);
		console.log(`patient list rendered offline: ${rows.onPage} rows on the page of ${rows.total} patients`);
		report('patient list, navigation to usable list, offline', list, 1000);

		// The first opening parses the document and stores its view; later ones read the view.
		const first = await planTime(page, data.longPlan.name);
		console.log(`open plan with two years of edits, first time on this device (parses ${data.longPlan.changes} changes, stores the view): ${first.toFixed(1)} ms`);
		const plan: number[] = [];
		for (let i = 0; i < RUNS; i++) plan.push(await planTime(page, data.longPlan.name));
		report(`open plan with two years of edits (${data.longPlan.changes} changes)`, plan, 100);

		// Each due slot can be recorded once: the long plan's open slots first, then other patients'.
		const record: number[] = [];
		for (const name of recordTargets(data, 2 * RUNS + 1)) {
			await planTime(page, name);
			record.push(await recordTime(page));
		}
		report('persist one recorded measure', record, 50);

		await injectDeviceData(page, more);
		const sought = more.summaries[more.summaries.length - 1]?.name ?? pal.patient.name;
		const caseload: number[] = [];
		const keystroke: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			const ready = await listTime(page);
			const typed = await searchTime(page, sought);
			caseload.push(ready + typed.total);
			keystroke.push(typed.slowest);
		}
		const { total, onPage } = await allRows(page);
		console.log(`patient list with the larger caseload: ${total} patients, searched for "${sought}" (${sought.length} letters): ${onPage} on the page`);
		report(`patient list with ${total} patients, navigation to list and a name typed until it shows, offline`, caseload, 1000);
		report('slowest keystroke of that search, to the next frame', keystroke, 100);
	} finally {
		await context.close();
		stop();
		rmSync(profile, { recursive: true, force: true });
	}
}

await main();
