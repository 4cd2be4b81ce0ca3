// Reconnects counted in round trips, with the real parts: the register (SyncHub on a SQLite file),
// a device (PlanRepository on fake-indexeddb, SyncClient), the loopback link between them. A round
// trip is the link's causal depth: hello is 1, a frame the device sends on hearing depth d is d + 1.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { planDocId, type DocumentId, type ItemId, type PatientId } from '$lib/domain/ids';
import type { Context } from '$lib/domain/plan';
import { addPlanComment } from '$lib/domain/plan-ops';
import { clinicians, demoDocuments, pal, ranaCaseload } from '$lib/fixtures';
import { demoUsers, type User } from '$lib/server/access/users';
import { chunkOf, concatChunks } from '$lib/server/sync/chunks';
import { SyncHub } from '$lib/server/sync/hub';
import { sharedChecker } from '$lib/server/sync/test-support';
import { openSqliteStore } from '$lib/server/store/sqlite';
import type { DocumentStore } from '$lib/server/store';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from './client';
import { connectLoopback, type LinkStats } from './loopback';
import { decodeServerMessage, headsHash, manifestDigest } from './protocol';

const COUNT = Number(process.env.RECONNECT_DOCS ?? 10_000);
const ranaNurse = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;
const { id, name, role, organisation } = clinicians.ranaNurse;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** The register on a SQLite file, or in memory (`:memory:`, no fsync per commit) for many documents. */
async function register(inMemory = false): Promise<{ store: DocumentStore; hub: SyncHub }> {
	const dir = await mkdtemp(join(tmpdir(), 'dbep-reconnect-'));
	const store = openSqliteStore(inMemory ? ':memory:' : join(dir, 'documents.sqlite'));
	const hub = new SyncHub(store, { log: () => undefined, checker: sharedChecker() });
	cleanups.push(async () => {
		await hub.close();
		await store.close();
		await rm(dir, { recursive: true, force: true });
	});
	return { store, hub };
}

let devices = 0;
/** A device of `user` (null: a transport that does not authenticate) on its own IndexedDB database. */
function device(user: User | null): { repo: PlanRepository; client: SyncClient; connect(hub: SyncHub): Promise<LinkStats & { phase: string; lastAck: number }> } {
	const repo = new PlanRepository(new DbepDb(`reconnect-${++devices}`));
	const client = new SyncClient(repo, { peerId: `reconnect-tablet-${devices}` });
	cleanups.push(async () => {
		repo.close();
		await repo.db.delete();
	});
	return {
		repo,
		client,
		async connect(hub) {
			let lastAck = 0;
			const watch = (frame: Uint8Array, roundTrip: number) => {
				const decoded = decodeServerMessage(frame);
				if (decoded.ok && decoded.message.type === 'ack') lastAck = Math.max(lastAck, roundTrip);
			};
			const link = await connectLoopback({ connect: (send) => hub.connect(send, { user }) }, client, watch);
			await link.idle();
			const stats = { ...link.stats, phase: client.state.phase, lastAck };
			link.close();
			return stats;
		}
	};
}

/** The digest the device keeps is the one its document rows give. */
async function expectKeptDigest(repo: PlanRepository): Promise<void> {
	const rows = await repo.db.docs.toArray();
	expect(await repo.store.manifestSummary()).toEqual({ digest: manifestDigest(rows.map((r) => [r.docId, headsHash(r.heads)])), count: rows.length });
}

describe('a reconnect', () => {
	it('with nothing changed is one round trip over 10,000 documents', { timeout: 300_000 }, async () => {
		const { store, hub } = await register(true);
		// One small document stored under every id: what a reconnect compares is the manifest (an entry a document), not the bytes.
		const doc = A.from({ note: Array.from({ length: 40 }, () => crypto.randomUUID()).join(' ') });
		const write = { add: [chunkOf('snapshot', A.save(doc))], remove: [], heads: A.getHeads(doc) };
		for (let i = 0; i < COUNT; i++) {
			const patientId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` as PatientId;
			await store.commit(planDocId(patientId), patientId, write);
		}
		const tablet = device(null);
		await tablet.connect(hub);
		expect(await tablet.repo.db.docs.count()).toBe(COUNT);
		// The first sync stores its rows without the digest, and computes it once when done.
		await expectKeptDigest(tablet.repo);

		const again = await tablet.connect(hub);
		expect(again.roundTrips).toBe(1);
		expect(again.toServerFrames).toBe(1);
		expect(again.phase).toBe('up-to-date');
		await expectKeptDigest(tablet.repo);
	});

	it('after a day’s work (30 patients edited offline) has every change acknowledged within 3 round trips, and logs the plans opened', { timeout: 300_000 }, async () => {
		const { store, hub } = await register();
		await hub.seedIfEmpty([...demoDocuments(), ...ranaCaseload(30)]);
		const tablet = device(ranaNurse);
		await tablet.connect(hub);
		const edited = ranaCaseload(30).map((d) => d.patientId);
		expect((await tablet.repo.db.docs.where('patientId').anyOf(edited).count())).toBe(30);

		for (const [i, patientId] of edited.entries()) {
			const at = new Date().toISOString();
			const ctx: Context = { by: { id, name, role, organisation }, at };
			await tablet.repo.noteOpened(patientId, at);
			expect((await tablet.repo.changePlan(patientId, ctx, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, `Merknad ${i + 1}`, ctx))).ok).toBe(true);
		}
		expect(await tablet.repo.unsyncedDocs()).toHaveLength(30);

		const stats = await tablet.connect(hub);
		// The device's unsent documents open their exchange with its hello, so the register's first
		// sync answer (what it holds) comes with the welcome, and the changes go in the second trip.
		expect(stats.lastAck).toBeLessThanOrEqual(2);
		expect(stats.roundTrips).toBeLessThanOrEqual(3);
		expect(await tablet.repo.unsyncedDocs()).toEqual([]);
		expect(stats.phase).toBe('up-to-date');
		expect(tablet.client.state.refusals).toEqual([]);
		for (const [i, patientId] of edited.entries()) {
			const docId: DocumentId = planDocId(patientId);
			const stored = A.load<{ comments: Record<string, { text: string }> }>(concatChunks(await store.chunks(docId)));
			expect(Object.values(stored.comments).map((c) => c.text)).toContain(`Merknad ${i + 1}`);
			const lines = await store.audit(patientId);
			expect(lines.some((l) => l.action === 'read' && l.reportedLater && l.who.id === ranaNurse.id), `opening of ${patientId} logged`).toBe(true);
		}
		expect(await tablet.repo.openedToReport()).toEqual([]);
		await expectKeptDigest(tablet.repo);

		// And once all is acknowledged, nothing changed again: one round trip.
		expect((await tablet.connect(hub)).roundTrips).toBe(1);
	});

	it('after an offline change the register refuses still brings the refusal to the device, which sets its version aside', { timeout: 300_000 }, async () => {
		const { store, hub } = await register();
		await hub.seedIfEmpty(demoDocuments());
		const tablet = device(ranaNurse);
		await tablet.connect(hub);
		// A comment stamped as the GP, sent by the nurse: the register refuses it.
		const gp = clinicians.bodoGp;
		const ctx: Context = { by: { id: gp.id, name: gp.name, role: gp.role, organisation: gp.organisation }, at: new Date().toISOString() };
		expect((await tablet.repo.changePlan(pal.patientId, ctx, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Skrevet i legens navn', ctx))).ok).toBe(true);

		const stats = await tablet.connect(hub);
		expect(stats.phase).toBe('up-to-date');
		expect(await tablet.repo.unsyncedDocs()).toEqual([]);
		expect((await tablet.repo.setAsideList()).map((r) => [r.docId, r.reason])).toEqual([[planDocId(pal.patientId), 'change-refused']]);
		expect((await store.audit(pal.patientId)).some((l) => l.action === 'refused' && l.who.id === ranaNurse.id)).toBe(true);
		await expectKeptDigest(tablet.repo);
		expect((await tablet.connect(hub)).roundTrips).toBe(1);
	});
});
