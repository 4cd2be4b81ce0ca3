/**
 * The shape every plan and month log must have, whoever writes it: the register checks its copy
 * after every incoming change, and the device's forms take their limits from the same table, so
 * the two cannot disagree. Written with valibot (small, tree-shakeable: the device bundles it too).
 *
 * Legacy shapes stay valid: plans made before stamps, guidance names and phones, guidance
 * status, privacy choices or care-team user ids existed. Unknown fields are let through (a newer
 * version may add some); every known field is checked. One file past 250 lines: the schema reads
 * best whole, beside the types in `plan.ts` it mirrors.
 */
import * as v from 'valibot';
import { GUIDANCE_LEVELS, normalizePhone } from './guidance';
import { isItemId, isMonth, isPatientId, type DocumentRef, type ItemId } from './ids';
import { GOAL_CATEGORIES, GOAL_STATUSES, MEASURE_STATUSES, SELF_CARE_CODES, type LogEntry, type MeasureLog, type Plan } from './plan';
import { isCalendarDate, isClockTime } from './time';

/** Text limits in characters, one table for the register's schema and the device's forms. */
export const LIMITS = {
	/** Short texts: a measure's title, a diagnosis, a name, an organisation, a PLL reference. */
	title: 200,
	/** Long texts: descriptions, goals, comments, notes, what matters, guidance. */
	text: 4000,
	/** A diagnosis code (SNOMED CT ids have at most 18 digits). */
	code: 20,
	/** An id given by someone else: a user id at the identity provider, an HPR number. */
	externalId: 200,
	/** Times of day a daily or weekly measure is done. */
	times: 48,
	/** Items one goal or measure addresses. */
	addresses: 100
} as const;

/** Roles on a care team. */
export const CARE_ROLES = ['home-care', 'gp', 'specialist', 'coordinator', 'relative'] as const;
/** Every role a stamp can name. */
export const ROLES = [...CARE_ROLES, 'patient', 'vendor-system'] as const;
const CODE_SYSTEMS = ['ICD-10', 'ICPC-2', 'SNOMED-CT'] as const;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Text of at most `max` characters. */
export const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const title = text(LIMITS.title);
const long = text(LIMITS.text);
/** An item id (branded, so what a command's schema parses is typed as the domain's ids). */
export const itemId = v.custom<ItemId>(isItemId, 'not an item id');
/** An instant, as stamps hold it (ISO 8601 with an offset). */
export const instant = v.pipe(v.string(), v.regex(INSTANT, 'not a time'), v.check((s) => !Number.isNaN(Date.parse(s)), 'not a time'));
/** A calendar date (YYYY-MM-DD). */
export const date = v.pipe(v.string(), v.check(isCalendarDate, 'not a date'));
/** A time of day (HH:MM). */
export const clock = v.pipe(v.string(), v.check(isClockTime, 'not a time of day'));
/** A phone number as stored: normalized. */
export const phone = v.pipe(v.string(), v.check((s) => normalizePhone(s) === s, 'not a phone number as stored'));
const careRole = v.picklist(CARE_ROLES);
const externalId = text(LIMITS.externalId);
/** The items a goal or measure addresses. */
export const addresses = v.pipe(v.array(itemId), v.maxLength(LIMITS.addresses));

type ObjectOf = <E extends v.ObjectEntries>(entries: E) => v.ObjectSchema<E, undefined> | v.StrictObjectSchema<E, undefined>;
/** Text that is not blank, of at most `max` characters. */
export const nonBlank = (max: number) => v.pipe(v.string(), v.check((s) => s.trim() !== '', 'required'), v.maxLength(max));

/**
 * The shapes a plan's items and a command's inputs share, defined once. In the document they
 * are loose (a newer version may add fields; a legacy weekly measure may have no weekday); in
 * a command strict: no unknown field, no blank name or code, at least one weekday.
 */
export function sharedShapes(strict: boolean) {
	const object: ObjectOf = (entries) => (strict ? v.strictObject(entries) : v.object(entries));
	const name = strict ? nonBlank(LIMITS.title) : title;
	const code = strict ? nonBlank(LIMITS.code) : v.pipe(v.string(), v.nonEmpty(), v.maxLength(LIMITS.code));
	const times = v.pipe(v.array(clock), v.maxLength(LIMITS.times));
	const weekdays = v.pipe(v.array(v.picklist([1, 2, 3, 4, 5, 6, 7] as const)), v.minLength(strict ? 1 : 0), v.maxLength(7));
	return {
		coding: object({ system: v.picklist(CODE_SYSTEMS), code, display: v.nullable(title) }),
		timing: v.variant('kind', [
			object({ kind: v.literal('daily'), times }),
			object({ kind: v.literal('weekly'), weekdays, times }),
			object({ kind: v.literal('yearly'), nextDue: date }),
			object({ kind: v.literal('as-needed') })
		]),
		performer: v.variant('kind', [object({ kind: v.literal('patient') }), object({ kind: v.literal('relative') }), object({ kind: v.literal('service'), role: careRole, name })]),
		measureCategory: v.variant('kind', [object({ kind: v.literal('snomed'), code: v.picklist(SELF_CARE_CODES) }), object({ kind: v.literal('text'), text: name })])
	};
}
const { coding, timing, performer, measureCategory } = sharedShapes(false);

/** A "who"; `id` and `hpr` are absent in stamps made before people had stable ids. */
const person = v.object({
	name: title,
	role: v.picklist(ROLES),
	organisation: v.nullable(title),
	id: v.optional(externalId),
	hpr: v.optional(v.nullable(externalId))
});

const stamped = <T extends v.GenericSchema>(value: T) => v.object({ value, by: person, at: instant });
/** Items keyed by their id (that the key is the id is checked with the references). */
const items = <T extends v.GenericSchema>(item: T) => v.record(itemId, item);
const entryStatus = v.picklist(['active', 'entered-in-error']);
/** Who marked an entry entered in error, when, and why (never blank). */
const errorStamp = v.object({ by: person, at: instant, reason: nonBlank(LIMITS.text) });

const comment = v.object({ id: itemId, text: long, by: person, at: instant, status: entryStatus, errorStamp: v.optional(errorStamp) });

const whatMatters = v.object({
	id: itemId,
	text: long,
	writtenAs: v.picklist(['patient', 'relative', 'clinician-on-behalf']),
	by: person,
	at: instant,
	status: entryStatus,
	errorStamp: v.optional(errorStamp)
});

const diagnosisStatus = v.picklist(['active', 'resolved', 'entered-in-error']);
const diagnosis = v.object({
	id: itemId,
	text: title,
	code: v.nullable(coding),
	status: diagnosisStatus,
	createdBy: person,
	createdAt: instant,
	textStamp: v.optional(stamped(title)),
	codeStamp: v.optional(stamped(v.nullable(coding))),
	statusStamp: v.optional(stamped(diagnosisStatus))
});

const goal = v.object({
	id: itemId,
	category: v.picklist(GOAL_CATEGORIES),
	text: long,
	expressedBy: person,
	status: stamped(v.picklist(GOAL_STATUSES)),
	targetDate: v.nullable(date),
	addresses,
	createdAt: instant,
	textStamp: v.optional(stamped(long)),
	categoryStamp: v.optional(stamped(v.picklist(GOAL_CATEGORIES))),
	targetDateStamp: v.optional(stamped(v.nullable(date))),
	addressesStamp: v.optional(stamped(addresses))
});

const measure = v.object({
	id: itemId,
	title,
	description: long,
	category: measureCategory,
	timing,
	performer,
	addresses,
	status: stamped(v.picklist(MEASURE_STATUSES)),
	pllReference: v.nullable(title),
	comments: items(comment),
	createdBy: person,
	createdAt: instant,
	titleStamp: v.optional(stamped(title)),
	descriptionStamp: v.optional(stamped(long)),
	timingStamp: v.optional(stamped(timing)),
	performerStamp: v.optional(stamped(performer)),
	categoryStamp: v.optional(stamped(measureCategory)),
	addressesStamp: v.optional(stamped(addresses)),
	pllReferenceStamp: v.optional(stamped(v.nullable(title)))
});

/** A guidance level: green, yellow, red. */
export const level = v.picklist(GUIDANCE_LEVELS);

const guidance = v.object({
	id: itemId,
	level,
	signs: long,
	action: long,
	// Plans made before name and phone were asked for hold one line of text.
	contact: v.union([v.object({ name: title, phone }), long]),
	status: v.optional(v.picklist(['active', 'ended'])),
	by: v.optional(person),
	at: v.optional(instant)
});

const careTeamMember = v.object({
	id: itemId,
	personId: v.optional(v.nullable(externalId)),
	name: title,
	role: careRole,
	organisation: title,
	active: v.boolean(),
	addedBy: person,
	addedAt: instant,
	endedBy: v.optional(person),
	endedAt: v.optional(instant)
});

const privacy = v.object({
	consent: v.nullable(v.object({ form: v.picklist(['written', 'oral']), givenBy: v.picklist(['patient', 'proxy']), recordedBy: person, at: instant })),
	restricted: stamped(v.boolean()),
	blocked: items(v.object({ id: itemId, personId: externalId, name: title, organisation: title, active: v.boolean(), by: person, at: instant }))
});

const planSchema = v.object({
	schema: v.literal(1),
	patientId: v.pipe(v.string(), v.check((s) => isPatientId(s))),
	patient: v.object({ name: title, birthDate: date, nationalId: v.pipe(v.string(), v.regex(/^\d{11}$/)), municipality: title }),
	whatMatters: items(whatMatters),
	diagnoses: items(diagnosis),
	goals: items(goal),
	measures: items(measure),
	contactGuidance: items(guidance),
	careTeam: items(careTeamMember),
	responsible: stamped(v.nullable(itemId)),
	comments: items(comment),
	privacy: v.optional(privacy),
	createdAt: instant
});

const logEntry = v.object({
	id: itemId,
	measureId: itemId,
	at: instant,
	slot: v.nullable(clock),
	outcome: v.picklist(['done', 'not-done']),
	note: long,
	reason: v.nullable(long),
	by: person,
	recordedAt: instant,
	corrects: v.optional(itemId),
	correctionReason: v.optional(long)
});

const logSchema = v.object({
	schema: v.literal(1),
	patientId: v.pipe(v.string(), v.check((s) => isPatientId(s))),
	month: v.pipe(v.string(), v.check((s) => isMonth(s))),
	entries: items(logEntry)
});

/** Every Plan the types allow is one the schema takes (checked by the compiler). */
export type PlanFitsSchema = Plan extends v.InferInput<typeof planSchema> ? true : never;
/** Every MeasureLog the types allow is one the schema takes (checked by the compiler). */
export type LogFitsSchema = MeasureLog extends v.InferInput<typeof logSchema> ? true : never;
const fits: [PlanFitsSchema, LogFitsSchema] = [true, true];
void fits;

/** The dotted path of the first problem valibot finds, or null. */
function shapeProblem(schema: v.GenericSchema, value: unknown): string | null {
	const result = v.safeParse(schema, value, { abortEarly: true, abortPipeEarly: true });
	if (result.success) return null;
	const [issue] = result.issues;
	return (issue && v.getDotPath(issue)) || '(document)';
}

/** The first item of a collection whose key is not its id, as a path. */
function keyProblem(collection: string, records: Record<string, { id: string }>): string | null {
	for (const [key, item] of Object.entries(records)) if (item.id !== key) return `${collection}.${key}.id`;
	return null;
}

/**
 * What the types cannot say: items keyed by their own id, and references to items that exist (a
 * goal addresses diagnoses; a measure, diagnoses or goals; the responsible is on the care team).
 * Items are never removed (they end or are entered in error), so a reference stays good.
 */
function planReferenceProblem(plan: Plan): string | null {
	for (const name of ['whatMatters', 'diagnoses', 'goals', 'measures', 'contactGuidance', 'careTeam', 'comments'] as const) {
		const problem = keyProblem(name, plan[name]);
		if (problem) return problem;
	}
	const blocks = plan.privacy ? keyProblem('privacy.blocked', plan.privacy.blocked) : null;
	if (blocks) return blocks;
	for (const g of Object.values(plan.goals)) {
		const i = g.addresses.findIndex((id) => !plan.diagnoses[id]);
		if (i >= 0) return `goals.${g.id}.addresses.${i}`;
	}
	for (const m of Object.values(plan.measures)) {
		const i = m.addresses.findIndex((id) => !plan.diagnoses[id] && !plan.goals[id]);
		if (i >= 0) return `measures.${m.id}.addresses.${i}`;
		const comments = keyProblem(`measures.${m.id}.comments`, m.comments);
		if (comments) return comments;
	}
	const responsible = plan.responsible.value;
	return responsible !== null && !plan.careTeam[responsible] ? 'responsible.value' : null;
}

function logReferenceProblem(log: MeasureLog): string | null {
	const keys = keyProblem('entries', log.entries);
	if (keys) return keys;
	const entries: LogEntry[] = Object.values(log.entries);
	const unknown = entries.find((e) => e.corrects !== undefined && !log.entries[e.corrects]);
	return unknown ? `entries.${unknown.id}.corrects` : null;
}

/** The first invalid path of a plan, dotted (`measures.<id>.title`), or null when it is valid. */
export function planProblem(value: unknown): string | null {
	return shapeProblem(planSchema, value) ?? planReferenceProblem(value as Plan);
}

/** The first invalid path of a month's measure log, dotted (`entries.<id>.note`), or null when it is valid. */
export function logProblem(value: unknown): string | null {
	return shapeProblem(logSchema, value) ?? logReferenceProblem(value as MeasureLog);
}

/** The first invalid path of the document `ref` names, including that it is about that patient (and month). */
export function documentProblem(ref: DocumentRef, value: unknown): string | null {
	const problem = ref.kind === 'plan' ? planProblem(value) : logProblem(value);
	if (problem) return problem;
	const doc = value as Plan | MeasureLog;
	if (doc.patientId !== ref.patientId) return 'patientId';
	return ref.kind === 'log' && (doc as MeasureLog).month !== ref.month ? 'month' : null;
}

/** What the device's forms make, checked by the same parts of the schema as the items they become. */
const INPUTS = {
	diagnosis: v.object({ text: title, code: v.nullable(coding) }),
	goal: v.object({ category: v.picklist(GOAL_CATEGORIES), text: long, targetDate: v.nullable(date), addresses }),
	measure: v.object({ title, description: long, category: measureCategory, timing, performer, addresses, pllReference: v.nullable(title) }),
	guidance: v.object({ level, signs: long, action: long, contact: v.object({ name: title, phone }) })
};

/** The first path of a form's parsed input that the register would refuse, dotted; null when it would take it. */
export function inputProblem(kind: keyof typeof INPUTS, value: unknown): string | null {
	return shapeProblem(INPUTS[kind], value);
}
