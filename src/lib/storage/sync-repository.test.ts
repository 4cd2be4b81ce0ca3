import * as A from '@automerge/automerge/slim';
import { describe, expect, it, vi } from 'vitest';
import type { DocumentId, ItemId } from '$lib/domain/ids';
import { addPlanComment } from '$lib/domain/plan-ops';
import type { Context, Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { clinicians, createPlanDocument, pal, solveig } from '$lib/fixtures';
import { headsHash, type Snapshot } from '$lib/sync/protocol';
import { chunksOf, DbepDb } from './db';
import { DocStore } from './doc-store';
import { PlanRepository } from './plan-repository';

const AT = '2026-10-05T08:00:00.000Z';
const { id, name, role, organisation } = clinicians.ranaNurse;
const nurse: Context = { by: { id, name, role, organisation }, at: AT };
const palDoc = createPlanDocument(pal);
const solveigDoc = createPlanDocument(solveig);

function fresh(dbName = `dbep-test-${crypto.randomUUID()}`): { dbName: string; db: DbepDb; repo: PlanRepository } {
	const db = new DbepDb(dbName);
	return { dbName, db, repo: new PlanRepository(db) };
}

function snapshotOf(d: { docId: DocumentId; doc: A.Doc<Plan> }): Snapshot {
	return { docId: d.docId, patientId: d.doc.patientId, heads: A.getHeads(d.doc), bytes: A.save(d.doc) };
}

function comment(doc: A.Doc<Plan>, text: string): A.Doc<Plan> {
	return A.change(doc, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, text, nurse));
}

/** Runs Automerge sync between the repository and a plain in-memory server copy until both are quiet. */
async function exchange(repo: PlanRepository, docId: DocumentId, server: { doc: A.Doc<unknown>; state: A.SyncState }): Promise<void> {
	for (let round = 0; round < 20; round++) {
		const [state, toDevice] = A.generateSyncMessage(server.doc, server.state);
		server.state = state;
		if (toDevice) expect(await repo.applySyncMessage(docId, toDevice)).toMatchObject({ ok: true });
		const [toServer] = await repo.generateSyncMessages([docId]);
		if (toServer) [server.doc, server.state] = A.receiveSyncMessage(server.doc, server.state, toServer.message);
		if (!toDevice && !toServer) return;
	}
	throw new Error('sync did not settle');
}

describe('SyncRepository', () => {
	it('stores snapshots without parsing them, and opening one restores the document exactly', async () => {
		const { db, repo } = fresh();
		const load = vi.spyOn(repo.store, 'load');
		const result = await repo.importSnapshots([snapshotOf(palDoc), snapshotOf(solveigDoc)], [summarize(palDoc.doc, []), summarize(solveigDoc.doc, [])]);

		expect(result).toEqual({ stored: [palDoc.docId, solveigDoc.docId], kept: [] });
		expect(load).not.toHaveBeenCalled();
		expect(await db.views.count()).toBe(0);
		const [chunk] = await chunksOf(db, palDoc.docId).toArray();
		expect(chunk?.bytes).toEqual(A.save(palDoc.doc));
		expect((await db.docs.get(palDoc.docId))?.heads).toEqual(A.getHeads(palDoc.doc));
		expect((await repo.listPatients()).map((p) => [p.name, p.unsynced])).toEqual([
			[pal.patient.name, false],
			[solveig.patient.name, false]
		]);
		const opened = await repo.openPatient(pal.patientId, AT);
		expect(opened.ok && opened.value.plan).toEqual(A.toJS(palDoc.doc));
	});

	it('stores damaged bytes as they come; the damage shows only when the plan is opened', async () => {
		const { repo } = fresh();
		await repo.importSnapshots([{ ...snapshotOf(palDoc), bytes: new Uint8Array([1, 2, 3]) }], [summarize(palDoc.doc, [])]);
		expect(await repo.listPatients()).toHaveLength(1);
		expect(await repo.openPatient(pal.patientId, AT)).toEqual({ ok: false, reason: 'document-corrupt' });
	});

	it('never overwrites a document holding unsent changes, nor its summary', async () => {
		const { db, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])]);
		await repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Hemnes'));
		const before = await chunksOf(db, palDoc.docId).toArray();

		const result = await repo.importSnapshots([snapshotOf(palDoc), { ...snapshotOf(solveigDoc), patientId: pal.patientId }], [summarize(palDoc.doc, [])]);
		expect(result).toEqual({ stored: [], kept: [palDoc.docId, solveigDoc.docId] });
		expect(await chunksOf(db, palDoc.docId).toArray()).toEqual(before);
		expect((await db.summaries.get(pal.patientId))?.municipality).toBe('Hemnes');
	});

	it('stores nothing of a frame IndexedDB refuses, and the next frame is stored whole', async () => {
		const { db, repo } = fresh();
		const unstorable = { ...summarize(palDoc.doc, []), name: (() => 'x') as unknown as string };
		await expect(repo.importSnapshots([snapshotOf(palDoc), snapshotOf(solveigDoc)], [unstorable])).rejects.toThrow();
		expect(await db.chunks.count()).toBe(0);
		expect(await db.docs.count()).toBe(0);
		expect(await db.summaries.count()).toBe(0);

		expect(await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])])).toEqual({ stored: [palDoc.docId], kept: [] });
		expect(await db.chunks.count()).toBe(1);
	});

	it('applies the server changes as synced, with view, summary and persisted sync state', async () => {
		const { dbName, db, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])]);
		const heard: string[] = [];
		repo.subscribe((ids) => heard.push(...ids));
		const server = { doc: comment(A.clone(palDoc.doc), 'Fra fastlegen') as A.Doc<unknown>, state: A.initSyncState() };
		await exchange(repo, palDoc.docId, server);

		const row = await db.docs.get(palDoc.docId);
		expect(row?.heads).toEqual(A.getHeads(server.doc));
		expect(await db.unsynced.count()).toBe(0);
		expect((await db.views.get(palDoc.docId))?.heads).toEqual(A.getHeads(server.doc));
		expect(heard).toContain(pal.patientId);
		const stored = await db.syncStates.get(palDoc.docId);
		expect(stored && A.decodeSyncState(stored.state).sharedHeads).toEqual(A.getHeads(server.doc));
		const reopened = await new PlanRepository(new DbepDb(dbName)).openPatient(pal.patientId, AT);
		expect(reopened.ok && Object.values(reopened.value.plan.comments).map((c) => c.text)).toContain('Fra fastlegen');
	});

	it('receives a document it lacks, from an empty start, and tolerates it before it has fields', async () => {
		const { db, repo } = fresh();
		const [, first] = A.generateSyncMessage(solveigDoc.doc, A.initSyncState());
		if (!first) throw new Error('no message');
		expect(await repo.applySyncMessage(solveigDoc.docId, first)).toEqual({ ok: true, changed: false });
		expect(await db.docs.count()).toBe(0);
		expect(await repo.listPatients()).toEqual([]);
		expect(await repo.openPatient(solveig.patientId, AT)).toEqual({ ok: false, reason: 'document-incomplete' });

		await exchange(repo, solveigDoc.docId, { doc: solveigDoc.doc, state: A.initSyncState() });
		expect((await db.docs.get(solveigDoc.docId))?.heads).toEqual(A.getHeads(solveigDoc.doc));
		expect((await repo.listPatients()).map((p) => p.name)).toEqual([solveig.patient.name]);
	});

	it('reports a malformed sync message and keeps the document usable', async () => {
		const { repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])]);
		expect(await repo.applySyncMessage(palDoc.docId, new Uint8Array([0x42, 1, 2, 3]))).toEqual({ ok: false, reason: 'sync-message-invalid' });
		expect((await repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Hemnes'))).ok).toBe(true);
	});

	it('generates messages only for documents with something to send, and resumes from the persisted sync state', async () => {
		const { dbName, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc), snapshotOf(solveigDoc)], []);
		const server = { doc: A.clone(palDoc.doc) as A.Doc<unknown>, state: A.initSyncState() };
		await exchange(repo, palDoc.docId, server);
		expect(await repo.generateSyncMessages([palDoc.docId])).toEqual([]);

		const again = new PlanRepository(new DbepDb(dbName));
		again.beginSync();
		const [message] = await again.generateSyncMessages([palDoc.docId]);
		expect(message && A.decodeSyncMessage(message.message).have[0]?.lastSync).toEqual(A.getHeads(palDoc.doc));
	});

	it('clears the unsynced mark only when the acknowledged heads are the stored ones', async () => {
		const { db, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc)], []);
		await repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Hemnes'));
		const sent = (await db.docs.get(palDoc.docId))?.heads ?? [];
		await repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Mo i Rana'));

		expect(await repo.markAcked(palDoc.docId, sent)).toBe(false);
		expect(await repo.unsyncedDocs()).toEqual([palDoc.docId]);
		const current = (await db.docs.get(palDoc.docId))?.heads ?? [];
		expect(await repo.markAcked(palDoc.docId, [...current].reverse())).toBe(true);
		expect(await repo.unsyncedDocs()).toEqual([]);
	});

	it('purges documents and their summary, but keeps a document holding unsent changes', async () => {
		const { db, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc), snapshotOf(solveigDoc)], [summarize(palDoc.doc, []), summarize(solveigDoc.doc, [])]);
		await repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Hemnes'));
		await repo.generateSyncMessages([solveigDoc.docId]);

		expect(await repo.purge([palDoc.docId, solveigDoc.docId])).toEqual({ purged: [solveigDoc.docId], kept: [palDoc.docId] });
		expect(await db.docs.get(solveigDoc.docId)).toBeUndefined();
		expect(await chunksOf(db, solveigDoc.docId).count()).toBe(0);
		expect(await db.syncStates.get(solveigDoc.docId)).toBeUndefined();
		expect((await repo.listPatients()).map((p) => p.patientId)).toEqual([pal.patientId]);
		expect(await repo.openPatient(solveig.patientId, AT)).toEqual({ ok: false, reason: 'document-missing' });
	});

	it('builds the manifest from document rows without parsing, and keeps one peer id', async () => {
		const { dbName, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc), { ...snapshotOf(solveigDoc), bytes: new Uint8Array([9]) }], []);
		const load = vi.spyOn(repo.store, 'load');
		expect((await repo.manifest()).sort()).toEqual(
			[
				[palDoc.docId, headsHash(A.getHeads(palDoc.doc))],
				[solveigDoc.docId, headsHash(A.getHeads(solveigDoc.doc))]
			].sort()
		);
		expect(load).not.toHaveBeenCalled();
		const id = await repo.peerId();
		expect(await new PlanRepository(new DbepDb(dbName)).peerId()).toBe(id);
		expect(await fresh().repo.peerId()).not.toBe(id);
	});

	it('keeps a local change made while a sync message is being applied, in memory and in storage', async () => {
		const { db, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])]);
		await repo.warm(pal.patientId);
		const server = { doc: comment(A.clone(palDoc.doc), 'Fra legen') as A.Doc<unknown>, state: A.initSyncState() };
		// The device asks first, as it does on every connection; the server's answer carries the new comment.
		const [ask] = await repo.generateSyncMessages([palDoc.docId]);
		[server.doc, server.state] = A.receiveSyncMessage(server.doc, server.state, ask!.message);
		const [state, answer] = A.generateSyncMessage(server.doc, server.state);
		server.state = state;

		// Both start before either has stored anything.
		const [changed, applied] = await Promise.all([repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Hemnes')), repo.applySyncMessage(palDoc.docId, answer!)]);
		expect(applied).toMatchObject({ ok: true, changed: true });
		expect(changed.ok).toBe(true);
		const opened = await repo.openPatient(pal.patientId, AT);
		const texts = (plan: Plan) => Object.values(plan.comments).map((c) => c.text);
		expect(opened.ok && texts(opened.value.plan)).toContain('Fra legen');
		expect(opened.ok && opened.value.plan.patient.municipality).toBe('Hemnes');
		const reloaded = await new PlanRepository(new DbepDb(db.name)).openPatient(pal.patientId, AT);
		expect(reloaded.ok && texts(reloaded.value.plan)).toContain('Fra legen');
		expect(reloaded.ok && reloaded.value.plan.patient.municipality).toBe('Hemnes');
		await exchange(repo, palDoc.docId, server);
		expect((server.doc as Plan).patient.municipality).toBe('Hemnes');
	});

	it('builds a write on changes another tab stored meanwhile', async () => {
		const { db, repo } = fresh();
		await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])]);
		await repo.warm(pal.patientId);
		const otherTab = new PlanRepository(new DbepDb(db.name));
		expect((await otherTab.changePlan(pal.patientId, nurse, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Fra fanen ved siden av', nurse))).ok).toBe(true);
		// This tab held the plan as it was; its next write must not store over the other tab's.
		expect((await repo.changePlan(pal.patientId, nurse, (p) => (p.patient.municipality = 'Hemnes'))).ok).toBe(true);
		const reopened = await new PlanRepository(new DbepDb(db.name)).openPatient(pal.patientId, AT);
		expect(reopened.ok && Object.values(reopened.value.plan.comments).map((c) => c.text)).toContain('Fra fanen ved siden av');
		expect(reopened.ok && reopened.value.plan.patient.municipality).toBe('Hemnes');
		// The row's heads (what the manifest tells the server) are those of the stored document.
		const loaded = await new DocStore(db).load<Plan>(palDoc.docId);
		expect(loaded.ok && [...A.getHeads(loaded.doc)].sort()).toEqual([...((await db.docs.get(palDoc.docId))?.heads ?? [])].sort());
	});
});
