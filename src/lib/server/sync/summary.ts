import type { DocumentRef } from '$lib/domain/ids';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { latestRecords } from '$lib/domain/slot-records';
import { summarize, type PatientSummary } from '$lib/domain/worklist';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when a document's value has the plan fields `summarize` reads, for the patient its id names. */
export function isPlanOf(value: unknown, ref: DocumentRef): value is Plan {
	return (
		isObj(value) &&
		value.patientId === ref.patientId &&
		isObj(value.patient) &&
		typeof value.patient.name === 'string' &&
		isObj(value.measures) &&
		isObj(value.careTeam) &&
		isObj(value.responsible)
	);
}

/** True when a document's value is a measure log with entries. */
export function isLogOf(value: unknown, ref: DocumentRef): value is MeasureLog {
	return isObj(value) && value.patientId === ref.patientId && isObj(value.entries);
}

/**
 * The patient's list summary after one document changed, computed from what is at hand: a plan
 * change re-summarizes the plan and keeps the recorded visits; a log change merges its records
 * into the stored summary (`latestRecords`, as the device's `summarize` does). `logs` is asked
 * only when the stored summary has no records to build on: a new patient, or a summary stored
 * before outcomes were kept. Undefined when no summary can be made yet (a log before its plan,
 * a plan that is not one).
 */
export async function nextSummary(
	ref: DocumentRef,
	value: unknown,
	previous: PatientSummary | undefined,
	logs: () => Promise<MeasureLog[]>
): Promise<PatientSummary | undefined> {
	try {
		if (ref.kind === 'log') {
			if (!previous || !isLogOf(value, ref)) return undefined;
			return { ...previous, records: latestRecords(previous.records ?? latestRecords({}, await logs()), [value]) };
		}
		if (!isPlanOf(value, ref)) return undefined;
		const summary = summarize(value, []);
		return { ...summary, records: previous?.records ?? latestRecords({}, await logs()) };
	} catch {
		// A plan a device made malformed (say, a measure without a status) gets no summary, not a crash.
		return undefined;
	}
}
