import * as A from '@automerge/automerge/slim';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DocumentId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { createPlanDocument, pal, solveig } from '$lib/fixtures';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';

// The list reads the page's one device: here a real repository on its own IndexedDB.
const current: { repo?: PlanRepository } = {};
vi.mock('$lib/device', () => ({ device: async () => ({ db: current.repo!.db, repo: current.repo! }) }));
const { PatientList } = await import('./patient-list.svelte');

const AT = '2026-10-05T08:00:00.000Z';
const snapshotOf = (d: { docId: DocumentId; doc: A.Doc<Plan> }) => ({ docId: d.docId, patientId: d.doc.patientId, heads: A.getHeads(d.doc), bytes: A.save(d.doc) });

/** A repository whose first full list read waits until `release()`: as it waits behind a sync's writes. */
function slowFirstRead(repo: PlanRepository): { release: () => void } {
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const read = repo.listPatients.bind(repo);
	vi.spyOn(repo, 'listPatients').mockImplementationOnce(async () => {
		const items = await read();
		await gate;
		return items;
	});
	return { release };
}

afterEach(() => current.repo?.close());

describe('PatientList', () => {
	it('shows the patients a sync stores while its first read waits, and says the list is not yet whole', async () => {
		const repo = (current.repo = new PlanRepository(new DbepDb(`dbep-test-${crypto.randomUUID()}`)));
		// The device already holds Solveig; Pål arrives by sync before the list's own read returns.
		await repo.importPlans([createPlanDocument(solveig)], AT);
		const { release } = slowFirstRead(repo);
		const list = new PatientList();
		const following = list.follow();

		const palDoc = createPlanDocument(pal);
		await repo.importSnapshots([snapshotOf(palDoc)], [summarize(palDoc.doc, [])], AT);
		flushSync();
		expect(list.items?.map((i) => i.patientId)).toEqual([pal.patientId]);
		expect(list.complete).toBe(false);

		release();
		const stop = await following;
		expect(list.items?.map((i) => i.patientId).sort()).toEqual([pal.patientId, solveig.patientId].sort());
		expect(list.complete).toBe(true);
		stop();
	});

	it('is whole at once when nothing arrives during its first read', async () => {
		const repo = (current.repo = new PlanRepository(new DbepDb(`dbep-test-${crypto.randomUUID()}`)));
		await repo.importPlans([createPlanDocument(solveig)], AT);
		const list = new PatientList();
		expect(list.items).toBeNull();
		const stop = await list.follow();
		expect(list.items?.map((i) => i.patientId)).toEqual([solveig.patientId]);
		expect(list.complete).toBe(true);
		stop();
	});
});
