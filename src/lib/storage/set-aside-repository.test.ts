import * as A from '@automerge/automerge/slim';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { planDocId, type ItemId } from '$lib/domain/ids';
import { addMeasureComment, addPlanComment, setMeasureStatus } from '$lib/domain/plan-ops';
import type { Context, Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { clinicians, createPlanDocument, pal } from '$lib/fixtures';
import type { Snapshot } from '$lib/sync/protocol';
import { DbepDb } from './db';
import { PlanRepository } from './plan-repository';

const AT = '2026-10-05T08:00:00.000Z';
const nurse: Context = { by: { id: clinicians.ranaNurse.id, name: clinicians.ranaNurse.name, role: clinicians.ranaNurse.role, organisation: clinicians.ranaNurse.organisation }, at: AT };
const gp: Context = { by: { id: clinicians.bodoGp.id, name: clinicians.bodoGp.name, role: clinicians.bodoGp.role, organisation: clinicians.bodoGp.organisation }, at: AT };
const palPlan = planDocId(pal.patientId);
const refused = { reason: 'change-refused' as const, detail: 'owned-by-care-team: measures/x/title', at: AT };

function fresh(name = `dbep-test-${crypto.randomUUID()}`) {
	return { name, repo: new PlanRepository(new DbepDb(name)) };
}

/** A device holding Pål's plan as the register sent it. */
async function deviceWithPal(name?: string) {
	const d = fresh(name);
	const { doc } = createPlanDocument(pal);
	const snapshot: Snapshot = { docId: palPlan, patientId: pal.patientId, heads: A.getHeads(doc), bytes: A.save(doc) };
	await d.repo.importSnapshots([snapshot], [summarize(doc, [])]);
	return { ...d, server: doc };
}

describe('SetAsideRepository', () => {
	it('moves the unsent version out of the document store, with what it holds beyond the register’s', async () => {
		const { repo, server } = await deviceWithPal();
		await repo.changePlan(pal.patientId, nurse, (p) => {
			setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', nurse);
			addMeasureComment(p, pal.measures.eyeDrops, crypto.randomUUID() as ItemId, 'Satt på pause etter avtale med fastlegen', nurse);
		});
		const id = await repo.setAside(palPlan, refused, { accessEnded: false });

		expect(id).not.toBeNull();
		const [row] = await repo.setAsideList();
		expect(row).toMatchObject({ docId: palPlan, patientId: pal.patientId, patientName: pal.patient.name, kind: 'plan', reason: 'change-refused', at: AT });
		expect(row?.changes.map((c) => [c.area, c.action, c.label])).toEqual([
			['measures', 'changed', 'Øyedråper daglig'],
			['measureComments', 'added', 'Satt på pause etter avtale med fastlegen']
		]);
		expect(A.load<Plan>(row!.bytes!).measures[pal.measures.eyeDrops]?.status.value).toBe('on-hold');
		// The document is gone until the register's copy arrives; nothing is left to send.
		expect(await repo.unsyncedDocs()).toEqual([]);
		expect(await repo.manifest()).toEqual([]);
		expect(await repo.openPatient(pal.patientId, AT)).toEqual({ ok: false, reason: 'document-missing' });
		// Pål stays in the list meanwhile, and his plan can be stored again as the register has it.
		expect((await repo.listPatients()).map((p) => p.patientId)).toEqual([pal.patientId]);
		const stored = await repo.importSnapshots([{ docId: palPlan, patientId: pal.patientId, heads: A.getHeads(server), bytes: A.save(server) }], [summarize(server, [])]);
		expect(stored.stored).toEqual([palPlan]);
		const opened = await repo.openPatient(pal.patientId, AT);
		expect(opened.ok && opened.value.plan.measures[pal.measures.eyeDrops]?.status.value).toBe('active');
	});

	it('leaves out what arrived from the register after the device diverged', async () => {
		const { repo, server } = await deviceWithPal();
		await repo.changePlan(pal.patientId, nurse, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Skrevet på nettbrettet', nurse));
		// The register sends the GP's comment; the device's own change is never taken.
		const fromGp = A.change(A.clone(server), (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Fra fastlegen', gp));
		let state = A.initSyncState();
		for (let round = 0; round < 10; round++) {
			const [next, message] = A.generateSyncMessage(fromGp, state);
			state = next;
			if (message) expect(await repo.applySyncMessage(palPlan, message)).toMatchObject({ ok: true });
			const [reply] = await repo.generateSyncMessages([palPlan]);
			if (!message && !reply) break;
			// The register reads the device's reply but keeps none of its changes.
			if (reply) state = A.receiveSyncMessage(A.clone(fromGp), state, reply.message)[1];
		}
		await repo.setAside(palPlan, refused, { accessEnded: false });
		const [row] = await repo.setAsideList();
		expect(row?.changes.map((c) => c.label)).toEqual(['Skrevet på nettbrettet']);
		const kept = A.load<Plan>(row!.bytes!);
		expect(Object.values(kept.comments).map((c) => c.text)).toEqual(expect.arrayContaining(['Skrevet på nettbrettet', 'Fra fastlegen']));
	});

	it('keeps nothing when the device held no unsent change to the document', async () => {
		const { repo } = await deviceWithPal();
		expect(await repo.setAside(palPlan, refused, { accessEnded: false })).toBeNull();
		expect(await repo.setAsideList()).toEqual([]);
		expect((await repo.manifest()).length).toBe(1);
	});

	it('when access has ended, removes the patient and keeps only what was refused, as text', async () => {
		const { repo } = await deviceWithPal();
		await repo.changePlan(pal.patientId, nurse, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Ringte datteren', nurse));
		await repo.setAside(palPlan, { reason: 'document-forbidden', detail: 'no write access' }, { accessEnded: true });
		expect(await repo.listPatients()).toEqual([]);
		expect(await repo.setAsideList()).toMatchObject([{ patientName: pal.patient.name, reason: 'document-forbidden', bytes: null, changes: [{ label: 'Ringte datteren' }] }]);
	});

	it('keeps set-aside versions across a restart until the user discards them', async () => {
		const { name, repo } = await deviceWithPal();
		await repo.changePlan(pal.patientId, nurse, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Ikke sendt', nurse));
		await repo.setAside(palPlan, refused, { accessEnded: false });
		repo.close();

		const reopened = new PlanRepository(new DbepDb(name));
		const [row] = await reopened.setAsideList();
		expect(row?.changes.map((c) => c.label)).toEqual(['Ikke sendt']);
		await reopened.discardSetAside(row!.id!);
		expect(await reopened.setAsideList()).toEqual([]);
		reopened.close();
	});

	it('opens a database written by the version before set-aside existed, with its data intact', async () => {
		// Pål's plan with an unsent change, made on a scratch device and copied row by row into a
		// database of an old schema (version 5: no set-aside table, no `base` on the mark, chunks and
		// summaries still indexed by document and name).
		const { repo: scratch } = await deviceWithPal();
		await scratch.changePlan(pal.patientId, nurse, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Fra før', nurse));
		const tables = ['chunks', 'docs', 'summaries', 'unsynced', 'views'] as const;
		const rows = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await scratch.db.table(t).toArray()] as const)));
		scratch.close();
		const name = `dbep-test-${crypto.randomUUID()}`;
		const old = new Dexie(name);
		old.version(1).stores({ chunks: 'key, docId', docs: 'docId, patientId', summaries: 'patientId, name', unsynced: 'docId, patientId', meta: 'key' });
		old.version(2).stores({ views: 'docId' });
		old.version(3).stores({ syncStates: 'docId' });
		old.version(4).stores({ opened: '++id' });
		old.version(5).stores({ pins: 'userId' });
		for (const t of tables) await old.table(t).bulkPut(t === 'unsynced' ? rows[t]!.map(({ base: _, ...r }) => r) : rows[t]!);
		old.close();

		const { repo } = fresh(name);
		expect(repo.db.verno).toBe(7);
		expect((await repo.listPatients()).map((p) => [p.patientId, p.unsynced])).toEqual([[pal.patientId, true]]);
		expect(await repo.setAsideList()).toEqual([]);
		await repo.setAside(palPlan, refused, { accessEnded: false });
		// Without the mark's base the whole document counts as refused: nothing is hidden.
		expect((await repo.setAsideList())[0]?.changes.map((c) => c.label)).toContain('Fra før');
		repo.close();
	});
});
