import type { ItemId, PatientId } from './ids';
import type { Measure, MeasureLog, Performer, Plan, Timing } from './plan';
import { latestRecords, slotKey, type SlotRecord } from './slot-records';
import { osloParts } from './time';

/** What the patient list needs of one measure, kept in the summary so no document is loaded. */
export type ScheduledMeasure = { id: ItemId; title: string; timing: Timing; performer: Performer };

/** One patient's row in the list: enough to render it and compute today's work without the plan. */
export type PatientSummary = {
	patientId: PatientId;
	name: string;
	birthDate: string;
	municipality: string;
	responsible: string | null;
	measures: ScheduledMeasure[];
	/**
	 * What the latest record per measure and slot (`slotKey`) in recent months says. Absent in
	 * summaries stored before it was kept (they knew only a time, not whether it was done).
	 */
	records?: Record<string, SlotRecord>;
	/** The user ids of the plan's active care team members who log in: who needs to know. */
	team: string[];
	/** The patient's national ID, for the register to find the patient by (emergency access). */
	nationalId?: string;
	/** The user ids of the clinicians the patient has blocked (absent in summaries made before blocks existed). */
	blocked?: string[];
	/** Whether the patient restricted the plan to its care team (no emergency access). */
	restricted?: boolean;
	/** Whether the plan records the patient's consent. */
	consent?: boolean;
	/** The time of the plan's latest stamped change (an edit of a text in place carries none). */
	lastChanged?: string;
};

/** The latest time stamped anywhere in the plan: who-did-what stamps and creation times. */
export function lastStamped(plan: Plan): string {
	let latest = plan.createdAt;
	const visit = (node: unknown): void => {
		if (!node || typeof node !== 'object') return;
		for (const [key, value] of Object.entries(node)) {
			if (typeof value === 'string' && (key === 'at' || key === 'createdAt' || key === 'addedAt' || key === 'endedAt') && value > latest) latest = value;
			else if (typeof value === 'object') visit(value);
		}
	};
	visit(plan);
	return latest;
}

/**
 * Where a slot due today stands: done or not done (as its latest record says), still due, overdue,
 * or unknown (the summary predates records of outcomes and must not be read as either).
 */
export type SlotState =
	| { kind: 'done'; at: string }
	| { kind: 'not-done'; at: string; reason: string | null }
	| { kind: 'due' }
	| { kind: 'overdue' }
	| { kind: 'unknown' };

/** A measure slot due on a day, and whether and how it is recorded. */
export type DueItem = { measureId: ItemId; title: string; slot: string | null; recorded: boolean; state: SlotState };

/** How long after its time a slot without a record counts as overdue: a visit an hour late is worth a call. */
export const OVERDUE_AFTER_MINUTES = 60;

/** True when the measure is something a visiting clinician does (not the patient's own). */
export function isClinicianMeasure(m: { performer: Performer }): boolean {
	return m.performer.kind === 'service';
}

/** True when the measure belongs to the self-treatment plan. */
export function isSelfTreatmentMeasure(m: { performer: Performer }): boolean {
	return m.performer.kind !== 'service';
}

function slotsOn(timing: Timing, date: string, weekday: number): (string | null)[] {
	switch (timing.kind) {
		case 'daily':
			return timing.times;
		case 'weekly':
			return timing.weekdays.includes(weekday as 1) ? (timing.times.length ? timing.times : [null]) : [];
		case 'yearly':
			return timing.nextDue <= date ? [null] : [];
		case 'as-needed':
			return [];
	}
}

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

function stateOf(timing: Timing, slot: string | null, record: SlotRecord | undefined, today: { date: string; time: string }): SlotState {
	const counts = record !== undefined && (timing.kind === 'yearly' ? osloParts(record.at).date >= timing.nextDue : osloParts(record.at).date === today.date);
	if (record && counts && record.outcome === 'done') return { kind: 'done', at: record.at };
	if (record && counts && record.outcome === 'not-done') return { kind: 'not-done', at: record.at, reason: record.reason };
	// A record of another shape (from a newer or broken device) is not read as either.
	if (record && counts) return { kind: 'unknown' };
	const late = slot !== null ? minutesOf(today.time) > minutesOf(slot) + OVERDUE_AFTER_MINUTES : timing.kind === 'yearly' && timing.nextDue < today.date;
	return { kind: late ? 'overdue' : 'due' };
}

/**
 * The measure slots due on the Oslo day of `now`, in time order, each with where it stands: a
 * timed slot with no record that day is overdue once `now` is more than `OVERDUE_AFTER_MINUTES`
 * past its time, a yearly one once its date has passed; an untimed slot is due all day.
 */
export function dueOn(summary: PatientSummary, now: string): DueItem[] {
	const today = osloParts(now);
	const items: DueItem[] = [];
	for (const m of summary.measures) {
		for (const slot of slotsOn(m.timing, today.date, today.weekday)) {
			const state: SlotState = summary.records ? stateOf(m.timing, slot, summary.records[slotKey(m.id, slot)], today) : { kind: 'unknown' };
			items.push({ measureId: m.id, title: m.title, slot, recorded: state.kind === 'done' || state.kind === 'not-done', state });
		}
	}
	return items.sort((a, b) => (a.slot ?? '99:99').localeCompare(b.slot ?? '99:99'));
}

function activeMeasures(plan: Plan): Measure[] {
	return Object.values(plan.measures)
		.filter((m) => m.status.value === 'active')
		.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** The patient list's row for a plan and its recent logs (same transaction as every change). */
export function summarize(plan: Plan, logs: readonly MeasureLog[]): PatientSummary {
	const responsible = plan.responsible.value ? (plan.careTeam[plan.responsible.value]?.name ?? null) : null;
	return {
		patientId: plan.patientId,
		name: plan.patient.name,
		birthDate: plan.patient.birthDate,
		municipality: plan.patient.municipality,
		responsible,
		measures: activeMeasures(plan).map((m) => ({
			id: m.id,
			title: m.title,
			timing: JSON.parse(JSON.stringify(m.timing)) as Timing,
			performer: JSON.parse(JSON.stringify(m.performer)) as Performer
		})),
		records: latestRecords({}, logs),
		team: Object.values(plan.careTeam)
			.filter((m) => m.active && typeof m.personId === 'string')
			.map((m) => m.personId as string)
			.sort(),
		nationalId: plan.patient.nationalId,
		blocked: Object.values(plan.privacy?.blocked ?? {})
			.filter((b) => b.active)
			.map((b) => b.personId)
			.sort(),
		restricted: plan.privacy?.restricted.value === true,
		consent: Boolean(plan.privacy?.consent),
		lastChanged: lastStamped(plan)
	};
}
