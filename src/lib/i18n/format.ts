import type { MeasureCategory, Performer, Timing } from '$lib/domain/plan';
import { osloParts } from '$lib/domain/time';
import { i18n } from './index.svelte';

/** A measure's timing in words, e.g. "Daglig kl. 08:00". */
export function timingText(timing: Timing): string {
	const t = i18n.m.timing;
	switch (timing.kind) {
		case 'daily':
			return t.daily(timing.times.join(', '));
		case 'weekly':
			return t.weekly(timing.weekdays.map((d) => t.weekdays[d - 1]).join(', '), timing.times.join(', '));
		case 'yearly':
			return t.yearly(i18n.date(timing.nextDue));
		case 'as-needed':
			return t['as-needed'];
	}
}

/** Who performs a measure, in words. */
export function performerText(p: Performer): string {
	return p.kind === 'service' ? p.name : i18n.m.performer[p.kind];
}

/** A measure's category, in words. */
export function categoryText(c: MeasureCategory): string {
	return c.kind === 'snomed' ? i18n.m.selfCare[c.code] : c.text;
}

/** When the device last synced: "Sist synkronisert kl. 08:10", with the date when not today (Oslo time). */
export function lastSyncedText(at: string | null, now: Date = new Date()): string {
	const s = i18n.m.status;
	if (!at) return s.neverSynced;
	const time = i18n.time(at);
	return osloParts(at).date === osloParts(now).date ? s.lastSynced(time) : s.lastSyncedOn(i18n.date(at), time);
}
