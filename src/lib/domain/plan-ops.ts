import type { ItemId, PatientId } from './ids';
import type {
	CareRole,
	Block,
	CareTeamMember,
	Comment,
	Consent,
	Context,
	ContactGuidance,
	Diagnosis,
	Goal,
	GoalStatus,
	Measure,
	MeasureStatus,
	Patient,
	Plan,
	PersonRef,
	WhatMattersEntry
} from './plan';
import { CLINICAL_ROLES } from './plan';
import { samePerson } from './person';
import type { DiagnosisInput, GoalInput, GuidanceInput, MeasureInput } from './inputs';

/**
 * A new, empty plan for a patient: the initial value of the plan document. A plan is made only
 * with the patient's consent, recorded by the clinician who creates it.
 */
export function newPlan(patientId: PatientId, patient: Patient, consent: Pick<Consent, 'form' | 'givenBy'>, ctx: Context): Plan {
	return {
		schema: 1,
		patientId,
		patient: { ...patient },
		whatMatters: {},
		diagnoses: {},
		goals: {},
		measures: {},
		contactGuidance: {},
		careTeam: {},
		responsible: { value: null, by: copy(ctx.by), at: ctx.at },
		comments: {},
		privacy: {
			consent: { form: consent.form, givenBy: consent.givenBy, recordedBy: copy(ctx.by), at: ctx.at },
			restricted: { value: false, by: copy(ctx.by), at: ctx.at },
			blocked: {}
		},
		createdAt: ctx.at
	};
}

/** A deep copy of a plain value, so a document never shares objects with its caller. */
function copy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/** Values in a canonical key order: a stored Automerge map lists its keys sorted, a form or an API body in any order. */
const canonical = (v: unknown): unknown =>
	Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, canonical(x)])) : v;
/** Whether two field values are equal, whatever order their keys are in (so an unchanged value is not stamped again). */
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** The fields of an item that have a `<field>Stamp` beside them. */
type StampedField<T> = { [K in keyof T & string]: `${K}Stamp` extends keyof T ? K : never }[keyof T & string];

/**
 * Sets a clinical field whole, with its stamp (`<field>Stamp`: the value, who, when) in the same
 * change: a concurrent edit of the field leaves two versions to choose from, never a mix.
 */
export function replaceStamped<T extends Diagnosis | Goal | Measure, K extends StampedField<T>>(item: T, field: K, value: T[K], ctx: Context): void {
	const fields = item as Record<string, unknown>;
	fields[field] = copy(value);
	fields[`${field}Stamp`] = { value: copy(value), by: copy(ctx.by), at: ctx.at };
}

function need<T>(item: T | undefined, what: string, id: string): T {
	if (!item) throw new Error(`unknown ${what} ${id}`);
	return item;
}

/** Adds an entry to "what matters to you", in the words of the patient (or written on their behalf). */
export function addWhatMatters(plan: Plan, id: ItemId, text: string, writtenAs: WhatMattersEntry['writtenAs'], ctx: Context): void {
	plan.whatMatters[id] = { id, text, writtenAs, by: copy(ctx.by), at: ctx.at, status: 'active' };
}

/** Adds a diagnosis or problem. */
export function addDiagnosis(plan: Plan, id: ItemId, input: DiagnosisInput, ctx: Context): void {
	const diagnosis: Diagnosis = { id, text: input.text, code: copy(input.code), status: 'active', createdBy: copy(ctx.by), createdAt: ctx.at };
	plan.diagnoses[id] = diagnosis;
}

/** Edits a diagnosis: text and code are each replaced whole and stamped, where changed. */
export function updateDiagnosis(plan: Plan, id: ItemId, input: DiagnosisInput, ctx: Context): void {
	const d = need(plan.diagnoses[id], 'diagnosis', id);
	if (d.text !== input.text) replaceStamped(d, 'text', input.text, ctx);
	if (!same(d.code, input.code)) replaceStamped(d, 'code', input.code, ctx);
}

/** Sets a diagnosis' status, stamped; `entered-in-error` is the logical delete. */
export function setDiagnosisStatus(plan: Plan, id: ItemId, status: Diagnosis['status'], ctx: Context): void {
	replaceStamped(need(plan.diagnoses[id], 'diagnosis', id), 'status', status, ctx);
}

/** Adds a goal with status `active`. */
export function addGoal(plan: Plan, id: ItemId, input: GoalInput, ctx: Context): void {
	const goal: Goal = {
		id,
		category: input.category,
		text: input.text,
		expressedBy: copy(ctx.by),
		status: { value: 'active', by: copy(ctx.by), at: ctx.at },
		targetDate: input.targetDate,
		addresses: [...input.addresses],
		createdAt: ctx.at
	};
	plan.goals[id] = goal;
}

/** Edits a goal: text, category, target date and addresses are each replaced whole and stamped, where changed. */
export function updateGoal(plan: Plan, id: ItemId, input: GoalInput, ctx: Context): void {
	const g = need(plan.goals[id], 'goal', id);
	if (g.text !== input.text) replaceStamped(g, 'text', input.text, ctx);
	if (g.category !== input.category) replaceStamped(g, 'category', input.category, ctx);
	if (g.targetDate !== input.targetDate) replaceStamped(g, 'targetDate', input.targetDate, ctx);
	if (g.addresses.join() !== input.addresses.join()) replaceStamped(g, 'addresses', [...input.addresses], ctx);
}

/** Sets a goal's lifecycle status, stamped with who and when. */
export function setGoalStatus(plan: Plan, id: ItemId, status: GoalStatus, ctx: Context): void {
	need(plan.goals[id], 'goal', id).status = { value: status, by: copy(ctx.by), at: ctx.at };
}

/** Adds a measure (tiltak) with status `active`. */
export function addMeasure(plan: Plan, id: ItemId, input: MeasureInput, ctx: Context): void {
	const measure: Measure = {
		id,
		title: input.title,
		description: input.description,
		category: copy(input.category),
		timing: copy(input.timing),
		performer: copy(input.performer),
		addresses: [...input.addresses],
		status: { value: 'active', by: copy(ctx.by), at: ctx.at },
		pllReference: input.pllReference,
		comments: {},
		createdBy: copy(ctx.by),
		createdAt: ctx.at
	};
	plan.measures[id] = measure;
}

/** Edits a measure: every field is replaced whole and stamped, where changed. */
export function updateMeasure(plan: Plan, id: ItemId, input: MeasureInput, ctx: Context): void {
	const m = need(plan.measures[id], 'measure', id);
	if (m.title !== input.title) replaceStamped(m, 'title', input.title, ctx);
	if (m.description !== input.description) replaceStamped(m, 'description', input.description, ctx);
	if (!same(m.timing, input.timing)) replaceStamped(m, 'timing', input.timing, ctx);
	if (!same(m.performer, input.performer)) replaceStamped(m, 'performer', input.performer, ctx);
	if (!same(m.category, input.category)) replaceStamped(m, 'category', input.category, ctx);
	if (!same(m.addresses, input.addresses)) replaceStamped(m, 'addresses', [...input.addresses], ctx);
	if (m.pllReference !== input.pllReference) replaceStamped(m, 'pllReference', input.pllReference, ctx);
}

/** Sets a measure's status, stamped; concurrent settings stay visible as a conflict. */
export function setMeasureStatus(plan: Plan, id: ItemId, status: MeasureStatus, ctx: Context): void {
	need(plan.measures[id], 'measure', id).status = { value: status, by: copy(ctx.by), at: ctx.at };
}

/** Moves a yearly measure's next due date (e.g. the eye clinic brings a check forward): the timing, stamped. */
export function setNextDue(plan: Plan, id: ItemId, date: string, ctx: Context): void {
	const m = need(plan.measures[id], 'measure', id);
	if (m.timing.kind !== 'yearly') throw new Error(`measure ${id} is not yearly`);
	replaceStamped(m, 'timing', { kind: 'yearly', nextDue: date }, ctx);
}

function newComment(id: ItemId, text: string, ctx: Context): Comment {
	return { id, text, by: copy(ctx.by), at: ctx.at, status: 'active' };
}

/** Adds a comment on the plan. */
export function addPlanComment(plan: Plan, id: ItemId, text: string, ctx: Context): void {
	plan.comments[id] = newComment(id, text, ctx);
}

/** Adds a comment on a measure. */
export function addMeasureComment(plan: Plan, measureId: ItemId, id: ItemId, text: string, ctx: Context): void {
	need(plan.measures[measureId], 'measure', measureId).comments[id] = newComment(id, text, ctx);
}

/** Where an authored entry sits in the plan: "what matters", a plan comment, or a comment on a measure. */
export type EntryPlace = { kind: 'what-matters'; id: ItemId } | { kind: 'plan-comment'; id: ItemId } | { kind: 'measure-comment'; measureId: ItemId; id: ItemId };

function entryAt(plan: Plan, place: EntryPlace): WhatMattersEntry | Comment {
	if (place.kind === 'what-matters') return need(plan.whatMatters[place.id], 'what matters entry', place.id);
	if (place.kind === 'plan-comment') return need(plan.comments[place.id], 'comment', place.id);
	return need(need(plan.measures[place.measureId], 'measure', place.measureId).comments[place.id], 'comment', place.id);
}

/**
 * Marks an entry entered in error, with why, by whom and when: how anyone but its author corrects
 * it (the register refuses any other change by them). Its text stays; a new entry says it right.
 */
export function markEnteredInError(plan: Plan, place: EntryPlace, reason: string, ctx: Context): void {
	if (!reason.trim()) throw new Error('marking an entry entered in error needs a reason');
	const entry = entryAt(plan, place);
	entry.status = 'entered-in-error';
	entry.errorStamp = { by: copy(ctx.by), at: ctx.at, reason: reason.trim() };
}

/** Authored entries in the order they were written, those entered in error among them: the original stays in view. */
export function entriesInOrder<E extends WhatMattersEntry | Comment>(entries: Record<string, E>): E[] {
	return Object.values(entries).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

const PATIENT_ROLES: ReadonlySet<string> = new Set(['patient', 'relative']);

/**
 * Whether `by` may mark the entry entered in error, as the register allows it: its author, any
 * clinician, and a patient or proxy on an entry a patient or proxy wrote; an entry only once.
 */
export function mayMarkInError(entry: WhatMattersEntry | Comment, by: PersonRef | null): boolean {
	if (!by || entry.status !== 'active') return false;
	if (samePerson(entry.by, by) || CLINICAL_ROLES.has(by.role)) return true;
	return PATIENT_ROLES.has(by.role) && PATIENT_ROLES.has(entry.by.role);
}

/**
 * Sets a "when to contact whom" level, in force and stamped with who and when. The entry is
 * replaced whole, never edited as text: two concurrent edits stay two versions to choose from.
 */
export function putContactGuidance(plan: Plan, id: ItemId, input: GuidanceInput, ctx: Context): void {
	const guidance: ContactGuidance = { id, ...copy(input), status: 'active', by: copy(ctx.by), at: ctx.at };
	plan.contactGuidance[id] = guidance;
}

/** Ends a guidance level: kept, marked ended with who and when, replaced whole like an edit. */
export function endContactGuidance(plan: Plan, id: ItemId, ctx: Context): void {
	const current = copy(need(plan.contactGuidance[id], 'guidance level', id));
	plan.contactGuidance[id] = { ...current, status: 'ended', by: copy(ctx.by), at: ctx.at };
}

/** Adds a member to the care team. */
export function addCareTeamMember(
	plan: Plan,
	id: ItemId,
	member: { name: string; role: CareRole; organisation: string; personId?: string | null },
	ctx: Context
): void {
	const m: CareTeamMember = { id, ...copy(member), active: true, addedBy: copy(ctx.by), addedAt: ctx.at };
	plan.careTeam[id] = m;
}

/** Ends a care team membership (kept, marked ended): the member's devices lose the plan at their next sync. */
export function endCareTeamMembership(plan: Plan, memberId: ItemId, ctx: Context): void {
	const member = need(plan.careTeam[memberId], 'care team member', memberId);
	member.active = false;
	member.endedBy = copy(ctx.by);
	member.endedAt = ctx.at;
}

/** The plan's privacy choices, created for a plan made before they existed. */
function privacyOf(plan: Plan, ctx: Context): NonNullable<Plan['privacy']> {
	plan.privacy ??= { consent: null, restricted: { value: false, by: copy(ctx.by), at: ctx.at }, blocked: {} };
	return plan.privacy;
}

/** The patient blocks a named clinician from their plan (also against emergency access). */
export function blockClinician(plan: Plan, id: ItemId, clinician: { personId: string; name: string; organisation: string }, ctx: Context): void {
	const block: Block = { id, ...copy(clinician), active: true, by: copy(ctx.by), at: ctx.at };
	privacyOf(plan, ctx).blocked[id] = block;
}

/** The patient lifts a block (kept, marked inactive, so the history shows it). */
export function unblockClinician(plan: Plan, id: ItemId, ctx: Context): void {
	const block = need(plan.privacy?.blocked[id], 'block', id);
	block.active = false;
	block.by = copy(ctx.by);
	block.at = ctx.at;
}

/** The patient restricts the plan to its care team (no emergency access), or lifts that. */
export function setRestricted(plan: Plan, restricted: boolean, ctx: Context): void {
	privacyOf(plan, ctx).restricted = { value: restricted, by: copy(ctx.by), at: ctx.at };
}

/** Makes a care team member responsible for the plan (planansvarlig), stamped. */
export function setResponsible(plan: Plan, memberId: ItemId, ctx: Context): void {
	need(plan.careTeam[memberId], 'care team member', memberId);
	plan.responsible = { value: memberId, by: copy(ctx.by), at: ctx.at };
}
