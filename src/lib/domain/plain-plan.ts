import { guidanceInForce } from './guidance';
import type { CareTeamMember, ContactGuidance, Diagnosis, Goal, Measure, Patient, Plan, WhatMattersEntry } from './plan';
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
		guidance: guidanceInForce(plan),
		team,
		responsible: team.find((m) => m.id === responsibleId) ?? null
	};
}
