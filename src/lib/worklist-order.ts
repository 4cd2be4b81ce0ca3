import type { PatientId } from '$lib/domain/ids';
import { searchFor, searchKeyOf, type SearchKey } from '$lib/domain/patient-search';
import { dueOn, isClinicianMeasure, type DueItem } from '$lib/domain/worklist';
import type { PatientListItem } from '$lib/storage/plan-repository';

export type WorklistRow = { patient: PatientListItem; due: DueItem[]; key: SearchKey };

/** Today's worklist: each patient's clinician measures due now, patients in visit order. */
export function worklist(items: readonly PatientListItem[], now: string): WorklistRow[] {
	const rows = items.map((patient) => ({
		patient,
		due: dueOn({ ...patient, measures: patient.measures.filter(isClinicianMeasure) }, now),
		key: searchKeyOf(patient)
	}));
	const first = (r: WorklistRow) => r.due.find((d) => !d.recorded)?.slot ?? (r.due.length ? '98:00' : '99:00');
	return rows.sort((a, b) => first(a).localeCompare(first(b)) || a.patient.name.localeCompare(b.patient.name, 'nb'));
}

/** The patients of the worklist shown for a search and, when `visitsToday`, only those with a visit today. */
export function shownPatients(rows: readonly WorklistRow[], query: string, visitsToday: boolean): Set<PatientId> {
	const matches = searchFor(query);
	return new Set(rows.filter((r) => (!visitsToday || r.due.length > 0) && matches(r.key)).map((r) => r.patient.patientId));
}
