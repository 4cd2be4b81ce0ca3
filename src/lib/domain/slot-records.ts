import type { ItemId } from './ids';
import type { LogEntry, MeasureLog } from './plan';

/** What the latest record of one measure slot says: enough for the list to tell done from not done. */
export type SlotRecord = {
	id: ItemId;
	at: string;
	outcome: 'done' | 'not-done';
	reason: string | null;
	/** The entry this record corrects, kept so a later merge still leaves the original out. */
	corrects?: ItemId;
};

/** The key a slot's record is kept under in a summary: `measureId|slot` (an untimed slot is empty). */
export function slotKey(measureId: string, slot: string | null): string {
	return `${measureId}|${slot ?? ''}`;
}

// Logs arrive from other devices: an entry without the fields read here is left out, not trusted.
function isReadable(e: Partial<LogEntry> | null | undefined): e is LogEntry {
	return (
		typeof e === 'object' &&
		e !== null &&
		typeof e.id === 'string' &&
		typeof e.measureId === 'string' &&
		typeof e.at === 'string' &&
		(e.outcome === 'done' || e.outcome === 'not-done') &&
		(e.slot === null || typeof e.slot === 'string')
	);
}

function recordOf(e: LogEntry): SlotRecord {
	const record: SlotRecord = { id: e.id, at: e.at, outcome: e.outcome, reason: typeof e.reason === 'string' ? e.reason : null };
	if (typeof e.corrects === 'string') record.corrects = e.corrects;
	return record;
}

// Later `at` wins; at the same time a correcting record wins, then the greater id (so every order agrees).
function isLater(a: SlotRecord, b: SlotRecord): boolean {
	if (a.at !== b.at) return a.at > b.at;
	if (Boolean(a.corrects) !== Boolean(b.corrects)) return Boolean(a.corrects);
	return a.id > b.id;
}

/**
 * The latest record per slot among the `previous` ones and the logs' entries, leaving out every
 * entry that another one corrects (wherever the correction was seen). Merging logs one at a time
 * gives what merging them at once gives, so the server can fold in each changed log as it comes.
 */
export function latestRecords(previous: Readonly<Record<string, SlotRecord>>, logs: readonly MeasureLog[]): Record<string, SlotRecord> {
	const entries = logs.flatMap((log) => Object.values(log.entries as Record<string, Partial<LogEntry> | null>)).filter(isReadable);
	const superseded = new Set<string>();
	for (const e of entries) if (typeof e.corrects === 'string') superseded.add(e.corrects);
	for (const r of Object.values(previous)) if (r.corrects) superseded.add(r.corrects);
	const latest: Record<string, SlotRecord> = {};
	const offer = (key: string, r: SlotRecord) => {
		if (superseded.has(r.id)) return;
		const held = latest[key];
		if (!held || isLater(r, held)) latest[key] = r;
	};
	for (const [key, r] of Object.entries(previous)) offer(key, r);
	for (const e of entries) offer(slotKey(e.measureId, e.slot), recordOf(e));
	return latest;
}
