// `npm run bench:sync`: sync figures in one process, no network delay, the same documents for
// both: a fresh device receiving 1,000 plans, ours (SyncHub on a SQLite file → SyncClient on
// fake-indexeddb) against automerge-repo 2.x at its best honest setting (automerge-repo-baseline.ts),
// each after a warm-up run, BENCH_RUNS times (default 3), the median printed; then reconnects.
// BENCH_PLAN_SIZE=small|realistic (default realistic) picks the plans (see sync-plans.ts);
// BENCH_PLANS sets how many (default 1000); BENCH_CACHE=0 builds them afresh.
import 'fake-indexeddb/auto';
import * as A from '@automerge/automerge';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { addPlanComment, updateGoal } from '$lib/domain/plan-ops';
import { clinicians } from '$lib/fixtures';
import { SyncHub } from '$lib/server/sync/hub';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from '$lib/sync/client';
import { connectLoopback, type LinkStats } from '$lib/sync/loopback';
import { automergeRepoFreshPeer, automergeRepoServer, BASELINE_SETTING } from './automerge-repo-baseline';
import { median, spread } from './stats';
import { benchPlans, CHANGES_PER_PLAN, planSizeFrom } from './sync-plans';
import { refOf } from '$lib/fixtures/support';

const PLANS = Number(process.env.BENCH_PLANS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZE = planSizeFrom(process.env.BENCH_PLAN_SIZE);
const nurse = refOf(clinicians.ranaNurse);
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;
const traffic = (s: LinkStats) => `${s.roundTrips} round trip(s), ${s.toServerFrames + s.toDeviceFrames} frames, up ${kib(s.toServerBytes)}, down ${kib(s.toDeviceBytes)}`;

async function main(): Promise<void> {
	if (!Number.isSafeInteger(PLANS) || PLANS < 30) throw new Error(`BENCH_PLANS must be a whole number of at least 30, not "${process.env.BENCH_PLANS}"`);
	let t = performance.now();
	const { plans, cached } = await benchPlans(SIZE, PLANS);
	const saved = plans.reduce((n, p) => n + A.save(p.doc).length, 0);
	console.log(`documents: ${plans.length} ${SIZE} plans, ${CHANGES_PER_PLAN} changes each, ${kib(saved)} saved (${kib(saved / plans.length)} each), ${cached ? 'loaded from the cache' : 'built'} in ${((performance.now() - t) / 1000).toFixed(1)} s`);

	const docs = plans.map((p) => p.doc);
	const { server, urls } = automergeRepoServer(docs);
	// Warm-up: a first tenth of the plans, not timed (the first run in a process pays for loading and JIT).
	await automergeRepoFreshPeer(server, urls.slice(0, Math.ceil(urls.length / 10)), 'amr-warm-up');
	const baselineRuns: number[] = [];
	for (let i = 0; i < RUNS; i++) baselineRuns.push((await automergeRepoFreshPeer(server, urls, `amr-device-${i}`)).ms);
	await server.shutdown();
	console.log(`automerge-repo 2.x (${BASELINE_SETTING}), fresh peer receiving ${urls.length} plans: ${spread(baselineRuns, ms)} over ${RUNS} runs`);

	const dir = await mkdtemp(join(tmpdir(), 'dbep-bench-sync-'));
	const store = openSqliteStore(join(dir, 'documents.sqlite'));
	const hub = new SyncHub(store, { log: () => undefined });
	await hub.seedIfEmpty(plans);
	/** A fresh device: its own database, its own peer id; the time until it holds every plan. */
	const freshDevice = async (name: string, count = plans.length) => {
		const repo = new PlanRepository(new DbepDb(name));
		const client = new SyncClient(repo, { peerId: name });
		const started = performance.now();
		const link = await connectLoopback(hub, client);
		await link.idle();
		const took = performance.now() - started;
		const held = await repo.db.docs.count();
		if (held !== count) throw new Error(`device holds ${held} of ${count} plans`);
		link.close();
		return { repo, took, stats: link.stats };
	};
	await freshDevice('bench-sync-warm-up');
	const oursRuns: Awaited<ReturnType<typeof freshDevice>>[] = [];
	for (let i = 0; i < RUNS; i++) oursRuns.push(await freshDevice(`bench-sync-device-${i}`));
	const { repo, stats } = oursRuns.at(-1)!;
	const held = plans.length;
	const fresh = median(oursRuns.map((r) => r.took));
	console.log(`ours (the device stores each snapshot's bytes unparsed, and its list row, in IndexedDB), fresh device receiving ${held} plans from SQLite: ${spread(oursRuns.map((r) => r.took), ms)} over ${RUNS} runs after a warm-up; ${traffic(stats)}`);
	const ratio = median(baselineRuns) / fresh;
	console.log(`ratio of medians: automerge-repo / ours = ${ratio.toFixed(1)}× (target ≥ 10×, ≤ 3 round trips: ${ratio >= 10 && stats.roundTrips <= 3 ? 'meets' : 'MISSES'})`);
	const client = () => new SyncClient(repo, { peerId: `bench-sync-device-${RUNS - 1}` });
	let link;

	t = performance.now();
	link = await connectLoopback(hub, client());
	await link.idle();
	console.log(`reconnect with nothing changed over ${held} documents: ${(performance.now() - t).toFixed(0)} ms; ${traffic(link.stats)}`);
	link.close();

	// 30 patients × 50 offline edits on the device, then reconnect.
	const edited: PatientId[] = plans.slice(0, 30).map((p) => p.patientId);
	let changeBytes = 0;
	for (const patientId of edited) {
		const before = A.getHeads((await repo.openPatient(patientId, new Date().toISOString()).then(async () => (await repo.store.load<Plan>(planDocId(patientId)))).then((r) => (r.ok ? r.doc : A.init<Plan>()))));
		for (let i = 0; i < 50; i++) {
			const ctx = { by: nurse, at: new Date().toISOString() };
			await repo.changePlan(patientId, ctx, (p) => {
				const goal = Object.values(p.goals)[0];
				if (goal && i % 2) updateGoal(p, goal.id, { category: goal.category, text: `${goal.text}.`, targetDate: goal.targetDate, addresses: [...goal.addresses] }, ctx);
				else addPlanComment(p, crypto.randomUUID() as never, `Observasjon ${i}`, ctx);
			});
		}
		const after = await repo.store.load<Plan>(planDocId(patientId));
		if (after.ok) changeBytes += A.getChanges(A.view(after.doc, before), after.doc).reduce((n, c) => n + c.length, 0);
	}
	t = performance.now();
	link = await connectLoopback(hub, client());
	await link.idle();
	const unsynced = await repo.db.unsynced.count();
	console.log(`reconnect after 30 patients × 50 offline edits: ${(performance.now() - t).toFixed(0)} ms; ${traffic(link.stats)}; the changes themselves: ${kib(changeBytes)}; unsent left: ${unsynced}`);
	link.close();

	await hub.close();
	await store.close();
	await rm(dir, { recursive: true, force: true });
}

await main();
process.exit(0);
