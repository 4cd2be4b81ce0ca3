import type { PatientId } from '$lib/domain/ids';
import type { DbepDb } from './db';

/** A patient with changes on this device that the server has not acknowledged. */
export type UnsentPatient = { patientId: PatientId; name: string | null; changes: number };

const byName = new Intl.Collator('nb').compare;

/**
 * The patients whose changes would be lost if the device were wiped now, with how many changes
 * each holds (stored since its documents were last fully acknowledged; a mark written before the
 * count was kept counts as one), named from the list summaries. Versions the register refused and
 * the device set aside count too (one each: their only copy is here).
 */
export async function unsentChanges(db: DbepDb): Promise<UnsentPatient[]> {
	const [marks, setAside] = await Promise.all([db.unsynced.toArray(), db.setAside.toArray()]);
	const counts = new Map<PatientId, number>();
	const add = (patientId: PatientId, n: number) => counts.set(patientId, (counts.get(patientId) ?? 0) + n);
	for (const m of marks) add(m.patientId, Math.max(1, m.changes ?? 1));
	for (const r of setAside) add(r.patientId, 1);
	const asideNames = new Map(setAside.map((r) => [r.patientId, r.patientName]));
	const summaries = await db.summaries.bulkGet([...counts.keys()]);
	const patients = [...counts].map(([patientId, changes], i) => ({ patientId, changes, name: summaries[i]?.name ?? asideNames.get(patientId) ?? null }));
	return patients.sort((a, b) => byName(a.name ?? '', b.name ?? ''));
}

/**
 * Deletes the device's whole database (documents, views, summaries, unsent changes, sync state,
 * PINs): health data is wiped when access on this device ends. Other tabs' connections are closed
 * by the deletion. The caller has asked the user first if `unsentChanges` named anyone.
 */
export async function wipeDevice(db: DbepDb): Promise<void> {
	// A sync write still in flight must not open (and so recreate) the database afterwards.
	await db.delete({ disableAutoOpen: true });
}
