import type { CareTeamMember, ContactGuidance, Diagnosis, Goal, GuidanceLevel, Measure, Patient, Plan, WhatMattersEntry } from './plan';
import { isSelfTreatmentMeasure } from './worklist';

/**
 * The plan as the patient and their relatives read it, on screen and on paper: only what is in
 * force now (active items; goals also while proposed), in the order they were written, guidance
 * from green to red. One derivation for the patient's view and the printed plan.
 */
export type PlainPlan = {
	patient: Patient;
	whatMatters: WhatMattersEntry[];
	goals: Goal[];
	diagnoses: Diagnosis[];
	/** What the patient (or a relative) does: the self-treatment plan. */
	selfCare: Measure[];
	/** What the health service does. */
	care: Measure[];
	guidance: ContactGuidance[];
	team: CareTeamMember[];
	/** Planansvarlig, while still an active member of the care team. */
	responsible: CareTeamMember | null;
};

/** The levels of "when to contact whom", calmest first. */
export const GUIDANCE_ORDER: readonly GuidanceLevel[] = ['green', 'yellow', 'red'];

type Written = { id: string; createdAt?: string; at?: string };
const byWritten = (a: Written, b: Written): number =>
	(a.createdAt ?? a.at ?? '').localeCompare(b.createdAt ?? b.at ?? '') || a.id.localeCompare(b.id);

/** Derives the plain plan from a plan document: what is in force, sorted; nothing in the plan changes. */
export function derivePlainPlan(plan: Plan): PlainPlan {
	const measures = Object.values(plan.measures)
		.filter((m) => m.status.value === 'active')
		.sort(byWritten);
	const team = Object.values(plan.careTeam)
		.filter((m) => m.active)
		.sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.id.localeCompare(b.id));
	const responsibleId = plan.responsible.value;
	return {
		patient: plan.patient,
		whatMatters: Object.values(plan.whatMatters)
			.filter((w) => w.status === 'active')
			.sort(byWritten),
		goals: Object.values(plan.goals)
			.filter((g) => g.status.value === 'active' || g.status.value === 'proposed')
			.sort(byWritten),
		diagnoses: Object.values(plan.diagnoses)
			.filter((d) => d.status === 'active')
			.sort(byWritten),
		selfCare: measures.filter(isSelfTreatmentMeasure),
		care: measures.filter((m) => !isSelfTreatmentMeasure(m)),
		guidance: Object.values(plan.contactGuidance).sort(
			(a, b) => GUIDANCE_ORDER.indexOf(a.level) - GUIDANCE_ORDER.indexOf(b.level) || a.id.localeCompare(b.id)
		),
		team,
		responsible: team.find((m) => m.id === responsibleId) ?? null
	};
}

/** Whom to contact at one guidance level: a name, and a phone number where the plan has one. */
export type GuidanceContact = { name: string; phone: string | null };

/**
 * Whom a guidance level says to contact. Plans so far hold one free text (`contact: string`,
 * which may include the number); every reader goes through here, so a richer shape needs one change.
 */
export function guidanceContact(g: Pick<ContactGuidance, 'contact'>): GuidanceContact {
	return { name: g.contact.trim(), phone: null };
}

/** A national ID grouped as it is written on paper: birth date, then the five personal digits. */
export function nationalIdOnPaper(nationalId: string): string {
	return `${nationalId.slice(0, 6)} ${nationalId.slice(6)}`;
}

/** A national ID with the five personal digits hidden, for a screen others may see. */
export function nationalIdMasked(nationalId: string): string {
	return `${nationalId.slice(0, 6)} *****`;
}
