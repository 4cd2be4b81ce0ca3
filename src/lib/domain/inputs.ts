import { GUIDANCE_LEVELS, normalizePhone } from './guidance';
import { checkCode, normalizeCode } from './codes';
import { isItemId, type ItemId } from './ids';
import {
	GOAL_CATEGORIES,
	SELF_CARE_CODES,
	type CareRole,
	type CodeSystem,
	type Coding,
	type Diagnosis,
	type GoalCategory,
	type GuidanceContact,
	type GuidanceLevel,
	type MeasureCategory,
	type Performer,
	type SelfCareCode,
	type Timing,
	type Weekday
} from './plan';
import { tooLong, type FieldErrors, type Result } from './reasons';
import { inputProblem, LIMITS } from './schema';
import { isCalendarDate, isClockTime } from './time';

export type DiagnosisInput = { text: string; code: Coding | null };
export type GoalInput = { category: GoalCategory; text: string; targetDate: string | null; addresses: ItemId[] };
export type MeasureInput = {
	title: string;
	description: string;
	category: MeasureCategory;
	timing: Timing;
	performer: Performer;
	addresses: ItemId[];
	pllReference: string | null;
};

export type GuidanceInput = { level: GuidanceLevel; signs: string; action: string; contact: GuidanceContact };

/** Raw form fields: what a browser form or an API body hands us before any checking. */
export type RawFields = Record<string, string | string[] | undefined>;

const CODE_SYSTEMS: readonly CodeSystem[] = ['ICD-10', 'ICPC-2', 'SNOMED-CT'];
const CARE_ROLES: readonly CareRole[] = ['home-care', 'gp', 'specialist', 'coordinator', 'relative'];

function one(raw: RawFields, key: string): string {
	const v = raw[key];
	return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

function many(raw: RawFields, key: string): string[] {
	const v = raw[key];
	if (v === undefined) return [];
	return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
}

function text(raw: RawFields, key: string, errors: FieldErrors, max: number, required: boolean): string {
	const value = one(raw, key);
	if (required && !value) errors[key] = 'required';
	else if (value.length > max) errors[key] = tooLong(max);
	return value;
}

function itemIds(raw: RawFields, key: string, known: ReadonlySet<string>, errors: FieldErrors): ItemId[] {
	const ids = many(raw, key);
	if (!ids.every((id) => isItemId(id) && known.has(id))) errors[key] = 'unknown-item';
	return ids.filter(isItemId);
}

function done<T>(value: T, errors: FieldErrors): Result<T> {
	return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value };
}

/** Form fields named differently from the input's paths. */
const FIELD_OF: Record<string, string> = { 'category.text': 'categoryText', 'performer.name': 'performerName', 'contact.name': 'contactName', 'contact.phone': 'contactPhone', 'timing.times': 'times', 'timing.weekdays': 'weekdays', 'timing.nextDue': 'nextDue' };

/**
 * The form's checks passed: the register's schema must take the input too, or the form says
 * which field it would refuse, so a form never saves what the register sets aside.
 */
function agreed<T>(kind: Parameters<typeof inputProblem>[0], value: T, errors: FieldErrors): Result<T> {
	const path = Object.keys(errors).length ? null : inputProblem(kind, value);
	if (path) {
		const [top = '', second] = path.split('.');
		errors[FIELD_OF[`${top}.${second}`] ?? top] = 'invalid-choice';
	}
	return done(value, errors);
}

/** A diagnosis text compared as a clinician reads it: case, and runs of spaces, do not matter. */
const sameText = (a: string, b: string) => a.replace(/\s+/g, ' ').trim().toLocaleLowerCase('nb') === b.replace(/\s+/g, ' ').trim().toLocaleLowerCase('nb');

/**
 * Whether `input` repeats one of the plan's active diagnoses: the same system and code, or the
 * same text where one of the two has no code (coded diagnoses may share a name).
 */
function duplicateOf(input: DiagnosisInput, others: readonly Diagnosis[]): 'duplicate-code' | 'duplicate-text' | null {
	for (const d of others) {
		if (d.status !== 'active') continue;
		if (input.code && d.code && input.code.system === d.code.system && input.code.code === normalizeCode(d.code.system, d.code.code)) return 'duplicate-code';
		if ((!input.code || !d.code) && sameText(input.text, d.text)) return 'duplicate-text';
	}
	return null;
}

/**
 * Checks a diagnosis form: text required; a code needs its system and that system's format
 * (stored normalized); and it may not repeat an active diagnosis among `others` (the plan's
 * diagnoses but the one being edited).
 */
export function parseDiagnosisInput(raw: RawFields, others: readonly Diagnosis[] = []): Result<DiagnosisInput> {
	const errors: FieldErrors = {};
	const txt = text(raw, 'text', errors, LIMITS.title, true);
	const code = one(raw, 'code');
	const system = one(raw, 'system');
	let coding: Coding | null = null;
	if (code) {
		if (!CODE_SYSTEMS.includes(system as CodeSystem)) errors.system = 'invalid-choice';
		else if (code.length > LIMITS.code) errors.code = tooLong(LIMITS.code);
		else {
			const normalized = normalizeCode(system as CodeSystem, code);
			const problem = checkCode(system as CodeSystem, normalized);
			if (problem) errors.code = problem;
			else coding = { system: system as CodeSystem, code: normalized, display: null };
		}
	}
	const input = { text: txt, code: coding };
	if (!Object.keys(errors).length) {
		const duplicate = duplicateOf(input, others);
		if (duplicate) errors[duplicate === 'duplicate-code' ? 'code' : 'text'] = duplicate;
	}
	return agreed('diagnosis', input, errors);
}

/** The dates a goal's target date is judged by: today (Oslo) and the date the goal has now, if any. */
export type GoalDates = { today: string; saved: string | null };

/**
 * Checks a goal form against the plan's diagnoses. A target date before today, other than the one
 * the goal already has, is taken only when the form confirms that same date (`confirmPastDate`).
 */
export function parseGoalInput(raw: RawFields, diagnosisIds: ReadonlySet<string>, dates: GoalDates): Result<GoalInput> {
	const errors: FieldErrors = {};
	const category = one(raw, 'category') as GoalCategory;
	if (!GOAL_CATEGORIES.includes(category)) errors.category = 'invalid-choice';
	const txt = text(raw, 'text', errors, LIMITS.text, true);
	const targetDate = one(raw, 'targetDate') || null;
	if (targetDate && !isCalendarDate(targetDate)) errors.targetDate = 'invalid-date';
	else if (targetDate && targetDate < dates.today && targetDate !== dates.saved && one(raw, 'confirmPastDate') !== targetDate) errors.targetDate = 'target-date-past';
	const addresses = itemIds(raw, 'addresses', diagnosisIds, errors);
	return agreed('goal', { category, text: txt, targetDate, addresses }, errors);
}

function parseTiming(raw: RawFields, errors: FieldErrors): Timing {
	const kind = one(raw, 'timing');
	// Only daily and weekly measures have times; a hidden leftover field must not block the form.
	const times = kind === 'daily' || kind === 'weekly' ? [...new Set(many(raw, 'times'))].sort() : [];
	if (!times.every(isClockTime)) errors.times = 'invalid-time';
	switch (kind) {
		case 'daily':
			if (!times.length) errors.times = 'required';
			return { kind, times };
		case 'weekly': {
			const weekdays = many(raw, 'weekdays').map(Number);
			if (!weekdays.length) errors.weekdays = 'no-weekdays';
			else if (!weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) errors.weekdays = 'invalid-choice';
			return { kind, weekdays: weekdays as Weekday[], times };
		}
		case 'yearly': {
			const nextDue = one(raw, 'nextDue');
			if (!isCalendarDate(nextDue)) errors.nextDue = nextDue ? 'invalid-date' : 'required';
			return { kind, nextDue };
		}
		case 'as-needed':
			return { kind };
		default:
			errors.timing = 'invalid-choice';
			return { kind: 'as-needed' };
	}
}

function parsePerformer(raw: RawFields, errors: FieldErrors): Performer {
	const kind = one(raw, 'performer');
	if (kind === 'patient' || kind === 'relative') return { kind };
	if (CARE_ROLES.includes(kind as CareRole)) {
		const name = text(raw, 'performerName', errors, LIMITS.title, true);
		return { kind: 'service', role: kind as CareRole, name };
	}
	errors.performer = 'invalid-choice';
	return { kind: 'patient' };
}

/** Checks a measure form against the plan's diagnoses. */
export function parseMeasureInput(raw: RawFields, diagnosisIds: ReadonlySet<string>): Result<MeasureInput> {
	const errors: FieldErrors = {};
	const title = text(raw, 'title', errors, LIMITS.title, true);
	const description = text(raw, 'description', errors, LIMITS.text, false);
	const categoryRaw = one(raw, 'category');
	let category: MeasureCategory;
	if (SELF_CARE_CODES.includes(categoryRaw as SelfCareCode)) category = { kind: 'snomed', code: categoryRaw as SelfCareCode };
	else if (categoryRaw === 'text') category = { kind: 'text', text: text(raw, 'categoryText', errors, LIMITS.title, true) };
	else {
		errors.category = 'invalid-choice';
		category = { kind: 'text', text: '' };
	}
	const timing = parseTiming(raw, errors);
	const performer = parsePerformer(raw, errors);
	const addresses = itemIds(raw, 'addresses', diagnosisIds, errors);
	const pll = text(raw, 'pllReference', errors, LIMITS.title, false);
	return agreed('measure', { title, description, category, timing, performer, addresses, pllReference: pll || null }, errors);
}

/** Checks a free-text field (comment, what matters, note): required and bounded. */
export function parseText(raw: RawFields, key: string, max: number = LIMITS.text): Result<string> {
	const errors: FieldErrors = {};
	const value = text(raw, key, errors, max, true);
	return done(value, errors);
}

/** Checks a "when to contact whom" form: a level, signs, what to do, and a name and Norwegian phone number to call. */
export function parseGuidanceInput(raw: RawFields): Result<GuidanceInput> {
	const errors: FieldErrors = {};
	const level = one(raw, 'level') as GuidanceLevel;
	if (!GUIDANCE_LEVELS.includes(level)) errors.level = 'invalid-choice';
	const signs = text(raw, 'signs', errors, LIMITS.text, true);
	const action = text(raw, 'action', errors, LIMITS.text, true);
	const name = text(raw, 'contactName', errors, LIMITS.title, true);
	const written = text(raw, 'contactPhone', errors, LIMITS.title, true);
	const phone = written ? normalizePhone(written) : null;
	if (written && !phone) errors.contactPhone = 'invalid-phone';
	return agreed('guidance', { level, signs, action, contact: { name, phone: phone ?? '' } }, errors);
}
