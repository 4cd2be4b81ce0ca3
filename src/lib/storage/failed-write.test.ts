import * as A from '@automerge/automerge/slim';
import { afterEach, describe, expect, it } from 'vitest';
import { logDocId, planDocId, type DocumentId, type ItemId } from '$lib/domain/ids';
import { logMonthOf, recordMeasure } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import { addPlanComment } from '$lib/domain/plan-ops';
import { clinicians, demoDocuments, pal, solveig } from '$lib/fixtures';
import { DbepDb } from './db';
import { DocStore } from './doc-store';
import { actorOf } from '$lib/domain/person';
import { PlanRepository, type WriteResult } from './plan-repository';

const NOW = '2026-10-05T06:10:00.000Z';
const LATER = '2026-10-05T07:30:00.000Z';
const nurseAt = (at: string): Context => ({ by: actorOf(clinicians.ranaNurse), at });

/**
 * Makes the next `put` into IndexedDB's `chunks` store throw as a full disk does (the real
 * fake-indexeddb store underneath Dexie, so the whole transaction aborts as it would in Chromium).
 */
let restore: (() => void) | null = null;
function failNextChunkPut(docId?: string): void {
	const proto = IDBObjectStore.prototype;
	const put = proto.put;
	proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
		// Only the write under test fails: another document's chunk (an earlier test's compaction, say) goes through.
		const row = args[0] as { docId?: unknown } | undefined;
		if (this.name !== 'chunks' || (docId !== undefined && row?.docId !== docId)) return put.apply(this, args);
		proto.put = put;
		restore = null;
		throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
	};
	restore = () => (proto.put = put);
}
afterEach(() => restore?.());

async function seeded(): Promise<{ dbName: string; db: DbepDb; repo: PlanRepository }> {
	const dbName = `dbep-failed-${crypto.randomUUID()}`;
	const db = new DbepDb(dbName);
	const repo = new PlanRepository(db);
	await repo.importPlans(demoDocuments(), '2026-10-01T00:00:00.000Z');
	return { dbName, db, repo };
}

function opened(result: WriteResult) {
	if (!result.ok) throw new Error(`expected the patient to open: ${result.reason}`);
	return result.value;
}

const eyeDropsAt = (at: string) => ({ outcome: 'done' as const, measureId: pal.measures.eyeDrops, at, slot: '08:00', note: '' });
const entriesOf = (logs: readonly MeasureLog[]) => logs.flatMap((l) => Object.values(l.entries));

/** What the device holds of Pål's month log in IndexedDB, loaded from the chunks alone. */
async function storedLog(dbName: string): Promise<MeasureLog | null> {
	const loaded = await new DocStore(new DbepDb(dbName)).load<MeasureLog>(logDocId(pal.patientId, logMonthOf(NOW)));
	return loaded.ok ? A.toJS(loaded.doc) : null;
}

describe('a write that fails to store', () => {
	it('leaves no record behind, and the retry makes exactly one (the month’s first record)', async () => {
		const { dbName, db, repo } = await seeded();
		const before = await db.summaries.get(pal.patientId);
		const entry = crypto.randomUUID() as ItemId;

		failNextChunkPut();
		const failed = await repo.changeLog(pal.patientId, NOW, nurseAt(NOW), (log) => recordMeasure(log, entry, eyeDropsAt(NOW), nurseAt(NOW)));
		expect(failed).toEqual({ ok: false, reason: 'write-failed' });
		expect(entriesOf(opened(await repo.openPatient(pal.patientId, NOW)).logs)).toEqual([]);
		expect(await db.docs.get(logDocId(pal.patientId, logMonthOf(NOW)))).toBeUndefined();
		expect(await db.summaries.get(pal.patientId)).toEqual(before);
		expect(await db.unsynced.count()).toBe(0);

		// The nurse taps "Registrer" again: the form makes a new record (a new id).
		const again = crypto.randomUUID() as ItemId;
		const { logs } = opened(await repo.changeLog(pal.patientId, NOW, nurseAt(NOW), (log) => recordMeasure(log, again, eyeDropsAt(NOW), nurseAt(NOW))));
		expect(entriesOf(logs).map((e) => e.id)).toEqual([again]);
		expect(Object.keys((await db.summaries.get(pal.patientId))?.records ?? {})).toEqual([`${pal.measures.eyeDrops}|08:00`]);
		const view = await db.views.get(logDocId(pal.patientId, logMonthOf(NOW)));
		expect(Object.keys((view?.value as MeasureLog).entries)).toEqual([again]);
		expect(Object.keys((await storedLog(dbName))?.entries ?? {})).toEqual([again]);
		const reloaded = opened(await new PlanRepository(new DbepDb(dbName)).openPatient(pal.patientId, NOW));
		expect(entriesOf(reloaded.logs).map((e) => e.id)).toEqual([again]);
	});

	it('leaves no record behind in a log that already holds one, and the retry adds exactly one', async () => {
		const { dbName, repo } = await seeded();
		const first = crypto.randomUUID() as ItemId;
		await repo.changeLog(pal.patientId, NOW, nurseAt(NOW), (log) => recordMeasure(log, first, eyeDropsAt(NOW), nurseAt(NOW)));

		failNextChunkPut();
		const lost = crypto.randomUUID() as ItemId;
		const failed = await repo.changeLog(pal.patientId, LATER, nurseAt(LATER), (log) => recordMeasure(log, lost, { ...eyeDropsAt(LATER), slot: null }, nurseAt(LATER)));
		expect(failed).toEqual({ ok: false, reason: 'write-failed' });
		expect(entriesOf(opened(await repo.openPatient(pal.patientId, LATER)).logs).map((e) => e.id)).toEqual([first]);

		const again = crypto.randomUUID() as ItemId;
		const { logs } = opened(await repo.changeLog(pal.patientId, LATER, nurseAt(LATER), (log) => recordMeasure(log, again, { ...eyeDropsAt(LATER), slot: null }, nurseAt(LATER))));
		expect(entriesOf(logs).map((e) => e.id).sort()).toEqual([first, again].sort());
		expect(Object.keys((await storedLog(dbName))?.entries ?? {}).sort()).toEqual([first, again].sort());
		const reloaded = opened(await new PlanRepository(new DbepDb(dbName)).openPatient(pal.patientId, LATER));
		expect(entriesOf(reloaded.logs).map((e) => e.id).sort()).toEqual([first, again].sort());
	});

	it('leaves no comment behind in the plan, and the retry adds exactly one', async () => {
		const { dbName, db, repo } = await seeded();
		await repo.warm(pal.patientId);
		const comments = (plan: Plan) => Object.values(plan.comments).filter((c) => c.text === 'Ring datteren');
		const ctx = nurseAt(NOW);

		failNextChunkPut();
		const failed = await repo.changePlan(pal.patientId, ctx, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Ring datteren', ctx));
		expect(failed).toEqual({ ok: false, reason: 'write-failed' });
		expect(comments(opened(await repo.openPatient(pal.patientId, NOW)).plan)).toHaveLength(0);

		const { plan } = opened(await repo.changePlan(pal.patientId, ctx, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Ring datteren', ctx)));
		expect(comments(plan)).toHaveLength(1);
		expect(comments((await db.views.get(planDocId(pal.patientId)))?.value as Plan)).toHaveLength(1);
		expect((await db.unsynced.get(planDocId(pal.patientId)))?.changes).toBe(1);
		const reloaded = opened(await new PlanRepository(new DbepDb(dbName)).openPatient(pal.patientId, NOW));
		expect(comments(reloaded.plan)).toHaveLength(1);
	});

	it('leaves no new plan behind, so the retry creates it instead of opening one that was never stored', async () => {
		const dbName = `dbep-failed-${crypto.randomUUID()}`;
		const repo = new PlanRepository(new DbepDb(dbName));
		const plan = structuredClone(solveig.plan) as Plan;
		const docId: DocumentId = planDocId(solveig.patientId);

		failNextChunkPut();
		expect(await repo.createPlan(solveig.patientId, plan, nurseAt(NOW))).toEqual({ ok: false, reason: 'write-failed' });
		expect(await repo.openPatient(solveig.patientId, NOW)).toEqual({ ok: false, reason: 'document-missing' });
		expect(await repo.listPatients()).toEqual([]);

		expect(opened(await repo.createPlan(solveig.patientId, plan, nurseAt(NOW))).plan.patient.name).toBe(solveig.patient.name);
		const fresh = new PlanRepository(new DbepDb(dbName));
		expect(opened(await fresh.openPatient(solveig.patientId, NOW)).plan.patient.name).toBe(solveig.patient.name);
		expect((await fresh.listPatients()).map((p) => p.patientId)).toEqual([solveig.patientId]);
		expect(await fresh.unsyncedDocs()).toEqual([docId]);
	});

	it('leaves no received change behind when storing it fails, and takes it once when the server sends it again', async () => {
		const { dbName, repo } = await seeded();
		const docId = planDocId(pal.patientId);
		const palDoc = demoDocuments().find((d) => d.patientId === pal.patientId);
		if (!palDoc) throw new Error('no plan for Pål');
		const gp = { ...nurseAt(NOW), by: actorOf(clinicians.bodoGp) };
		const register = A.change(palDoc.doc, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Ny øyelege i Bodø', gp));
		const fromGp = (plan: Plan) => Object.values(plan.comments).filter((c) => c.text === 'Ny øyelege i Bodø');
		/** One round of the exchange on a fresh connection: the device's message, then the register's answer. */
		async function registerAnswer(): Promise<Uint8Array> {
			repo.beginSync();
			const [hello] = await repo.generateSyncMessages([docId]);
			if (!hello) throw new Error('the device sent nothing');
			const [, state] = A.receiveSyncMessage(A.clone(register), A.initSyncState(), hello.message);
			const [, answer] = A.generateSyncMessage(register, state);
			if (!answer) throw new Error('the register sent nothing');
			return answer;
		}

		const answer = await registerAnswer();
		failNextChunkPut(docId);
		expect(await repo.applySyncMessage(docId, answer, NOW)).toEqual({ ok: false, reason: 'storage-failed' });
		expect(fromGp(opened(await repo.openPatient(pal.patientId, NOW)).plan)).toHaveLength(0);

		expect(await repo.applySyncMessage(docId, await registerAnswer(), NOW)).toEqual({ ok: true, changed: true });
		expect(fromGp(opened(await repo.openPatient(pal.patientId, NOW)).plan)).toHaveLength(1);
		expect(await repo.unsyncedDocs()).toEqual([]);
		const reloaded = opened(await new PlanRepository(new DbepDb(dbName)).openPatient(pal.patientId, NOW));
		expect(fromGp(reloaded.plan)).toHaveLength(1);
	});
});
