import { dueOn, isClinicianMeasure, type DueItem } from '$lib/domain/worklist';
import type { PatientListItem } from '$lib/storage/plan-repository';

export type WorklistRow = { patient: PatientListItem; due: DueItem[] };

/** Today's worklist: each patient's clinician measures due now, patients in visit order. */
export function worklist(items: readonly PatientListItem[], now: string): WorklistRow[] {
	const rows = items.map((patient) => ({
		patient,
		due: dueOn({ ...patient, measures: patient.measures.filter(isClinicianMeasure) }, now)
	}));
	const first = (r: WorklistRow) => r.due.find((d) => !d.recorded)?.slot ?? (r.due.length ? '98:00' : '99:00');
	return rows.sort((a, b) => first(a).localeCompare(first(b)) || a.patient.name.localeCompare(b.patient.name, 'nb'));
}
