import * as A from '@automerge/automerge/slim';
import { describe, expect, it } from 'vitest';
import { documentOf, type Command } from '$lib/domain/commands';
import { planDocId, type DocumentId, type ItemId } from '$lib/domain/ids';
import type { Context } from '$lib/domain/plan';
import { clinicians, demoDocuments, pal } from '$lib/fixtures';
import { DbepDb } from './db';
import { actorOf } from '$lib/domain/person';
import { PlanRepository, type WriteResult } from './plan-repository';

const NOW = '2026-10-05T06:10:00.000Z';
const nurse: Context = { by: actorOf(clinicians.ranaNurse), at: NOW };

async function seeded(): Promise<PlanRepository> {
	const repo = new PlanRepository(new DbepDb(`dbep-test-${crypto.randomUUID()}`));
	await repo.importPlans(demoDocuments(), '2026-10-01T00:00:00.000Z');
	return repo;
}

function opened(result: WriteResult) {
	if (!result.ok) throw new Error(`expected the patient to open: ${result.reason}`);
	return result.value;
}

/** The messages of a stored document's changes, oldest first: what its history will show. */
async function messages(repo: PlanRepository, docId: DocumentId): Promise<(string | null)[]> {
	const loaded = await repo.store.load(docId);
	if (!loaded.ok) throw new Error(`expected ${docId} stored: ${loaded.reason}`);
	return A.getAllChanges(loaded.doc).map((c) => A.decodeChange(c).message);
}

describe('PlanRepository.run: the tablet makes its changes as commands', () => {
	it('applies a plan command and a log command, each stored as one change named after it', async () => {
		const repo = await seeded();
		const commentId = crypto.randomUUID() as ItemId;
		const comment: Command = { type: 'add-measure-comment', measureId: pal.measures.eyeDrops, id: commentId, text: 'Synet virker dårligere.' };
		const { plan } = opened(await repo.run(pal.patientId, comment, nurse));
		expect(plan.measures[pal.measures.eyeDrops]?.comments[commentId]).toMatchObject({ text: comment.text, by: nurse.by, at: NOW });
		expect((await messages(repo, planDocId(pal.patientId))).at(-1)).toBe('add-measure-comment');

		const visit: Command = { type: 'record-visit', id: crypto.randomUUID() as ItemId, record: { outcome: 'done', measureId: pal.measures.eyeDrops, at: NOW, slot: '08:00', note: '' } };
		const { logs } = opened(await repo.run(pal.patientId, visit, nurse));
		expect(logs.flatMap((l) => Object.values(l.entries)).map((e) => e.id)).toEqual([visit.id]);
		// The month's genesis, then the record.
		expect((await messages(repo, documentOf(pal.patientId, visit))).at(-1)).toBe('record-visit');
	});

	it('applied twice, a command still makes one comment: the ids it creates travel in it', async () => {
		const repo = await seeded();
		const comment: Command = { type: 'add-plan-comment', id: crypto.randomUUID() as ItemId, text: 'Ringte datteren.' };
		await repo.run(pal.patientId, comment, nurse);
		const { plan } = opened(await repo.run(pal.patientId, comment, nurse));
		expect(Object.values(plan.comments).filter((c) => c.text === 'Ringte datteren.')).toHaveLength(1);
	});
});
