/**
 * A measure's timing as FHIR `Timing`, both ways. Times of day are Europe/Oslo wall-clock times
 * (`timeOfDay`, no zone, as FHIR's `time` is); a yearly measure carries its next due date as the
 * timing's `event`; "as needed" is `ServiceRequest.asNeededBoolean`, with no timing.
 */
import type { Timing as FhirTiming } from 'fhir/r4';
import type { Timing, Weekday } from '$lib/domain/plan';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];

const timeOfDay = (times: string[]) => times.map((t) => `${t}:00`);

/** The measure's timing as FHIR: `null` for "as needed". */
export function fhirTiming(timing: Timing): FhirTiming | null {
	switch (timing.kind) {
		case 'daily':
			return { repeat: { frequency: Math.max(1, timing.times.length), period: 1, periodUnit: 'd', timeOfDay: timeOfDay(timing.times) } };
		case 'weekly':
			return { repeat: { period: 1, periodUnit: 'wk', dayOfWeek: timing.weekdays.map((d) => DAYS[d - 1]!), ...(timing.times.length ? { timeOfDay: timeOfDay(timing.times) } : {}) } };
		case 'yearly':
			return { event: [timing.nextDue], repeat: { frequency: 1, period: 1, periodUnit: 'a' } };
		case 'as-needed':
			return null;
	}
}

/** Why a FHIR timing has no measure timing: what is wrong, and where (relative to `occurrenceTiming`). */
export type TimingProblem = { problem: string; at: string };

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d(:00)?$/;

/** The measure timing a FHIR timing says, or why it says none the plan can hold. */
export function timingOf(t: FhirTiming): Timing | TimingProblem {
	const r = t.repeat;
	if (!r) return { problem: 'a timing needs repeat', at: 'repeat' };
	const times = r.timeOfDay ?? [];
	if (!times.every((x) => HH_MM.test(x))) return { problem: 'times of day are HH:MM (or HH:MM:00)', at: 'repeat.timeOfDay' };
	const hhmm = times.map((x) => x.slice(0, 5));
	if (r.periodUnit === 'a') {
		const [nextDue] = t.event ?? [];
		if (!nextDue || !/^\d{4}-\d{2}-\d{2}$/.test(nextDue)) return { problem: 'a yearly measure carries its next due date (YYYY-MM-DD) as event[0]', at: 'event' };
		return { kind: 'yearly', nextDue };
	}
	if (r.period !== undefined && r.period !== 1) return { problem: 'only a period of 1 (every day, week or year) is held', at: 'repeat.period' };
	if (r.periodUnit === 'd') {
		if (!hhmm.length) return { problem: 'a daily measure names its times of day', at: 'repeat.timeOfDay' };
		return { kind: 'daily', times: hhmm };
	}
	if (r.periodUnit === 'wk') {
		const days = (r.dayOfWeek ?? []).map((d) => DAYS.indexOf(d as Day) + 1);
		if (!days.length || days.some((d) => d < 1)) return { problem: 'a weekly measure names its days (mon … sun)', at: 'repeat.dayOfWeek' };
		return { kind: 'weekly', weekdays: days as Weekday[], times: hhmm };
	}
	return { problem: 'periodUnit must be d, wk or a', at: 'repeat.periodUnit' };
}
