/**
 * The plan document as FHIR R4 base resources, after the national care plan API: one CarePlan per
 * patient (id = the patient's id), a Condition per diagnosis, a Goal per goal and per "what
 * matters" entry, a ServiceRequest per measure, the CareTeam (id = the patient's id) and a
 * PractitionerRole per clinician on it (id = the member's id). Item ids are the plan's own, so
 * every resource keeps its id for life. Pure: the plan, its history index and a way to find a
 * clinician's HPR number in, resources out.
 *
 * Where the national API is silent, the most natural base element carries the plan's parts:
 * - "What matters to you" entries are Goals with category `what-matters`, expressed by the patient.
 * - "When to contact whom" is one `CarePlan.activity.detail` per level (code = the level,
 *   description = signs, what to do and whom to call; status in-progress, or stopped once ended).
 * - A measure's pointer to the medication list (PLL) is `ServiceRequest.supportingInfo[0].display`.
 * - Comments are `note` (plan comments on the CarePlan, a measure's on its ServiceRequest).
 */
import type { Annotation, CarePlan, CareTeam, Condition, Goal as FhirGoal, Patient as FhirPatient, PractitionerRole, Reference, ServiceRequest } from 'fhir/r4';
import type { CareTeamMember, Comment, ContactGuidance, Diagnosis, Goal, Measure, Plan, WhatMattersEntry } from '$lib/domain/plan';
import { lastTouch, metaOf, personReference } from './meta';
import { CARE_ROLE_SYSTEM, CODE_SYSTEM_URI, CONDITION_CLINICAL, CONDITION_VERIFICATION, D_NUMBER_SYSTEM, GOAL_CATEGORY_SYSTEM, GUIDANCE_LEVEL_SYSTEM, HPR_ROLE_SYSTEM, HPR_SYSTEM, NATIONAL_ID_SYSTEM, SNOMED } from './systems';
import { fhirTiming } from './timing';
import { versionOf, type HistoryIndex } from './versions';

/** Everything a mapping needs besides the plan: its history, and the HPR number of a care team member's user id. */
export type MappingContext = { index: HistoryIndex; hprOf: (personId: string) => string | null };

/** The resources of one plan, each under its `Type/id`. */
export type PlanResources = Map<string, CarePlan | Condition | FhirGoal | ServiceRequest | CareTeam | FhirPatient | PractitionerRole>;

const SELF_CARE_DISPLAY: Record<string, string> = {
	'182832007': 'Procedure related to management of drug administration',
	'384760004': 'Self-care education',
	'229064008': 'Movement therapy',
	'122869004': 'Measurement procedure',
	'390808007': 'Referral to service',
	'313204009': 'Procedure for patient assessment'
};
/** HPR's personnel category for each clinical role the plan knows (a coordinator's depends on the person: text only). */
const HPR_ROLE: Record<string, { code: string; display: string } | undefined> = {
	gp: { code: 'LE', display: 'Lege' },
	specialist: { code: 'LE', display: 'Lege' },
	'home-care': { code: 'SP', display: 'Sykepleier' }
};

const patientRef = (plan: Plan): Reference => ({ reference: `Patient/${plan.patientId}`, display: plan.patient.name });
const meta = (ctx: MappingContext, key: string, part: unknown) => metaOf(versionOf(ctx.index, key), lastTouch(part));
const notes = (comments: Record<string, Comment>): Annotation[] =>
	Object.values(comments)
		.filter((c) => c.status === 'active')
		.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
		.map((c) => ({ authorReference: personReference(c.by), time: c.at, text: c.text }));

/** Whether a national ID is a D-number (first digit 4–7: day + 40). */
const isDNumber = (id: string) => /^[4-7]/.test(id);

export function patientResource(plan: Plan, ctx: MappingContext): FhirPatient {
	const { nationalId, name, birthDate, municipality } = plan.patient;
	return {
		resourceType: 'Patient',
		id: plan.patientId,
		meta: meta(ctx, 'Patient', { at: plan.createdAt }),
		identifier: [{ system: isDNumber(nationalId) ? D_NUMBER_SYSTEM : NATIONAL_ID_SYSTEM, value: nationalId }],
		name: [{ text: name }],
		birthDate,
		address: [{ district: municipality }]
	};
}

export function conditionResource(plan: Plan, d: Diagnosis, ctx: MappingContext): Condition {
	const erroneous = d.status === 'entered-in-error';
	return {
		resourceType: 'Condition',
		id: d.id,
		meta: meta(ctx, `Condition/${d.id}`, d),
		// R4 con-5: an entry in error has no clinical status.
		...(erroneous ? {} : { clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: d.status }] } }),
		verificationStatus: { coding: [{ system: CONDITION_VERIFICATION, code: erroneous ? 'entered-in-error' : 'confirmed' }] },
		code: { ...(d.code ? { coding: [{ system: CODE_SYSTEM_URI[d.code.system], code: d.code.code, ...(d.code.display ? { display: d.code.display } : {}) }] } : {}), text: d.text },
		subject: patientRef(plan),
		recordedDate: d.createdAt,
		recorder: personReference(d.createdBy)
	};
}

export function goalResource(plan: Plan, g: Goal, ctx: MappingContext): FhirGoal {
	return {
		resourceType: 'Goal',
		id: g.id,
		meta: meta(ctx, `Goal/${g.id}`, g),
		lifecycleStatus: g.status.value,
		category: [{ coding: [{ system: GOAL_CATEGORY_SYSTEM, code: g.category }] }],
		description: { text: g.text },
		subject: patientRef(plan),
		expressedBy: personReference(g.expressedBy),
		...(g.targetDate ? { target: [{ dueDate: g.targetDate }] } : {}),
		...(g.addresses.length ? { addresses: g.addresses.map((id) => ({ reference: `Condition/${id}` })) } : {})
	};
}

/** A "what matters" entry: a Goal in the patient's own words (read-only through the API; written on the tablet). */
export function whatMattersGoal(plan: Plan, w: WhatMattersEntry, ctx: MappingContext): FhirGoal {
	return {
		resourceType: 'Goal',
		id: w.id,
		meta: meta(ctx, `Goal/${w.id}`, w),
		lifecycleStatus: w.status,
		category: [{ coding: [{ system: GOAL_CATEGORY_SYSTEM, code: 'what-matters' }] }],
		description: { text: w.text },
		subject: patientRef(plan),
		expressedBy: w.writtenAs === 'patient' ? patientRef(plan) : personReference(w.by)
	};
}

function performerOf(plan: Plan, m: Measure): Pick<ServiceRequest, 'performer' | 'performerType'> {
	const p = m.performer;
	if (p.kind === 'patient') return { performer: [patientRef(plan)] };
	if (p.kind === 'relative') return { performerType: { coding: [{ system: CARE_ROLE_SYSTEM, code: 'relative' }] } };
	// The service's clinician on the care team (the first who joined in that role); the service's own name stays the display.
	const member = Object.values(plan.careTeam).sort((a, b) => (a.addedAt < b.addedAt ? -1 : 1)).find((c) => c.active && c.role === p.role);
	return {
		performerType: { coding: [{ system: CARE_ROLE_SYSTEM, code: p.role }] },
		performer: [member ? { reference: `PractitionerRole/${member.id}`, display: p.name } : { display: p.name }]
	};
}

export function serviceRequestResource(plan: Plan, m: Measure, ctx: MappingContext): ServiceRequest {
	const timing = fhirTiming(m.timing);
	const comments = notes(m.comments);
	return {
		resourceType: 'ServiceRequest',
		id: m.id,
		meta: meta(ctx, `ServiceRequest/${m.id}`, m),
		status: m.status.value,
		intent: 'plan',
		category: [m.category.kind === 'snomed' ? { coding: [{ system: SNOMED, code: m.category.code, display: SELF_CARE_DISPLAY[m.category.code] ?? m.category.code }] } : { text: m.category.text }],
		code: { text: m.title },
		...(m.description ? { orderDetail: [{ text: m.description }] } : {}),
		subject: patientRef(plan),
		...(timing ? { occurrenceTiming: timing } : { asNeededBoolean: true }),
		authoredOn: m.createdAt,
		requester: personReference(m.createdBy),
		...performerOf(plan, m),
		...(m.addresses.length ? { reasonReference: m.addresses.map((id) => ({ reference: `Condition/${id}` })) } : {}),
		...(m.pllReference ? { supportingInfo: [{ display: m.pllReference }] } : {}),
		...(comments.length ? { note: comments } : {})
	};
}

export function practitionerRoleResource(c: CareTeamMember, ctx: MappingContext): PractitionerRole {
	const hpr = c.personId ? ctx.hprOf(c.personId) : null;
	const category = HPR_ROLE[c.role];
	return {
		resourceType: 'PractitionerRole',
		id: c.id,
		meta: meta(ctx, `PractitionerRole/${c.id}`, c),
		active: c.active,
		practitioner: hpr ? { identifier: { system: HPR_SYSTEM, value: hpr }, display: c.name } : { display: c.name },
		organization: { display: c.organisation },
		code: [{ coding: [{ system: CARE_ROLE_SYSTEM, code: c.role }, ...(category ? [{ system: HPR_ROLE_SYSTEM, ...category }] : [])] }]
	};
}

export function careTeamResource(plan: Plan, ctx: MappingContext): CareTeam {
	const members = Object.values(plan.careTeam).sort((a, b) => (a.addedAt < b.addedAt ? -1 : 1));
	return {
		resourceType: 'CareTeam',
		id: plan.patientId,
		meta: meta(ctx, 'CareTeam', [plan.careTeam]),
		status: 'active',
		subject: patientRef(plan),
		participant: members.map((c) => ({
			role: [{ coding: [{ system: CARE_ROLE_SYSTEM, code: c.role }] }],
			member: c.role === 'relative' ? { display: c.name } : { reference: `PractitionerRole/${c.id}`, display: c.name },
			period: { start: c.addedAt, ...(c.endedAt ? { end: c.endedAt } : {}) }
		}))
	};
}

function guidanceActivity(g: ContactGuidance): NonNullable<CarePlan['activity']>[number] {
	const contact = typeof g.contact === 'string' ? g.contact : `${g.contact.name}, ${g.contact.phone}`;
	return {
		detail: {
			code: { coding: [{ system: GUIDANCE_LEVEL_SYSTEM, code: g.level }], text: 'Når skal du kontakte hvem' },
			status: g.status === 'ended' ? 'stopped' : 'in-progress',
			description: `Tegn: ${g.signs}\nGjør: ${g.action}\nKontakt: ${contact}`,
			performer: [{ display: typeof g.contact === 'string' ? g.contact : g.contact.name }]
		}
	};
}

export function carePlanResource(plan: Plan, ctx: MappingContext): CarePlan {
	const responsible = plan.responsible.value ? plan.careTeam[plan.responsible.value] : undefined;
	// Adding an item adds a reference to it: that is a change of the CarePlan, by the item's creator.
	const items = [
		...Object.values(plan.diagnoses).map((d) => ({ at: d.createdAt, by: d.createdBy })),
		...Object.values(plan.goals).map((g) => ({ at: g.createdAt, by: g.expressedBy })),
		...Object.values(plan.measures).map((m) => ({ at: m.createdAt, by: m.createdBy }))
	];
	const own = [plan.responsible, plan.comments, plan.whatMatters, plan.contactGuidance, plan.privacy ?? null, { at: plan.createdAt }, items];
	const note = notes(plan.comments);
	const goals = [...Object.values(plan.whatMatters), ...Object.values(plan.goals)];
	return {
		resourceType: 'CarePlan',
		id: plan.patientId,
		meta: meta(ctx, 'CarePlan', own),
		status: 'active',
		intent: 'plan',
		title: 'Behandlings- og egenbehandlingsplan',
		subject: patientRef(plan),
		period: { start: plan.createdAt },
		created: plan.createdAt,
		...(responsible ? { author: { reference: `PractitionerRole/${responsible.id}`, display: responsible.name } } : {}),
		careTeam: [{ reference: `CareTeam/${plan.patientId}` }],
		addresses: Object.keys(plan.diagnoses).map((id) => ({ reference: `Condition/${id}` })),
		goal: goals.map((g) => ({ reference: `Goal/${g.id}` })),
		activity: [...Object.keys(plan.measures).map((id) => ({ reference: { reference: `ServiceRequest/${id}` } })), ...Object.values(plan.contactGuidance).map(guidanceActivity)],
		...(note.length ? { note } : {})
	};
}

/** Every resource of the plan, under `Type/id`. */
export function planResources(plan: Plan, ctx: MappingContext): PlanResources {
	const out: PlanResources = new Map();
	const put = (r: { resourceType: string; id?: string } & (CarePlan | Condition | FhirGoal | ServiceRequest | CareTeam | FhirPatient | PractitionerRole)) => out.set(`${r.resourceType}/${r.id}`, r);
	put(carePlanResource(plan, ctx));
	put(patientResource(plan, ctx));
	put(careTeamResource(plan, ctx));
	Object.values(plan.careTeam).filter((c) => c.role !== 'relative').forEach((c) => put(practitionerRoleResource(c, ctx)));
	Object.values(plan.diagnoses).forEach((d) => put(conditionResource(plan, d, ctx)));
	Object.values(plan.goals).forEach((g) => put(goalResource(plan, g, ctx)));
	Object.values(plan.whatMatters).forEach((w) => put(whatMattersGoal(plan, w, ctx)));
	Object.values(plan.measures).forEach((m) => put(serviceRequestResource(plan, m, ctx)));
	return out;
}
