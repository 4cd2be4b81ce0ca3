// `npm run bench:browser`: a fresh tablet in headless Chromium against the real server, logged in
// as the Rana nurse, for 1,000 and 10,000 generated plans (BENCH_PLANS=1000 or "1000,3000" for
// fewer), timed from the first sync frame until IndexedDB holds every document and its list row.
// Beside it, in the same run and the same Chromium, taken in turns: the floor (the same saved bytes
// over a loopback WebSocket, written in large transactions by a minimal page; browser-floor.ts)
// and PouchDB replicating the same plans as JSON (browser-pouch.ts). Also the page's peak JS heap,
// the server's peak RSS, the first open of the plan with two years of history, and the reconnect
// with nothing changed. BENCH_RUNS (default 3) fresh tablets each; medians with min–max.
// BENCH_PROFILE=3000 instead profiles one fresh sync of that many plans (browser-profile.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstOpen, freshTablet, logIn, probed, reconnect, reconnectAfterEdits, startAppServer, type AppServer } from './browser-app';
import { FLOOR_DB, startFloor } from './browser-floor';
import type { ProbeResult } from './browser-probe';
import { pouchOnce, startPouchServer } from './browser-pouch';
import { profileFreshSync } from './browser-profile';
import { caseload, nurseDocuments, seedRegister } from './browser-register';
import { median, mib, ms, s, spread, table } from './stats';

const times = (x: number) => `${x.toFixed(1)}×`;

const PORT = Number(process.env.BENCH_PORT ?? 4840);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COUNTS = (process.env.BENCH_PLANS ?? '1000,10000').split(',').map(Number);
const RECONNECTS = 5;
/** BENCH_POUCH=0 leaves PouchDB out (its 10,000-plan replication is long and not issue 11's ratio). */
const POUCH = process.env.BENCH_POUCH !== '0';
const log = (line: string) => console.log(`  ${line}`);

type Figures = { ours: ProbeResult[]; floor: ProbeResult[]; pouch: number[]; pouchAgain: number[]; open: number[]; reconnect: number[]; reconnectTrips: number[]; rss: number; floorBytes: number; pouchBytes: number; edited: { ms: number; roundTrips: number; patients: number }[] };

function temp(name: string): string {
	return mkdtempSync(join(tmpdir(), `dbep-bench-${name}-`));
}

async function oursOnce(server: AppServer, docs: number, long: { name: string; id: string }, f: Figures, edit: readonly string[]): Promise<void> {
	const dir = temp('tablet');
	const { context, page } = await freshTablet(dir, { db: 'dbep', counts: { docs, summaries: docs } });
	try {
		await logIn(page, server.url);
		const r = await probed(page);
		f.ours.push(r);
		log(`ours: ${s(r.done! - r.firstFrame!)} (the last frame arrived after ${s(r.lastFrame! - r.firstFrame!)}), ${mib(r.bytesDown)} down, first row on screen ${r.firstRow === null ? '—' : ms(r.firstRow - r.firstFrame!)} after the first frame (the PIN screen until ${r.listPage === null ? '—' : ms(r.listPage - r.firstFrame!)}, then the list: its first row ${r.firstRow === null || r.listPage === null ? '—' : ms(r.firstRow - r.listPage)} after it was on screen), peak heap ${mib(r.peakHeap)}`);
		f.open.push(await firstOpen(page, long));
		for (let i = 0; i < RECONNECTS; i++) {
			const again = await reconnect(page, context);
			f.reconnect.push(again.ms);
			log(`reconnect, nothing changed: ${ms(again.ms)} (socket open ${ms(again.parts.open)}, hello sent ${ms(again.parts.hello)} later, answer ${ms(again.parts.answer)} after it)`);
			// Read the round trips at the next reconnect's start (or after the last): the exchange is over by then.
			if (i) f.reconnectTrips.push(again.result.roundTrips);
		}
		f.reconnectTrips.push(await page.evaluate(() => window.__probe.result().roundTrips));
		if (edit.length) {
			const edited = await reconnectAfterEdits(page, context, server.url, edit);
			f.edited.push({ ...edited, patients: edit.length });
			log(`reconnect after ${edit.length} patients edited: ${ms(edited.ms)}, ${edited.roundTrips} round trip(s)`);
		}
	} finally {
		await context.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function floorOnce(url: string, docs: number, f: Figures): Promise<void> {
	const dir = temp('floor');
	const { context, page } = await freshTablet(dir, { db: FLOOR_DB, counts: { docs } });
	try {
		await page.goto(url);
		const r = await probed(page);
		f.floor.push(r);
		log(`floor: ${s(r.done! - r.firstFrame!)}, ${mib(r.bytesDown)} down`);
	} finally {
		await context.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function pouchRun(url: string, f: Figures): Promise<void> {
	const dir = temp('pouch');
	const { context, page } = await freshTablet(dir, null);
	try {
		const r = await pouchOnce(page, url, RECONNECTS);
		f.pouch.push(r.fresh);
		f.pouchAgain.push(...r.again);
		log(`PouchDB: ${s(r.fresh)}, again with nothing changed ${r.again.map(ms).join(', ')}`);
	} finally {
		await context.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function measure(count: number): Promise<Figures> {
	console.log(`${count} generated plans:`);
	const plans = await caseload(count, log);
	const docs = nurseDocuments(plans);
	const long = { name: plans[0]!.name, id: plans[0]!.patientId };
	const dataDir = temp('register');
	await seedRegister(dataDir, plans);
	const server = await startAppServer(PORT, dataDir);
	const floor = await startFloor(PORT + 1, docs.map((d) => ({ docId: d.docId, bytes: d.bytes })));
	const pouch = await startPouchServer(PORT + 2, docs.map((d) => ({ ...(d.value as object), _id: d.docId })));
	const f: Figures = { ours: [], floor: [], pouch: [], pouchAgain: [], open: [], reconnect: [], reconnectTrips: [], rss: 0, floorBytes: floor.bytes, pouchBytes: pouch.bytes, edited: [] };
	try {
		// In turns, so a busier moment of the machine falls on each alike.
		for (let i = 0; i < RUNS; i++) {
			await floorOnce(floor.url, docs.length, f);
			// The day's work offline, on the first tablet only (30 plan pages, typed into: slow to set up).
			await oursOnce(server, docs.length, long, f, i ? [] : plans.slice(1, 31).map((p) => p.patientId));
			if (POUCH) await pouchRun(pouch.url, f);
		}
		f.rss = server.peakRss();
	} finally {
		server.stop();
		await Promise.all([floor.close(), pouch.close()]);
		rmSync(dataDir, { recursive: true, force: true });
	}
	return f;
}

async function main(): Promise<void> {
	if (process.env.BENCH_PROFILE) return profileFreshSync(Number(process.env.BENCH_PROFILE), PORT);
	const all: [number, Figures][] = [];
	for (const count of COUNTS) all.push([count, await measure(count)]);
	const took = (r: ProbeResult) => r.done! - r.firstFrame!;
	console.log(`\nFresh tablet in Chromium (${RUNS} runs each, median (min–max)); floor: the same saved bytes, loopback WebSocket, one IndexedDB transaction per ~1 MiB frame:`);
	console.log(
		table(
			['plans', 'ours', 'floor', 'ours / floor', 'down (ours / floor)', 'peak JS heap', 'server peak RSS', 'first row, after the list was on screen', 'first open, 2-year plan', 'reconnect, nothing changed', 'its round trips'],
			all.map(([count, f]) => {
				const ratios = f.ours.map((r, i) => took(r) / took(f.floor[i]!));
				return [String(count), spread(f.ours.map(took), s), spread(f.floor.map(took), s), spread(ratios, times), `${mib(f.ours[0]!.bytesDown)} / ${mib(f.floorBytes)}`, spread(f.ours.map((r) => r.peakHeap), mib), mib(f.rss), spread(f.ours.map((r) => r.firstRow! - r.listPage!), ms), spread(f.open, ms), spread(f.reconnect, ms), spread(f.reconnectTrips, String)];
			})
		)
	);
	for (const [count, f] of all) for (const e of f.edited) console.log(`${count} plans, reconnect after ${e.patients} patients edited offline (a comment each): ${ms(e.ms)} until all acknowledged, ${e.roundTrips} round trip(s)`);
	if (!POUCH) return;
	console.log(`\nPouchDB 9 in the same Chromium, the same plans as JSON from express-pouchdb (memory), default replication settings:`);
	console.log(
		table(
			['plans', 'JSON', 'PouchDB fresh', 'ours / PouchDB', 'PouchDB nothing changed', 'ours nothing changed / PouchDB'],
			all.map(([count, f]) => [String(count), mib(f.pouchBytes), spread(f.pouch, s), spread(f.ours.map((r, i) => took(r) / f.pouch[i]!), times), spread(f.pouchAgain, ms), times(median(f.reconnect) / median(f.pouchAgain))])
		)
	);
}

await main();
process.exit(0);
