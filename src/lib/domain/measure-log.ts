import type { ItemId, Month, PatientId } from './ids';
import { samePerson } from './person';
import type { Context, LogEntry, MeasureLog, PersonRef } from './plan';
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
	log.entries[id] = newEntry(id, record, ctx);
}

/** A log entry saying what `record` says, made by `ctx`: the one shape every record is written in. */
function newEntry(id: ItemId, record: VisitRecord, ctx: Context): LogEntry {
	return {
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
}

/** The entries for one measure, newest first, from any number of monthly logs. */
export function entriesForMeasure(logs: readonly MeasureLog[], measureId: ItemId, limit = 10): LogEntry[] {
	return logs
		.flatMap((l) => Object.values(l.entries))
		.filter((e) => e.measureId === measureId)
		.sort(newestFirst)
		.slice(0, limit);
}

/** What a correction sets: the record's outcome, time, note and reason as they should have been, and why. */
export type Correction = {
	outcome: 'done' | 'not-done';
	at: string;
	note: string;
	/** Why it was not done; required when the outcome is not done. */
	reason: string | null;
	correctionReason: string;
};

/** Whether an entry of `log` names `entryId` as the one it corrects. */
function isCorrected(log: MeasureLog, entryId: ItemId): boolean {
	return Object.values(log.entries).some((e) => e.corrects === entryId);
}

/**
 * Corrects a record by adding an entry that names it: the original is never changed. Only the
 * original's author may correct it, once (a correction is itself corrected in turn), with a
 * reason, and within the original's month, so both stay in one log. Breaking these is a
 * programmer error: the interface offers the action only where `mayCorrect` allows it.
 */
export function correctRecord(log: MeasureLog, id: ItemId, originalId: ItemId, correction: Correction, ctx: Context): void {
	const original = log.entries[originalId];
	if (!original) throw new Error(`record ${originalId} is not in ${log.month}`);
	if (!samePerson(original.by, ctx.by)) throw new Error('only the author of a record may correct it');
	if (isCorrected(log, originalId)) throw new Error(`record ${originalId} is already corrected`);
	if (!correction.correctionReason.trim()) throw new Error('a correction needs a reason');
	if (correction.outcome === 'not-done' && !correction.reason?.trim()) throw new Error('a record of not done needs a reason');
	if (osloMonth(correction.at) !== log.month) throw new Error(`correction at ${correction.at} is not in ${log.month}`);
	const record = { measureId: original.measureId, at: correction.at, slot: original.slot, note: correction.note };
	const corrected = correction.outcome === 'not-done' ? { ...record, outcome: 'not-done' as const, reason: correction.reason ?? '' } : { ...record, outcome: 'done' as const };
	log.entries[id] = { ...newEntry(id, corrected, ctx), corrects: originalId, correctionReason: correction.correctionReason.trim() };
}

/** Whether `by` may correct `entry` of `log`: they made it, and it has not been corrected already. */
export function mayCorrect(log: MeasureLog, entry: LogEntry, by: PersonRef | null): boolean {
	return by !== null && log.entries[entry.id] !== undefined && samePerson(entry.by, by) && !isCorrected(log, entry.id);
}

/** A record as it stands now (`current`), and the entries it replaced, newest first, each with the entry that corrected it. */
export type RecordHistory = {
	current: LogEntry;
	/** The log `current` is in: a correction of it goes there. */
	log: MeasureLog;
	corrected: { entry: LogEntry; correctedBy: LogEntry }[];
};

/**
 * One measure's records as they stand, newest first, from any number of monthly logs: an entry
 * named by another's `corrects` is no longer a record of its own but shows in that record's
 * history. Two corrections of one original (made offline on two devices) are both kept as records.
 */
export function recordHistories(logs: readonly MeasureLog[], measureId: ItemId, limit = 10): RecordHistory[] {
	const inLog = new Map<string, { entry: LogEntry; log: MeasureLog }>();
	for (const log of logs) for (const entry of Object.values(log.entries)) if (entry.measureId === measureId) inLog.set(entry.id, { entry, log });
	const superseded = new Set([...inLog.values()].map(({ entry }) => entry.corrects).filter((id) => id !== undefined));
	const current = [...inLog.values()].filter(({ entry }) => !superseded.has(entry.id)).sort((a, b) => newestFirst(a.entry, b.entry));
	return current.slice(0, limit).map(({ entry, log }) => {
		const corrected: RecordHistory['corrected'] = [];
		const seen = new Set<string>([entry.id]);
		// The register refuses a correction of an entry it does not hold, so a chain ends; `seen` guards anyway.
		for (let later = entry, original = byId(later.corrects); original && !seen.has(original.id); later = original, original = byId(later.corrects)) {
			seen.add(original.id);
			corrected.push({ entry: original, correctedBy: later });
		}
		return { current: entry, log, corrected };
	});

	function byId(id: ItemId | undefined): LogEntry | undefined {
		return id === undefined ? undefined : inLog.get(id)?.entry;
	}
}

function newestFirst(a: LogEntry, b: LogEntry): number {
	return a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1;
}
