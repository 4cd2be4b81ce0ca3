import * as A from '@automerge/automerge/slim';
import { describe, expect, it, vi } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type ItemId, type PatientId } from '$lib/domain/ids';
import { logMonthOf, newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { MeasureInput } from '$lib/domain/inputs';
import { addMeasure, newPlan } from '$lib/domain/plan-ops';
import type { Context, Plan } from '$lib/domain/plan';
import { clinicians, createPlanDocument, demoDocuments, demoPatients, pal, solveig } from '$lib/fixtures';
import { chunksOf, DbepDb } from './db';
import { DocStore } from './doc-store';
import { PlanRepository, type WriteResult } from './plan-repository';

/** The Rana home-care nurse acting at `at`. */
function nurseAt(at: string): Context {
	const { id, name, role, organisation } = clinicians.ranaNurse;
	return { by: { id, name, role, organisation }, at };
}

const NOW = '2026-10-05T06:10:00.000Z';
const IMPORTED = '2026-10-01T00:00:00.000Z';
const nurse = nurseAt(NOW);
const eveningWalk: MeasureInput = {
	title: 'Kveldstur med nabo',
	description: 'En kort tur rundt huset før kveldsmat.',
	category: { kind: 'text', text: 'Fysisk aktivitet' },
	timing: { kind: 'daily', times: ['18:00'] },
	performer: { kind: 'relative' },
	addresses: [],
	pllReference: null
};

/** A repository over a fresh database holding the demo plans, imported as already synced. */
async function seeded(): Promise<{ name: string; db: DbepDb; repo: PlanRepository }> {
	const name = `dbep-test-${crypto.randomUUID()}`;
	const db = new DbepDb(name);
	const repo = new PlanRepository(db);
	await repo.importPlans(demoDocuments(), IMPORTED);
	return { name, db, repo };
}

function opened(result: WriteResult) {
	if (!result.ok) throw new Error(`expected the patient to open: ${result.reason}`);
	return result.value;
}

function corrupt(bytes: Uint8Array): Uint8Array {
	return bytes.map((b, i) => (i > 16 && i % 5 === 0 ? b ^ 0xff : b));
}

describe('PlanRepository', () => {
	it('lists the patients from summaries alone, sorted by name, with the unsynced flag', async () => {
		const { db, repo } = await seeded();
		await repo.changePlan(pal.patientId, nurse, (p) => addMeasure(p, crypto.randomUUID() as ItemId, eveningWalk, nurse));
		for (const row of await db.chunks.toArray()) await db.chunks.update(row.key, { bytes: corrupt(row.bytes) });
		const fresh = new PlanRepository(db);
		const load = vi.spyOn(fresh.store, 'load');

		const list = await fresh.listPatients();
		expect(load).not.toHaveBeenCalled();
		const names = demoPatients.map((p) => p.patient.name).sort(new Intl.Collator('nb').compare);
		expect(list.map((p) => p.name)).toEqual(names);
		expect(list.filter((p) => p.unsynced).map((p) => p.patientId)).toEqual([pal.patientId]);
	});

	it('sorts names in Norwegian order (Æ, Ø, Å last)', async () => {
		const db = new DbepDb(`dbep-test-${crypto.randomUUID()}`);
		const repo = new PlanRepository(db);
		const names = ['Åse Berg', 'Øystein Lie', 'Ærle Moen', 'Arne Dahl'];
		const docs = names.map((name) => {
			const patientId = crypto.randomUUID() as PatientId;
			const patient = { name, birthDate: '1940-01-01', nationalId: '', municipality: 'Rana' };
			return { docId: planDocId(patientId), patientId, doc: genesis(planDocId(patientId), newPlan(patientId, patient, { form: 'written', givenBy: 'patient' }, nurse)) };
		});
		await repo.importPlans(docs, IMPORTED);
		expect((await repo.listPatients()).map((p) => p.name)).toEqual(['Arne Dahl', 'Ærle Moen', 'Øystein Lie', 'Åse Berg']);
	});

	it('applies a plan change, stores it, updates the summary and marks the patient unsynced', async () => {
		const { name, db, repo } = await seeded();
		const id = crypto.randomUUID() as ItemId;
		const { plan } = opened(await repo.changePlan(pal.patientId, nurse, (p) => addMeasure(p, id, eveningWalk, nurse)));
		expect(plan.measures[id]?.title).toBe(eveningWalk.title);

		const summary = await db.summaries.get(pal.patientId);
		expect(summary?.measures.find((m) => m.id === id)).toEqual({ id, title: eveningWalk.title, timing: eveningWalk.timing, performer: eveningWalk.performer });
		expect(await db.unsynced.get(planDocId(pal.patientId))).toMatchObject({ docId: planDocId(pal.patientId), patientId: pal.patientId, since: NOW, changes: 1 });

		const reopened = opened(await new PlanRepository(new DbepDb(name)).openPatient(pal.patientId, NOW));
		expect(reopened.plan).toEqual(A.toJS(plan));
		const stored = await new DocStore(new DbepDb(name)).load<Plan>(planDocId(pal.patientId));
		expect(stored.ok && A.getHeads(stored.doc)).toEqual(A.getHeads(plan));
	});

	it('creates the month log by genesis, records an entry and reflects it in the summary', async () => {
		const { name, db, repo } = await seeded();
		const month = logMonthOf(NOW);
		const entryId = crypto.randomUUID() as ItemId;
		const record = { outcome: 'done' as const, measureId: pal.measures.eyeDrops, at: NOW, slot: '08:00', note: 'Begge øyne dryppet' };
		const { logs } = opened(await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, entryId, record, nurse)));

		expect(logs).toHaveLength(1);
		const log = logs[0];
		if (!log) throw new Error('no log');
		expect(log.month).toBe(month);
		expect(log.entries[entryId]).toMatchObject({ measureId: pal.measures.eyeDrops, outcome: 'done', at: NOW });
		const independent = genesis(logDocId(pal.patientId, month), newMeasureLog(pal.patientId, month));
		const first = A.getAllChanges(log)[0];
		expect(first && A.decodeChange(first).hash).toBe(A.getHeads(independent)[0]);

		const summary = await db.summaries.get(pal.patientId);
		expect(summary?.records?.[`${pal.measures.eyeDrops}|08:00`]?.at).toBe(NOW);
		expect((await repo.listPatients()).find((p) => p.patientId === pal.patientId)?.unsynced).toBe(true);

		const reopened = opened(await new PlanRepository(new DbepDb(name)).openPatient(pal.patientId, NOW));
		expect(reopened.logs).toEqual([A.toJS(log)]);
	});

	it('keeps recording into an existing month log after a reload', async () => {
		const { name, repo } = await seeded();
		const first = crypto.randomUUID() as ItemId;
		const later = '2026-10-06T06:20:00.000Z';
		const rec = (at: string) => ({ outcome: 'done' as const, measureId: pal.measures.eyeDrops, at, slot: '08:00', note: '' });
		await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, first, rec(NOW), nurse));

		const db = new DbepDb(name);
		const second = crypto.randomUUID() as ItemId;
		const ctx = nurseAt(later);
		const { logs } = opened(await new PlanRepository(db).changeLog(pal.patientId, later, ctx, (log) => recordMeasure(log, second, rec(later), ctx)));
		expect(Object.keys(logs[0]?.entries ?? {}).sort()).toEqual([first, second].sort());
		expect((await db.summaries.get(pal.patientId))?.records?.[`${pal.measures.eyeDrops}|08:00`]?.at).toBe(later);
		expect(await db.docs.where('patientId').equals(pal.patientId).count()).toBe(2);
	});

	it('renews summaries stored before outcomes were kept, so a not-done record is not read as done', async () => {
		const { db, repo } = await seeded();
		const record = { outcome: 'not-done' as const, measureId: pal.measures.eyeDrops, at: NOW, slot: '08:00', note: '', reason: 'Sov' };
		await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, crypto.randomUUID() as ItemId, record, nurse));
		const stored = await db.summaries.toArray();
		// As an older version stored them: a time per slot, nothing about the outcome.
		await db.summaries.bulkPut(stored.map(({ records: _records, ...old }) => ({ ...old, lastRecorded: {} })));
		const told = vi.fn();
		repo.subscribe(told);

		expect(await repo.renewStaleSummaries(NOW)).toBe(stored.length);
		expect((await db.summaries.get(pal.patientId))?.records?.[`${pal.measures.eyeDrops}|08:00`]).toMatchObject({ outcome: 'not-done', reason: 'Sov' });
		expect(told).toHaveBeenCalled();
		expect(await repo.renewStaleSummaries(NOW)).toBe(0);
	});

	it('reports a patient with a corrupt plan while others still open and the list still works', async () => {
		const { db } = await seeded();
		for (const row of await chunksOf(db, planDocId(pal.patientId)).toArray()) {
			await db.chunks.update(row.key, { bytes: corrupt(row.bytes) });
		}
		const repo = new PlanRepository(db);
		// The current view still shows the plan to read; parsing it for editing reports the damage.
		expect(opened(await repo.openPatient(pal.patientId, NOW)).plan.patient.name).toBe(pal.patient.name);
		expect(await repo.warm(pal.patientId)).toBe('document-corrupt');
		expect(await repo.changePlan(pal.patientId, nurse, () => {})).toEqual({ ok: false, reason: 'document-corrupt' });
		await db.views.clear();
		expect(await new PlanRepository(db).openPatient(pal.patientId, NOW)).toEqual({ ok: false, reason: 'document-corrupt' });
		const other = opened(await repo.openPatient(solveig.patientId, NOW));
		expect(A.toJS(other.plan)).toEqual(A.toJS(createPlanDocument(solveig).doc));
		expect(await repo.listPatients()).toHaveLength(demoPatients.length);
	});

	it('calls subscribers with the patient ids after a change, until they unsubscribe', async () => {
		const { repo } = await seeded();
		const heard: PatientId[] = [];
		const unsubscribe = repo.subscribe((ids) => heard.push(...ids));
		await repo.changePlan(pal.patientId, nurse, (p) => addMeasure(p, crypto.randomUUID() as ItemId, eveningWalk, nurse));
		expect(heard).toEqual([pal.patientId]);
		unsubscribe();
		await repo.changePlan(solveig.patientId, nurse, (p) => addMeasure(p, crypto.randomUUID() as ItemId, eveningWalk, nurse));
		expect(heard).toEqual([pal.patientId]);
	});

	it('tells another tab of a change, which then shows it instead of its held copy', async () => {
		const { name, repo } = await seeded();
		const otherTab = new PlanRepository(new DbepDb(name));
		opened(await otherTab.openPatient(pal.patientId, NOW));
		const heard = new Promise<PatientId | undefined>((resolve) => otherTab.subscribe((ids) => resolve(ids[0])));
		const id = crypto.randomUUID() as ItemId;
		await repo.changePlan(pal.patientId, nurse, (p) => addMeasure(p, id, eveningWalk, nurse));
		expect(await heard).toBe(pal.patientId);
		expect(opened(await otherTab.openPatient(pal.patientId, NOW)).plan.measures[id]?.title).toBe(eveningWalk.title);
	});

	it('creates a new patient’s plan with consent, unsynced and in the list, and never replaces a plan it holds', async () => {
		const { db, repo } = await seeded();
		const patientId = crypto.randomUUID() as PatientId;
		const patient = { name: 'Liv Aasen', birthDate: '1948-09-12', nationalId: '12894800000', municipality: 'Rana' };
		const plan = newPlan(patientId, patient, { form: 'oral', givenBy: 'patient' }, nurse);
		const made = opened(await repo.createPlan(patientId, plan, nurse));
		expect(made.plan.privacy?.consent).toMatchObject({ form: 'oral', recordedBy: nurse.by });
		expect((await repo.listPatients()).find((p) => p.patientId === patientId)).toMatchObject({ name: 'Liv Aasen', unsynced: true });
		expect(await repo.unsyncedDocs()).toContain(planDocId(patientId));
		// Creating again (a second tap, another tab) opens what is there.
		const again = opened(await repo.createPlan(pal.patientId, newPlan(pal.patientId, patient, { form: 'oral', givenBy: 'patient' }, nurse), nurse));
		expect(again.plan.patient.name).toBe(pal.patient.name);
		db.close();
	});

	it('imports several plans in one commit, marked as synced', async () => {
		const db = new DbepDb(`dbep-test-${crypto.randomUUID()}`);
		const repo = new PlanRepository(db);
		const commit = vi.spyOn(repo.store, 'commit');
		const docs = demoDocuments();
		await repo.importPlans(docs, IMPORTED);

		expect(commit).toHaveBeenCalledTimes(1);
		expect(await db.docs.count()).toBe(docs.length);
		expect(await db.unsynced.count()).toBe(0);
		const list = await repo.listPatients();
		expect(list.every((p) => !p.unsynced)).toBe(true);
		expect(list.map((p) => p.patientId).sort()).toEqual(docs.map((d) => d.patientId).sort());
		for (const d of docs) {
			const { plan } = opened(await new PlanRepository(db).openPatient(d.patientId, NOW));
			expect(plan).toEqual(A.toJS(d.doc));
			expect((await db.views.get(d.docId))?.heads).toEqual(A.getHeads(d.doc));
		}
	});
});
