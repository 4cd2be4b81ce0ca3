/**
 * The inverse of resources.ts for what a vendor may write: a Condition, Goal or ServiceRequest
 * body becomes the domain command a tablet's form would make (add-/update-diagnosis, -goal,
 * -measure), and a delete becomes the mark entered in error. Elements the register derives
 * (meta, text, recorder, requester, dates) are ignored; anything the plan cannot hold is refused
 * with a reason code and a FHIRPath-like expression naming the element, never dropped silently.
 * Pure: the plan as it is now decides what references resolve to.
 */
import type { CodeableConcept, Condition, Goal as FhirGoal, Reference, ServiceRequest } from 'fhir/r4';
import { checkCode, normalizeCode } from '$lib/domain/codes';
import type { PlanCommand } from '$lib/domain/commands';
import type { ItemId } from '$lib/domain/ids';
import type { DiagnosisInput, GoalInput, MeasureInput } from '$lib/domain/inputs';
import { GOAL_CATEGORIES, SELF_CARE_CODES, GOAL_STATUSES, type GoalCategory, type GoalStatus, type MeasureStatus, type Performer, type Plan, type SelfCareCode } from '$lib/domain/plan';
import { CARE_ROLE_SYSTEM, CODE_SYSTEM_OF, CONDITION_CLINICAL, GOAL_CATEGORY_SYSTEM, SNOMED } from './systems';
import { timingOf } from './timing';

/** The resource types a vendor may write. */
export type WritableType = 'Condition' | 'Goal' | 'ServiceRequest';
export const WRITABLE_TYPES: readonly WritableType[] = ['Condition', 'Goal', 'ServiceRequest'];

/** Why a body cannot become a command: 400 for what is not the resource asked for, 422 for what the plan cannot hold. */
export type MappingRefusal = { status: 400 | 422; code: string; diagnostics: string; expression: string[] };
export type Mapped = { ok: true; command: PlanCommand } | { ok: false; refusal: MappingRefusal };

class Refused extends Error {
	constructor(readonly refusal: MappingRefusal) {
		super(refusal.diagnostics);
	}
}
const refuse = (status: 400 | 422, code: string, diagnostics: string, expression: string): never => {
	throw new Refused({ status, code, diagnostics, expression: [expression] });
};

/** The elements read from each type; the rest of R4 is refused. Read-only ones (derived by the register) are allowed and ignored. */
const ELEMENTS: Record<WritableType, ReadonlySet<string>> = {
	Condition: new Set(['resourceType', 'id', 'meta', 'text', 'clinicalStatus', 'verificationStatus', 'code', 'subject', 'recordedDate', 'recorder']),
	Goal: new Set(['resourceType', 'id', 'meta', 'text', 'lifecycleStatus', 'category', 'description', 'subject', 'expressedBy', 'target', 'addresses']),
	ServiceRequest: new Set(['resourceType', 'id', 'meta', 'text', 'status', 'intent', 'category', 'code', 'orderDetail', 'subject', 'occurrenceTiming', 'asNeededBoolean', 'authoredOn', 'requester', 'performer', 'performerType', 'reasonReference', 'supportingInfo', 'note'])
};

function checkShape(type: WritableType, body: unknown, id: ItemId | null): Record<string, unknown> {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(400, 'not-a-resource', 'the body is not a FHIR resource (a JSON object)', type);
	const r = body as Record<string, unknown>;
	if (r.resourceType !== type) return refuse(400, 'wrong-resource-type', `the body's resourceType is not ${type}`, `${type}.resourceType`);
	if (id !== null && r.id !== id) return refuse(400, 'id-mismatch', 'the body’s id must be the id in the URL', `${type}.id`);
	const unknown = Object.keys(r).find((k) => !ELEMENTS[type].has(k));
	if (unknown) refuse(422, 'element-not-supported', `the plan cannot hold ${type}.${unknown}`, `${type}.${unknown}`);
	return r;
}

function checkSubject(type: WritableType, subject: unknown, plan: Plan): void {
	const ref = (subject as Reference | undefined)?.reference;
	if (ref !== `Patient/${plan.patientId}`) refuse(422, 'subject-mismatch', `subject must be Patient/${plan.patientId}, the patient whose plan this is`, `${type}.subject`);
}

const str = (v: unknown, max = 4000): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** The plan's item ids that a list of references (`Condition/<id>`) names; each must be a diagnosis of this plan. */
function conditionIds(refs: unknown, plan: Plan, at: string): ItemId[] {
	if (refs === undefined) return [];
	if (!Array.isArray(refs)) return refuse(400, 'not-a-list', 'expected a list of references', at);
	return refs.map((r: Reference, i) => {
		const id = /^Condition\/(.+)$/.exec(r?.reference ?? '')?.[1];
		if (!id || !plan.diagnoses[id]) return refuse(422, 'reference-not-found', `${r?.reference ?? 'the reference'} is not a Condition of this plan`, `${at}[${i}]`);
		return id as ItemId;
	});
}

function codingOf(code: CodeableConcept | undefined, at: string): DiagnosisInput {
	if (!code || typeof code !== 'object') return refuse(422, 'required', 'a condition needs a code (text, and optionally one coding)', at);
	const [coding, ...more] = code.coding ?? [];
	if (more.length) refuse(422, 'one-coding', 'the plan holds one coding per diagnosis', `${at}.coding[1]`);
	const text = code.text ?? coding?.display;
	if (!str(text, 200)) return refuse(422, 'required', 'code.text (or the coding’s display) is the diagnosis as the plan shows it', `${at}.text`);
	if (!coding) return { text: text.trim(), code: null };
	const system = CODE_SYSTEM_OF.get(coding.system ?? '');
	if (!system) return refuse(422, 'code-system-unknown', 'the code system must be ICD-10, ICPC-2 or SNOMED CT (by their URIs)', `${at}.coding[0].system`);
	if (!str(coding.code, 40)) return refuse(422, 'required', 'the coding needs a code', `${at}.coding[0].code`);
	const value = normalizeCode(system, coding.code);
	const problem = checkCode(system, value);
	// As the tablet's form checks it: the code's shape in its system (and a SNOMED CT id's check digit).
	if (problem) return refuse(422, 'unknown-code', `${coding.code} is not a ${system} code (${problem})`, `${at}.coding[0].code`);
	return { text: text.trim(), code: { system, code: value, display: coding.display?.trim() || null } };
}

function condition(r: Condition, plan: Plan, id: ItemId | null, newId: ItemId): PlanCommand {
	checkSubject('Condition', r.subject, plan);
	const input = codingOf(r.code, 'Condition.code');
	const inError = r.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error');
	const clinical = r.clinicalStatus?.coding?.find((c) => c.system === CONDITION_CLINICAL)?.code ?? 'active';
	if (!inError && clinical !== 'active' && clinical !== 'resolved') refuse(422, 'code-not-supported', 'clinicalStatus is active or resolved', 'Condition.clinicalStatus');
	const status = inError ? 'entered-in-error' : (clinical as 'active' | 'resolved');
	if (id === null) {
		if (status !== 'active') refuse(422, 'create-active', 'a new condition is active', 'Condition.clinicalStatus');
		return { type: 'add-diagnosis', id: newId, input };
	}
	return { type: 'update-diagnosis', id, input, status };
}

function goal(r: FhirGoal, plan: Plan, id: ItemId | null, newId: ItemId): PlanCommand {
	checkSubject('Goal', r.subject, plan);
	if (id && plan.whatMatters[id]) refuse(422, 'read-only', 'a "what matters" entry is the patient’s own words, written on the tablet', 'Goal');
	const codes = (r.category ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === GOAL_CATEGORY_SYSTEM);
	const category = codes[0]?.code as GoalCategory | undefined;
	if (codes.length !== 1 || !category || !GOAL_CATEGORIES.includes(category)) refuse(422, 'category-required', `one category coded in ${GOAL_CATEGORY_SYSTEM}: ${GOAL_CATEGORIES.join(', ')}`, 'Goal.category');
	if (!str(r.description?.text, 2000)) refuse(422, 'required', 'description.text is the goal', 'Goal.description.text');
	const status = r.lifecycleStatus as GoalStatus;
	if (!GOAL_STATUSES.includes(status)) refuse(422, 'code-not-supported', `lifecycleStatus is one of ${GOAL_STATUSES.join(', ')}`, 'Goal.lifecycleStatus');
	if ((r.target?.length ?? 0) > 1) refuse(422, 'one-target', 'the plan holds one target date', 'Goal.target[1]');
	const due = r.target?.[0]?.dueDate ?? null;
	if (r.target?.[0] && !due) refuse(422, 'target-date', 'a target is a dueDate', 'Goal.target[0]');
	const input: GoalInput = { category: category!, text: r.description.text!.trim(), targetDate: due, addresses: conditionIds(r.addresses, plan, 'Goal.addresses') };
	if (id === null) {
		if (status !== 'active') refuse(422, 'create-active', 'a new goal is active', 'Goal.lifecycleStatus');
		return { type: 'add-goal', id: newId, input };
	}
	return { type: 'update-goal', id, input, status };
}

function performerOf(r: ServiceRequest, plan: Plan): Performer {
	const [who, ...more] = r.performer ?? [];
	if (more.length) refuse(422, 'one-performer', 'a measure has one performer', 'ServiceRequest.performer[1]');
	const role = r.performerType?.coding?.find((c) => c.system === CARE_ROLE_SYSTEM)?.code;
	if (who?.reference === `Patient/${plan.patientId}`) return { kind: 'patient' };
	if (!who && role === 'relative') return { kind: 'relative' };
	const member = /^PractitionerRole\/(.+)$/.exec(who?.reference ?? '')?.[1];
	if (member) {
		const m = plan.careTeam[member];
		if (!m || m.role === 'relative') return refuse(422, 'reference-not-found', `${who!.reference} is not on this patient’s care team`, 'ServiceRequest.performer[0]');
		return { kind: 'service', role: m.role, name: who!.display?.trim() || m.organisation };
	}
	if (who?.reference) return refuse(422, 'performer-not-supported', 'the performer is the Patient or a PractitionerRole of the care team', 'ServiceRequest.performer[0]');
	if (!str(who?.display, 200) || !role || role === 'relative' || !['home-care', 'gp', 'specialist', 'coordinator'].includes(role)) {
		return refuse(422, 'performer-required', `a service performer needs a display name and a performerType coded in ${CARE_ROLE_SYSTEM}`, 'ServiceRequest.performer');
	}
	return { kind: 'service', role: role as 'home-care', name: who!.display!.trim() };
}

function measureInput(r: ServiceRequest, plan: Plan): MeasureInput {
	if (r.intent !== 'plan') refuse(422, 'intent-plan', 'intent is plan', 'ServiceRequest.intent');
	if (!str(r.code?.text, 200)) refuse(422, 'required', 'code.text is the measure’s title', 'ServiceRequest.code.text');
	const [cat, ...more] = r.category ?? [];
	if (!cat || more.length) refuse(422, 'category-required', 'one category: a SNOMED CT self-care code, or text', 'ServiceRequest.category');
	const snomed = cat!.coding?.find((c) => c.system === SNOMED)?.code;
	if (snomed !== undefined && !SELF_CARE_CODES.includes(snomed as SelfCareCode)) refuse(422, 'code-not-supported', `the SNOMED CT category is one of ${SELF_CARE_CODES.join(', ')}`, 'ServiceRequest.category[0].coding');
	if (snomed === undefined && !str(cat!.text, 200)) refuse(422, 'category-required', 'a category without a SNOMED CT code is text', 'ServiceRequest.category[0].text');
	const timing = r.asNeededBoolean ? ({ kind: 'as-needed' } as const) : r.occurrenceTiming ? timingOf(r.occurrenceTiming) : null;
	if (!timing) return refuse(422, 'timing-required', 'occurrenceTiming, or asNeededBoolean true', 'ServiceRequest.occurrenceTiming');
	if ('problem' in timing) return refuse(422, 'timing-not-supported', timing.problem, `ServiceRequest.occurrenceTiming.${timing.at}`);
	const [pll] = r.supportingInfo ?? [];
	return {
		title: r.code!.text!.trim(),
		description: r.orderDetail?.[0]?.text?.trim() ?? '',
		category: snomed ? { kind: 'snomed', code: snomed as SelfCareCode } : { kind: 'text', text: cat!.text!.trim() },
		timing,
		performer: performerOf(r, plan),
		addresses: conditionIds(r.reasonReference, plan, 'ServiceRequest.reasonReference'),
		pllReference: pll?.display?.trim() || null
	};
}

const MEASURE_STATUSES: readonly MeasureStatus[] = ['active', 'on-hold', 'completed', 'entered-in-error'];

function serviceRequest(r: ServiceRequest, plan: Plan, id: ItemId | null, newId: ItemId): PlanCommand {
	checkSubject('ServiceRequest', r.subject, plan);
	const status = r.status as MeasureStatus;
	if (!MEASURE_STATUSES.includes(status)) refuse(422, 'code-not-supported', `status is one of ${MEASURE_STATUSES.join(', ')}`, 'ServiceRequest.status');
	const input = measureInput(r, plan);
	if (id === null) {
		if (status !== 'active') refuse(422, 'create-active', 'a new measure is active', 'ServiceRequest.status');
		return { type: 'add-measure', id: newId, input };
	}
	return { type: 'update-measure', id, input, status };
}

/**
 * The command a create (`id` null: the item gets `newId`) or an update (of item `id`, which the
 * caller has found in the plan) of a resource makes, or why there is none.
 */
export function commandFor(type: WritableType, body: unknown, plan: Plan, id: ItemId | null, newId: ItemId): Mapped {
	try {
		const r = checkShape(type, body, id);
		if (type === 'Condition') return { ok: true, command: condition(r as unknown as Condition, plan, id, newId) };
		if (type === 'Goal') return { ok: true, command: goal(r as unknown as FhirGoal, plan, id, newId) };
		return { ok: true, command: serviceRequest(r as unknown as ServiceRequest, plan, id, newId) };
	} catch (error) {
		// A malformed body (a string where an object belongs) is as refused as a wrong one.
		if (error instanceof Refused) return { ok: false, refusal: error.refusal };
		if (error instanceof TypeError) return { ok: false, refusal: { status: 400, code: 'malformed', diagnostics: 'the body does not have the shape of the resource', expression: [type] } };
		throw error;
	}
}

/** The logical delete of an item the plan holds: marked entered in error, its history kept. Null for an item that is not writable. */
export function deleteCommand(type: WritableType, plan: Plan, id: ItemId): PlanCommand | null {
	if (type === 'Condition') {
		const d = plan.diagnoses[id];
		return d ? { type: 'update-diagnosis', id, input: { text: d.text, code: d.code }, status: 'entered-in-error' } : null;
	}
	if (type === 'Goal') {
		const g = plan.goals[id];
		return g ? { type: 'update-goal', id, input: { category: g.category, text: g.text, targetDate: g.targetDate, addresses: [...g.addresses] }, status: 'entered-in-error' } : null;
	}
	return plan.measures[id] ? { type: 'set-measure-status', id, status: 'entered-in-error' } : null;
}
