// A quick probe of a fresh tablet's first sync in headless Chromium against the production build
// (`npm run build` first): `tsx src/bench/fresh-probe.ts [plans] [runs]`. The register is seeded
// with that many generated plans on the Rana nurse's care team; a new browser profile logs in as
// her, and the probe prints, from the first sync frame: when the list first showed rows, when a
// search found a patient, and when IndexedDB held every document. Not the benchmark
// (src/bench/ fresh-tablet, built beside this): a probe to compare code before and after.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { clinicians } from '../lib/fixtures';

const plans = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);
const port = Number(process.env.BENCH_PORT ?? 4871);
const base = `http://localhost:${port}`;

async function startServer(): Promise<() => void> {
	// Seeding thousands of plans takes minutes on a busy machine: a register seeded once is kept for the next probe.
	const dataDir = join(tmpdir(), `dbep-probe-register-${plans}`);
	mkdirSync(dataDir, { recursive: true });
	const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DBEP_DATA_DIR: dataDir, DBEP_DEMO_EXTRA_PATIENTS: String(plans) };
	const child = spawn(process.execPath, ['src/server.js'], { env, stdio: 'ignore' });
	for (let i = 0; i < 6000; i++) {
		try {
			if ((await fetch(`${base}/healthz`)).ok)
				return () => {
					child.kill('SIGTERM');
				};
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	child.kill('SIGKILL');
	throw new Error('server did not start');
}

type Run = { firstFrame: number; rows: number; search: number; stored: number; docs: number; mib: number };

async function probe(): Promise<Run> {
	const profile = mkdtempSync(join(tmpdir(), 'dbep-probe-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 820, height: 1180 },
		locale: 'nb-NO',
		timezoneId: 'Europe/Oslo'
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		// tsx names functions with a helper the page lacks.
		await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
		// The time and size of every frame the sync socket receives, seen from the page.
		await page.addInitScript(() => {
			const frames: { at: number; bytes: number }[] = [];
			Reflect.set(globalThis, '__frames', frames);
			const Native = WebSocket;
			Reflect.set(globalThis, 'WebSocket', class extends Native {
				constructor(url: string | URL, protocols?: string | string[]) {
					super(url, protocols);
					this.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => frames.push({ at: performance.now(), bytes: e.data.byteLength ?? 0 }));
				}
			});
		});
		// PROBE_PROFILE=1: a CPU profile of the page while it syncs, its costliest functions printed.
		const cdp = process.env.PROBE_PROFILE ? await context.newCDPSession(page) : null;
		if (cdp) {
			await cdp.send('Profiler.enable');
			await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
			await cdp.send('Profiler.start');
		}
		const nurse = clinicians.ranaNurse.name;
		await page.goto(`${base}/auth/login`);
		await page.getByRole('button', { name: new RegExp(`^${nurse}`) }).click();
		await page.getByLabel('Ny PIN-kode (4–6 sifre)').fill('2580');
		await page.getByLabel('Gjenta PIN-koden').fill('2580');
		await page.getByRole('button', { name: 'Lagre PIN-koden' }).click();
		// In the page from here: polls each frame for rows, a search hit, and the stored documents.
		const run = await page.evaluate(async (expected) => {
			const frames = Reflect.get(globalThis, '__frames') as { at: number; bytes: number }[];
			const firstBig = () => frames.find((f) => f.bytes > 50_000)?.at;
			let rows = NaN;
			let search = NaN;
			let stored = NaN;
			let docs = 0;
			let db: IDBDatabase | null = null;
			const count = (): Promise<number> =>
				new Promise((resolve) => {
					if (!db) return resolve(0);
					const req = db.transaction('docs').objectStore('docs').count();
					req.onsuccess = () => resolve(req.result);
					req.onerror = () => resolve(0);
				});
			const deadline = performance.now() + 600_000;
			while (performance.now() < deadline) {
				await new Promise((r) => setTimeout(r, 16));
				const start = firstBig();
				if (start === undefined) continue;
				if (Number.isNaN(rows) && document.querySelector('[data-testid="patient-row"]')) rows = performance.now() - start;
				const input = document.querySelector<HTMLInputElement>('#patient-search');
				if (Number.isNaN(search) && input) {
					// The first generated patient's name is not known here: any visible row's first word is searched.
					const name = document.querySelector('[data-testid="patient-row"] a')?.textContent?.trim().split(' ').at(-1);
					if (name) {
						input.value = name;
						input.dispatchEvent(new Event('input', { bubbles: true }));
						await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
						const hit = [...document.querySelectorAll<HTMLElement>('[data-testid="patient-row"]')].some((r) => !r.hidden && r.textContent?.includes(name));
						if (hit) search = performance.now() - start;
						input.value = '';
						input.dispatchEvent(new Event('input', { bubbles: true }));
					}
				}
				if (!db) {
					const name = (await indexedDB.databases()).find((d) => d.name?.startsWith('dbep'))?.name;
					if (name) db = await new Promise<IDBDatabase | null>((resolve) => {
						const req = indexedDB.open(name);
						req.onsuccess = () => resolve(req.result);
						req.onerror = () => resolve(null);
					});
				}
				docs = await count();
				// The register also holds the demo's own patients: done when the progress line has gone too.
				if (docs >= expected && !document.querySelector('[data-testid="sync-progress"]')) {
					stored = performance.now() - start;
					break;
				}
			}
			const mib = frames.reduce((n, f) => n + f.bytes, 0) / 1024 / 1024;
			return { firstFrame: firstBig() ?? NaN, rows, search, stored, docs, mib };
		}, plans);
		if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
		return run;
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
}

type Profile = { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]; samples?: number[]; timeDeltas?: number[] };

function printProfile(profile: Profile): void {
	const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map<string, number>();
	(profile.samples ?? []).forEach((id, i) => {
		const f = byNode.get(id)?.callFrame;
		const name = f ? `${f.functionName || '(anonymous)'} ${f.url.split("/").at(-1)}:${f.lineNumber}:${f.columnNumber}` : '?';
		self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
	});
	for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const stop = await startServer();
try {
	const results: Run[] = [];
	for (let i = 0; i < runs; i++) {
		const r = await probe();
		results.push(r);
		console.log(`run ${i + 1}: ${r.docs} documents, ${r.mib.toFixed(1)} MiB; from the first frame: rows ${r.rows.toFixed(0)} ms, search ${r.search.toFixed(0)} ms, all stored ${r.stored.toFixed(0)} ms`);
	}
	const f = (k: 'rows' | 'search' | 'stored') => median(results.map((r) => r[k])).toFixed(0);
	console.log(`${plans} generated plans, median of ${runs}: rows ${f('rows')} ms, search ${f('search')} ms, all stored ${f('stored')} ms`);
} finally {
	stop();
}
