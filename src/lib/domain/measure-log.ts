import type { ItemId, Month, PatientId } from './ids';
import type { Context, LogEntry, MeasureLog } from './plan';
import { osloMonth } from './time';

/** A new, empty measure log for one patient and month. */
export function newMeasureLog(patientId: PatientId, month: Month): MeasureLog {
	return { schema: 1, patientId, month, entries: {} };
}

/** The month whose log a record made at `at` belongs in. */
export function logMonthOf(at: string): Month {
	return osloMonth(at) as Month;
}

export type VisitRecord =
	| { outcome: 'done'; measureId: ItemId; at: string; slot: string | null; note: string }
	| { outcome: 'not-done'; measureId: ItemId; at: string; slot: string | null; note: string; reason: string };

/** Records that a measure was carried out, or not done with a reason, in the month's log. */
export function recordMeasure(log: MeasureLog, id: ItemId, record: VisitRecord, ctx: Context): void {
	if (osloMonth(record.at) !== log.month) throw new Error(`record at ${record.at} is not in ${log.month}`);
	const entry: LogEntry = {
		id,
		measureId: record.measureId,
		at: record.at,
		slot: record.slot,
		outcome: record.outcome,
		note: record.note,
		reason: record.outcome === 'not-done' ? record.reason : null,
		by: { ...ctx.by },
		recordedAt: ctx.at
	};
	log.entries[id] = entry;
}

/** The entries for one measure, newest first, from any number of monthly logs. */
export function entriesForMeasure(logs: readonly MeasureLog[], measureId: ItemId, limit = 10): LogEntry[] {
	return logs
		.flatMap((l) => Object.values(l.entries))
		.filter((e) => e.measureId === measureId)
		.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1))
		.slice(0, limit);
}
