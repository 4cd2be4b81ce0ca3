import type { PatientId } from '$lib/domain/ids';
import { searchFor, searchKeyOf, type SearchKey } from '$lib/domain/patient-search';
import { dueOn, isClinicianMeasure, type DueItem } from '$lib/domain/worklist';
import type { PatientListItem } from '$lib/storage/plan-repository';

/** One patient on today's worklist; `first` is the slot it is ordered by, `now` the time it was made for. */
export type WorklistRow = { patient: PatientListItem; due: DueItem[]; key: SearchKey; first: string; now: string };

const byName = new Intl.Collator('nb').compare;

function rowOf(patient: PatientListItem, now: string): WorklistRow {
	const due = dueOn({ ...patient, measures: patient.measures.filter(isClinicianMeasure) }, now);
	const first = due.find((d) => !d.recorded)?.slot ?? (due.length ? '98:00' : '99:00');
	return { patient, due, key: searchKeyOf(patient), first, now };
}

/** Visit order: the first undone slot, then the name in the Norwegian alphabet. */
function inVisitOrder(a: WorklistRow, b: WorklistRow): number {
	return a.first < b.first ? -1 : a.first > b.first ? 1 : byName(a.patient.name, b.patient.name);
}

/**
 * Today's worklist: each patient's clinician measures due now, patients in visit order. Given the
 * worklist made before (`previous`), the rows of patients whose list item is the very same object
 * and whose time is the same are kept as they were and only the others are made and merged in:
 * while plans arrive a batch at a time, the list's rows keep their identity and no unchanged card
 * is drawn again, and each batch costs its own rows plus one pass, not a sort of everyone.
 */
export function worklist(items: readonly PatientListItem[], now: string, previous: readonly WorklistRow[] = []): WorklistRow[] {
	const current = new Set(items);
	const kept = previous.filter((r) => r.now === now && current.has(r.patient));
	const keptItems = new Set(kept.map((r) => r.patient));
	const fresh = items.filter((p) => !keptItems.has(p)).map((p) => rowOf(p, now)).sort(inVisitOrder);
	if (!kept.length) return fresh;
	const merged: WorklistRow[] = [];
	let i = 0;
	let j = 0;
	while (i < kept.length && j < fresh.length) merged.push(inVisitOrder(kept[i]!, fresh[j]!) <= 0 ? kept[i++]! : fresh[j++]!);
	while (i < kept.length) merged.push(kept[i++]!);
	while (j < fresh.length) merged.push(fresh[j++]!);
	return merged;
}

/** The patients of the worklist shown for a search and, when `visitsToday`, only those with a visit today. */
export function shownPatients(rows: readonly WorklistRow[], query: string, visitsToday: boolean): Set<PatientId> {
	const matches = searchFor(query);
	return new Set(rows.filter((r) => (!visitsToday || r.due.length > 0) && matches(r.key)).map((r) => r.patient.patientId));
}
