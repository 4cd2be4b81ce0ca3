import type { DocumentId } from '$lib/domain/ids';

/** How close together two openings of one plan by one person count as one visit in the access log. */
export const OPENING_WINDOW_MS = 10 * 60_000;
/** Reports a session may make in one message: what a device sends at once (`openedToReport`). */
export const OPENED_PER_MESSAGE = 200;
/** Reports a session may make in a minute: a device reports a batch per connection; five reconnects a minute is a poor network already. */
export const OPENED_PER_MINUTE = 1000;
/**
 * How long ago a reported opening may be: a login lasts 16 hours (offline included) and logging
 * out wipes what a device holds, so an older time is a wrong clock or a line placed out of sight.
 */
export const OPENED_MAX_AGE_MS = 24 * 3_600_000;
/** How far ahead of the register's clock a device's may run. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The openings worth a line of their own, from one device's report of plans its user opened: of
 * each plan, the first opening and then the first after each further `windowMs`. A nurse going
 * back and forth in a plan during one visit is one read; a tablet reporting hundreds (faulty or
 * hostile) cannot flood the patient's log. `lastKept` carries the plans' last lines from earlier
 * reports in the session, so the same openings sent again in pieces count once too.
 */
export function distinctOpenings<T extends { docId: DocumentId; at: string }>(reports: readonly T[], windowMs = OPENING_WINDOW_MS, lastKept = new Map<DocumentId, number>()): T[] {
	const byTime = [...reports].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
	return byTime.filter((report) => {
		const at = Date.parse(report.at);
		const last = lastKept.get(report.docId);
		if (last !== undefined && Math.abs(at - last) < windowMs) return false;
		lastKept.set(report.docId, at);
		return true;
	});
}

/** The time an opening is logged at: as reported, or when it arrived if that is in the future or too long ago. */
export function openingTime(reported: string, now: number): string {
	const at = Date.parse(reported);
	return at > now + CLOCK_SKEW_MS || at < now - OPENED_MAX_AGE_MS ? new Date(now).toISOString() : new Date(at).toISOString();
}

/**
 * One session's budget of opening reports: at most OPENED_PER_MESSAGE of a message and
 * OPENED_PER_MINUTE in any minute are taken; the rest are not acknowledged, so an honest device
 * sends them again later and a flooding one writes no more lines.
 */
export class OpeningBudget {
	readonly #taken: number[] = [];
	/** Plans' last logged openings in this session (for `distinctOpenings`). */
	readonly lastKept = new Map<DocumentId, number>();

	/** The first reports of `reports` this session may make now. */
	take<T>(reports: readonly T[], now: number): T[] {
		while (this.#taken.length && (this.#taken[0] as number) <= now - 60_000) this.#taken.shift();
		const room = Math.max(0, Math.min(OPENED_PER_MESSAGE, OPENED_PER_MINUTE - this.#taken.length));
		const taken = reports.slice(0, room);
		for (let i = 0; i < taken.length; i++) this.#taken.push(now);
		return taken;
	}
}
