// A long plan that reaches a fresh device by sync opens from the view the register sent with its
// snapshot, without Automerge replaying its history; a view that is not the plan's at those heads
// is never used. The real register (SyncHub on a SQLite file) and the real device (SyncClient,
// PlanRepository on fake-indexeddb), connected in one process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planConflicts } from '$lib/domain/conflicts';
import { planDocId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { demoDocuments, pal, withEditHistory } from '$lib/fixtures';
import { SyncHub } from '$lib/server/sync/hub';
import { VIEW_MIN_CHANGES } from '$lib/server/sync/plan-view';
import { sharedChecker } from '$lib/server/sync/test-support';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from './client';
import { connectLoopback } from './loopback';
import { decodeServerMessage, encodeMessage, type OutgoingSnapshot } from './protocol';
import { encodeSnapshotView } from './snapshot-view';

const AT = '2026-11-20T08:00:00.000Z';
const PLAN = planDocId(pal.patientId);
// Built once: a plan with a history past the register's threshold, and the demo's other plans.
const demo = demoDocuments();
const long = withEditHistory(demo.find((d) => d.docId === PLAN)!.doc as A.Doc<Plan>, VIEW_MIN_CHANGES + 20, 5);
const register = demo.map((d) => (d.docId === PLAN ? { ...d, doc: long } : d));

let run = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0)) await c();
});

/** A register seeded with `register`, and a fresh device that has synced everything from it. */
async function syncedDevice() {
	const dir = await mkdtemp(join(tmpdir(), 'dbep-view-'));
	const store = openSqliteStore(join(dir, 'documents.sqlite'));
	const hub = new SyncHub(store, { log: () => undefined, checker: sharedChecker() });
	await hub.seedIfEmpty(register);
	const repo = new PlanRepository(new DbepDb(`snapshot-view-${++run}`));
	const client = new SyncClient(repo, { peerId: `tablet-${run}` });
	const link = await connectLoopback(hub, client);
	await link.idle();
	cleanups.push(async () => {
		link.close();
		repo.close();
		await hub.close();
		await store.close();
		await rm(dir, { recursive: true, force: true });
	});
	return { repo, client, link };
}

const expectParsed = (plan: unknown) => expect(plan).toEqual(A.toJS(long));

describe('a long plan that arrived by sync', () => {
	it('opens from the view sent with its snapshot, without loading its history, showing what parsing shows', async () => {
		const { repo, client } = await syncedDevice();
		expect(client.state.phase).toBe('up-to-date');
		const load = vi.spyOn(repo.store, 'load');
		const opened = await repo.openPatient(pal.patientId, AT);
		expect(load).not.toHaveBeenCalled();
		expect(opened.ok).toBe(true);
		if (!opened.ok) return;
		expectParsed(opened.value.plan);
		expect(opened.value.conflicts).toEqual(planConflicts(long));
		// And parsing it afterwards (the first edit's `warm`) finds the document the view describes.
		expect(await repo.warm(pal.patientId)).toBeNull();
		expect(load).toHaveBeenCalledTimes(1);
	});

	it('is parsed as before when the view given with its snapshot is at other heads: nothing untrue is shown', async () => {
		const { repo } = await syncedDevice();
		const heads = A.getHeads(long);
		const untrue = { ...(A.toJS(long) as Plan), patient: { ...pal.plan.patient, name: 'Ikke Sann' } };
		// Past the wire's checks (a device's own code calling in): the store still takes only a view at the snapshot's heads.
		const earlier = [A.decodeChange(A.getAllChanges(long).at(-2)!).hash!];
		await repo.importSnapshots([{ docId: PLAN, patientId: pal.patientId, heads, bytes: A.save(long), view: { heads: earlier, value: untrue, conflicts: [] } }], []);
		const load = vi.spyOn(repo.store, 'load');
		const opened = await repo.openPatient(pal.patientId, AT);
		expect(load).toHaveBeenCalledTimes(1);
		expect(opened.ok).toBe(true);
		if (opened.ok) expectParsed(opened.value.plan);
	});
});

describe('the wire check of a snapshot\'s view', () => {
	const heads = A.getHeads(long);
	const value = A.toJS(long);
	const snapshot = (view: Uint8Array | undefined): OutgoingSnapshot => ({ docId: PLAN, patientId: pal.patientId, heads, bytes: Uint8Array.of(1), ...(view ? { view } : {}) });
	const received = (view: Uint8Array | undefined) => {
		const decoded = decodeServerMessage(encodeMessage({ type: 'snapshots', docs: [snapshot(view)], summaries: [], remaining: 0 }));
		expect(decoded.ok).toBe(true);
		return decoded.ok && decoded.message.type === 'snapshots' ? decoded.message.docs[0] : undefined;
	};

	it('keeps a valid view at the snapshot\'s heads', () => {
		expect(received(encodeSnapshotView({ heads, value, conflicts: [] }))?.view).toEqual({ heads, value, conflicts: [] });
	});

	it('drops, keeping the snapshot, a view that is unreadable, malformed, of another patient, at other heads or on a log', () => {
		const other = { ...value, patientId: demo.find((d) => d.docId !== PLAN)!.patientId };
		const bad: Uint8Array[] = [
			Uint8Array.of(0xff, 0x7b),
			new TextEncoder().encode('{"heads":'),
			new TextEncoder().encode(JSON.stringify({ heads, value, conflicts: 'none' })),
			encodeSnapshotView({ heads, value: { ...value, measures: 'none' }, conflicts: [] }),
			encodeSnapshotView({ heads, value: other, conflicts: [] }),
			encodeSnapshotView({ heads: ['ab'.repeat(32)], value, conflicts: [] })
		];
		for (const view of bad) {
			const doc = received(view);
			expect(doc?.docId).toBe(PLAN);
			expect(doc && 'view' in doc).toBe(false);
		}
		expect(received(undefined) && 'view' in received(undefined)!).toBe(false);
	});
});
