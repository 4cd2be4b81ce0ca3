// `BENCH_PROFILE=3000 npm run bench:browser`: where a fresh tablet's sync time goes. One fresh sync
// of that many plans, with the page's main thread sampled by V8's CPU profiler and traced
// (devtools.timeline) over CDP; only what falls between the first sync frame and IndexedDB
// holding every row is counted. Prints the profile's self time by kind (idle: waiting, e.g. on
// IndexedDB; program: the browser's native work outside scripts; GC; our bundle; Automerge's
// wasm), the heaviest functions, and the rendering work the trace names.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession } from '@playwright/test';
import { freshTablet, logIn, probed, startAppServer } from './browser-app';
import { caseload, nurseDocuments, seedRegister } from './browser-register';
import { table } from './stats';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } };
type Profile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };
type TraceEvent = { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string } };

const RENDERING = ['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'HitTest', 'ParseHTML'];

/** What each built chunk holds, as far as its text tells (the bundle is minified, without source maps). */
function chunkLabels(): Map<string, string> {
	const dir = join('build', 'client', '_app', 'immutable');
	const sniff: [RegExp, string][] = [[/Dexie/, 'Dexie'], [/__wbg|wbindgen/, 'Automerge glue'], [/CBOR/, 'cborg'], [/\$\$props|hydrat/, 'Svelte']];
	const labels = new Map<string, string>();
	for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
		const text = readFileSync(join(dir, f), 'utf8');
		const found = sniff.filter(([re]) => re.test(text)).map(([, name]) => name);
		labels.set(f.split('/').pop()!, found.length ? found.join(', ') : 'app');
	}
	return labels;
}

function kindOf(frame: ProfileNode['callFrame']): string {
	if (frame.functionName === '(idle)') return 'idle (waiting: IndexedDB, network, timers)';
	if (frame.functionName === '(program)') return 'program (native browser work outside scripts)';
	if (frame.functionName === '(garbage collector)') return 'garbage collector';
	if (frame.url.startsWith('wasm://') || /wasm/.test(frame.url)) return 'Automerge wasm';
	if (frame.url.includes('/_app/')) return 'our bundle (app, Dexie, cborg, Svelte)';
	return frame.functionName === '(root)' ? 'root' : 'other scripts';
}

/** Self time (ms) by kind and by function, of the samples from `from` to `to` (µs, the profile's clock). */
function selfTimes(p: Profile, from: number, to: number): { kinds: Map<string, number>; functions: Map<string, number> } {
	const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
	const kinds = new Map<string, number>();
	const functions = new Map<string, number>();
	const chunks = chunkLabels();
	let t = p.startTime;
	for (let i = 0; i < p.samples.length; i++) {
		t += p.timeDeltas[i]!;
		const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
		if (t < from || t > to) continue;
		const f = byId.get(p.samples[i]!)!;
		kinds.set(kindOf(f), (kinds.get(kindOf(f)) ?? 0) + dt);
		const file = f.url.split('/').pop() ?? '';
		const name = f.url ? `${f.functionName || '(anonymous)'} in ${file}:${f.lineNumber + 1}:${f.columnNumber + 1} (${chunks.get(file) ?? 'not ours'})` : f.functionName;
		functions.set(name, (functions.get(name) ?? 0) + dt);
	}
	return { kinds, functions };
}

/** Total duration (ms) of each rendering event on the renderers' main threads from `from` to `to` (µs). */
function renderingTimes(events: TraceEvent[], from: number, to: number): Map<string, number> {
	const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
	const out = new Map<string, number>();
	for (const e of events) {
		if (e.ph !== 'X' || !RENDERING.includes(e.name) || !main.has(`${e.pid}:${e.tid}`) || e.ts < from || e.ts > to) continue;
		out.set(e.name, (out.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
	}
	return out;
}

async function trace(cdp: CDPSession): Promise<() => Promise<TraceEvent[]>> {
	const events: TraceEvent[] = [];
	cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
	await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['devtools.timeline', '__metadata'] } });
	return async () => {
		const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
		await cdp.send('Tracing.end');
		await complete;
		return events;
	};
}

export async function profileFreshSync(count: number, port: number): Promise<void> {
	const plans = await caseload(count, console.log);
	const docs = nurseDocuments(plans).length;
	const dataDir = mkdtempSync(join(tmpdir(), 'dbep-bench-register-'));
	const profileDir = mkdtempSync(join(tmpdir(), 'dbep-bench-tablet-'));
	await seedRegister(dataDir, plans);
	const server = await startAppServer(port, dataDir);
	const { context, page } = await freshTablet(profileDir, { db: 'dbep', counts: { docs, summaries: docs } });
	try {
		await page.goto(`${server.url}/healthz`);
		const cdp = await context.newCDPSession(page);
		await cdp.send('Profiler.enable');
		await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
		const endTrace = await trace(cdp);
		await cdp.send('Profiler.start');
		const pageStart = await page.evaluate(() => performance.now());
		await logIn(page, server.url);
		const r = await probed(page);
		const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
		const events = await endTrace();
		// The page's clock (ms since its navigation) against the profiler's (µs), met at the start.
		const toProfile = (pageMs: number) => profile.startTime + (pageMs - pageStart) * 1000;
		const from = toProfile(r.firstFrame!);
		const to = toProfile(r.done!);
		const window = r.done! - r.firstFrame!;
		const { kinds, functions } = selfTimes(profile, from, to);
		const pct = (x: number) => `${((100 * x) / window).toFixed(0)} %`;
		console.log(`\nFresh sync of ${docs} plans: ${(window / 1000).toFixed(2)} s from the first frame; the page's main thread by kind (CPU profile, self time):`);
		console.log(table(['kind', 'ms', 'share'], [...kinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v.toFixed(0), pct(v)])));
		console.log('\nHeaviest functions (self time):');
		console.log(table(['function', 'ms', 'share'], [...functions].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => [k, v.toFixed(0), pct(v)])));
		console.log('\nRendering on the main thread (trace; part of "program" above):');
		console.log(table(['event', 'ms', 'share'], [...renderingTimes(events, from, to)].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v.toFixed(0), pct(v)])));
	} finally {
		await context.close();
		server.stop();
		rmSync(profileDir, { recursive: true, force: true });
		rmSync(dataDir, { recursive: true, force: true });
	}
}
