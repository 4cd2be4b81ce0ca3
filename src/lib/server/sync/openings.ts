import type { DocumentId } from '$lib/domain/ids';

/** How close together two openings of one plan by one person count as one visit in the access log. */
export const OPENING_WINDOW_MS = 10 * 60_000;

/**
 * The openings worth a line of their own, from one device's report of plans its user opened: of
 * each plan, the first opening and then the first after each further `windowMs`. A nurse going
 * back and forth in a plan during one visit is one read; a tablet reporting hundreds (faulty or
 * hostile) cannot flood the patient's log.
 */
export function distinctOpenings<T extends { docId: DocumentId; at: string }>(reports: readonly T[], windowMs = OPENING_WINDOW_MS): T[] {
	const byTime = [...reports].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
	const lastKept = new Map<DocumentId, number>();
	return byTime.filter((report) => {
		const at = Date.parse(report.at);
		const last = lastKept.get(report.docId);
		if (last !== undefined && at - last < windowMs) return false;
		lastKept.set(report.docId, at);
		return true;
	});
}
