import type { DocumentRef } from '$lib/domain/ids';
import type { MeasureLog, Plan } from '$lib/domain/plan';
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

/** Adds the logs' records to `lastRecorded` (latest `at` per `measureId|slot`, as `summarize` keys them). */
export function mergeRecorded(lastRecorded: Readonly<Record<string, string>>, logs: readonly MeasureLog[]): Record<string, string> {
	const merged = { ...lastRecorded };
	for (const entry of logs.flatMap((log) => Object.values(log.entries))) {
		if (!isObj(entry) || typeof entry.measureId !== 'string' || typeof entry.at !== 'string') continue;
		const key = `${entry.measureId}|${entry.slot ?? ''}`;
		const prev = merged[key];
		if (prev === undefined || prev < entry.at) merged[key] = entry.at;
	}
	return merged;
}

/**
 * The patient's list summary after one document changed, computed from what is at hand: a plan
 * change re-summarizes the plan and keeps the recorded visits; a log change merges its records
 * into the stored summary. `logs` is asked only for a plan without a stored summary (a new
 * patient). Undefined when no summary can be made yet (a log before its plan, a plan that is
 * not one).
 */
export async function nextSummary(
	ref: DocumentRef,
	value: unknown,
	previous: PatientSummary | undefined,
	logs: () => Promise<MeasureLog[]>
): Promise<PatientSummary | undefined> {
	try {
		if (ref.kind === 'log') {
			return previous && isLogOf(value, ref) ? { ...previous, lastRecorded: mergeRecorded(previous.lastRecorded, [value]) } : undefined;
		}
		if (!isPlanOf(value, ref)) return undefined;
		const summary = summarize(value, []);
		return { ...summary, lastRecorded: previous ? previous.lastRecorded : mergeRecorded({}, await logs()) };
	} catch {
		// A plan a device made malformed (say, a measure without a status) gets no summary, not a crash.
		return undefined;
	}
}
