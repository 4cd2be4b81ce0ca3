import * as A from '@automerge/automerge/slim';
import { describe, expect, it, vi } from 'vitest';
import type { ItemId } from '$lib/domain/ids';
import { addPlanComment } from '$lib/domain/plan-ops';
import { summarize } from '$lib/domain/worklist';
import type { Context } from '$lib/domain/plan';
import { clinicians, createPlanDocument, demoDocuments, demoPatients, pal } from '$lib/fixtures';
import { DbepDb } from './db';
import { PlanRepository } from './plan-repository';
import { seedIfEmpty } from './seed';

/** The Rana home-care nurse acting at `at`. */
function nurseAt(at: string): Context {
	const { name, role, organisation } = clinicians.ranaNurse;
	return { by: { name, role, organisation }, at };
}

const AT = '2026-10-01T07:00:00.000Z';
const LATER = '2026-10-02T07:00:00.000Z';

function device(name = `dbep-test-${crypto.randomUUID()}`): { name: string; db: DbepDb; repo: PlanRepository } {
	const db = new DbepDb(name);
	return { name, db, repo: new PlanRepository(db) };
}

describe('seedIfEmpty', () => {
	it('seeds an empty device once, with a summary per document', async () => {
		const { db, repo } = device();
		const documents = vi.fn(demoDocuments);

		expect(await seedIfEmpty(repo, documents, AT)).toBe(true);
		expect(await seedIfEmpty(repo, documents, LATER)).toBe(false);
		expect(documents).toHaveBeenCalledTimes(1);

		const seeded = demoDocuments();
		expect(await db.docs.count()).toBe(seeded.length);
		for (const d of seeded) expect(await db.summaries.get(d.patientId)).toEqual(summarize(d.doc, []));
		expect((await repo.listPatients()).map((p) => p.name).sort()).toEqual(demoPatients.map((p) => p.patient.name).sort());
		expect(await db.unsynced.count()).toBe(0);
		expect(await db.meta.get('seeded')).toEqual({ key: 'seeded', value: AT });
	});

	it('stores the demo plans so they open exactly as created', async () => {
		const { name, repo } = device();
		await seedIfEmpty(repo, demoDocuments, AT);
		const reloaded = new PlanRepository(new DbepDb(name));
		for (const d of demoDocuments()) {
			const opened = await reloaded.openPatient(d.patientId, AT);
			if (!opened.ok) throw new Error(`${d.patientId}: ${opened.reason}`);
			expect(opened.value.plan).toEqual(A.toJS(d.doc));
			expect((await reloaded.db.views.get(d.docId))?.heads).toEqual(A.getHeads(d.doc));
		}
	});

	it('does nothing on a device that already holds documents', async () => {
		const { db, repo } = device();
		const own = createPlanDocument(pal);
		await repo.importPlans([own], AT);
		const documents = vi.fn(demoDocuments);

		expect(await seedIfEmpty(repo, documents, LATER)).toBe(false);
		expect(documents).not.toHaveBeenCalled();
		expect(await db.docs.count()).toBe(1);
		expect(await db.summaries.count()).toBe(1);
		expect(await db.meta.get('seeded')).toBeUndefined();
	});

	it('never overwrites changes made after seeding, even after a reload', async () => {
		const { name, repo } = device();
		await seedIfEmpty(repo, demoDocuments, AT);
		const ctx = nurseAt(LATER);
		const id = crypto.randomUUID() as ItemId;
		await repo.changePlan(pal.patientId, ctx, (p) => addPlanComment(p, id, 'Pål sov godt i natt', ctx));

		const reloaded = device(name);
		expect(await seedIfEmpty(reloaded.repo, demoDocuments, LATER)).toBe(false);
		const opened = await reloaded.repo.openPatient(pal.patientId, LATER);
		if (!opened.ok) throw new Error(opened.reason);
		expect(opened.value.plan.comments[id]?.text).toBe('Pål sov godt i natt');
		expect((await reloaded.repo.listPatients()).find((p) => p.patientId === pal.patientId)?.unsynced).toBe(true);
	});

	it('writes the same chunks when two tabs seed at once', async () => {
		const first = device();
		const second = device(first.name);
		await Promise.all([seedIfEmpty(first.repo, demoDocuments, AT), seedIfEmpty(second.repo, demoDocuments, AT)]);

		const count = demoDocuments().length;
		expect(await first.db.docs.count()).toBe(count);
		expect(await first.db.chunks.count()).toBe(count);
		expect(await first.db.summaries.count()).toBe(count);
	});
});
