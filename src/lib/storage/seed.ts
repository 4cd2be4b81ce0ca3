import type { Doc } from '@automerge/automerge/slim';
import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import type { PlanRepository } from './plan-repository';

/**
 * Loads the demo plans into an empty device once. The documents are created deterministically,
 * so two tabs seeding at once write the same chunks under the same keys.
 */
export async function seedIfEmpty(
	repo: PlanRepository,
	documents: () => { docId: DocumentId; patientId: PatientId; doc: Doc<Plan> }[],
	at: string
): Promise<boolean> {
	const { db } = repo;
	if ((await db.meta.get('seeded')) || (await db.docs.count()) > 0) return false;
	await repo.importPlans(documents(), at);
	await db.meta.put({ key: 'seeded', value: at });
	return true;
}
