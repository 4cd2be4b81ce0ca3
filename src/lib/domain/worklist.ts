import type { ItemId, PatientId } from './ids';
import type { LogEntry, Measure, MeasureLog, Performer, Plan, Timing } from './plan';
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
	/** The latest record per measure and slot (`measureId|slot`) in recent months: its `at`. */
	lastRecorded: Record<string, string>;
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

/** A measure slot due on a day, and whether it is already recorded. */
export type DueItem = { measureId: ItemId; title: string; slot: string | null; recorded: boolean };

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

function slotKey(measureId: string, slot: string | null): string {
	return `${measureId}|${slot ?? ''}`;
}

/** The measure slots due on the Oslo day of `now`, in time order, with whether each is recorded that day. */
export function dueOn(summary: PatientSummary, now: string): DueItem[] {
	const { date, weekday } = osloParts(now);
	const items: DueItem[] = [];
	for (const m of summary.measures) {
		for (const slot of slotsOn(m.timing, date, weekday)) {
			const last = summary.lastRecorded[slotKey(m.id, slot)];
			const recorded = last !== undefined && (m.timing.kind === 'yearly' ? osloParts(last).date >= m.timing.nextDue : osloParts(last).date === date);
			items.push({ measureId: m.id, title: m.title, slot, recorded });
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
	const lastRecorded: Record<string, string> = {};
	const entries: LogEntry[] = logs.flatMap((l) => Object.values(l.entries));
	for (const e of entries) {
		const key = slotKey(e.measureId, e.slot);
		const prev = lastRecorded[key];
		if (prev === undefined || prev < e.at) lastRecorded[key] = e.at;
	}
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
		lastRecorded,
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
