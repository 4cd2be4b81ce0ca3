import * as v from 'valibot';
import type { Command } from './commands';
import { GOAL_CATEGORIES, GOAL_STATUSES, MEASURE_STATUSES } from './plan';
import { MAX_TEXT, MAX_TITLE } from './reasons';
import { CARE_ROLES, ROLES, addresses, clock, date, instant, itemId, level, nonBlank, phone, sharedShapes, text } from './schema';

/*
 * The shape of a command, checked where one enters the register from outside: every field's
 * type, the enums, ids, dates and times, and the same text limits as the forms. Whether the
 * document is valid after it, and whether the user may make it, is the write path's to decide.
 */

/** The longest command accepted, as JSON: checked before anything else reads it. */
export const MAX_COMMAND_CHARS = 64 * 1024;

const MAX_ITEMS = 100;
const { coding, timing, performer, measureCategory } = sharedShapes(true);


const diagnosisInput = v.strictObject({ text: nonBlank(MAX_TITLE), code: v.nullable(coding) });
const goalInput = v.strictObject({ category: v.picklist(GOAL_CATEGORIES), text: nonBlank(MAX_TEXT), targetDate: v.nullable(date), addresses });
const measureInput = v.strictObject({
	title: nonBlank(MAX_TITLE),
	description: text(MAX_TEXT),
	category: measureCategory,
	timing,
	performer,
	addresses,
	pllReference: v.nullable(text(MAX_TITLE))
});
const guidanceInput = v.strictObject({ level, signs: nonBlank(MAX_TEXT), action: nonBlank(MAX_TEXT), contact: v.strictObject({ name: nonBlank(MAX_TITLE), phone }) });

const visitRecord = v.variant('outcome', [
	v.strictObject({ outcome: v.literal('done'), measureId: itemId, at: instant, slot: v.nullable(clock), note: text(MAX_TEXT) }),
	v.strictObject({ outcome: v.literal('not-done'), measureId: itemId, at: instant, slot: v.nullable(clock), note: text(MAX_TEXT), reason: nonBlank(MAX_TEXT) })
]);
const correction = v.strictObject({ outcome: v.picklist(['done', 'not-done']), at: instant, note: text(MAX_TEXT), reason: v.nullable(text(MAX_TEXT)), correctionReason: nonBlank(MAX_TEXT) });

/** A version as the clinician saw it; its value is checked with the document it is written into. */
const version = v.strictObject({
	value: v.unknown(),
	by: v.nullable(v.looseObject({ name: text(MAX_TITLE), role: v.picklist(ROLES), organisation: v.nullable(text(MAX_TITLE)) })),
	at: v.nullable(text(40))
});
const conflictOf = <A extends string, F extends string>(area: A, fields: readonly [F, ...F[]]) =>
	v.strictObject({ path: text(MAX_TITLE), area: v.literal(area), item: v.nullable(itemId), field: v.picklist(fields), versions: v.pipe(v.array(version), v.maxLength(MAX_ITEMS)) });
/** The fields that can be in conflict, by part of the plan (as `planConflicts` finds them). */
const conflict = v.variant('area', [
	conflictOf('diagnoses', ['text', 'code']),
	conflictOf('goals', ['text', 'status']),
	conflictOf('measures', ['title', 'description', 'timing', 'performer', 'status']),
	conflictOf('contactGuidance', ['entry']),
	conflictOf('plan', ['responsible'])
]);
const resolution = v.union([v.strictObject({ choose: v.pipe(v.number(), v.integer(), v.minValue(0)) }), v.strictObject({ write: nonBlank(MAX_TEXT) })]);

const entryPlace = v.variant('kind', [
	v.strictObject({ kind: v.literal('what-matters'), id: itemId }),
	v.strictObject({ kind: v.literal('plan-comment'), id: itemId }),
	v.strictObject({ kind: v.literal('measure-comment'), measureId: itemId, id: itemId })
]);

const command = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) => v.strictObject({ type: v.literal(type), ...entries });

const commandSchema = v.variant('type', [
	command('add-what-matters', { id: itemId, text: nonBlank(MAX_TEXT), writtenAs: v.picklist(['patient', 'relative', 'clinician-on-behalf']) }),
	command('add-diagnosis', { id: itemId, input: diagnosisInput }),
	command('update-diagnosis', { id: itemId, input: diagnosisInput, status: v.optional(v.picklist(['active', 'resolved', 'entered-in-error'])) }),
	command('add-goal', { id: itemId, input: goalInput }),
	command('update-goal', { id: itemId, input: goalInput, status: v.optional(v.picklist(GOAL_STATUSES)) }),
	command('add-measure', { id: itemId, input: measureInput }),
	command('update-measure', { id: itemId, input: measureInput, status: v.optional(v.picklist(MEASURE_STATUSES)) }),
	command('set-measure-status', { id: itemId, status: v.picklist(MEASURE_STATUSES) }),
	command('set-next-due', { id: itemId, date }),
	command('add-plan-comment', { id: itemId, text: nonBlank(MAX_TEXT) }),
	command('add-measure-comment', { measureId: itemId, id: itemId, text: nonBlank(MAX_TEXT) }),
	command('mark-entered-in-error', { place: entryPlace, reason: nonBlank(MAX_TEXT) }),
	command('put-contact-guidance', { id: itemId, input: guidanceInput }),
	command('end-contact-guidance', { id: itemId }),
	command('add-care-team-member', {
		id: itemId,
		member: v.strictObject({ name: nonBlank(MAX_TITLE), role: v.picklist(CARE_ROLES), organisation: text(MAX_TITLE), personId: v.optional(v.nullable(nonBlank(MAX_TITLE))) })
	}),
	command('end-care-team-membership', { id: itemId }),
	command('set-responsible', { memberId: itemId }),
	command('block-clinician', { id: itemId, clinician: v.strictObject({ personId: nonBlank(MAX_TITLE), name: nonBlank(MAX_TITLE), organisation: text(MAX_TITLE) }) }),
	command('unblock-clinician', { id: itemId }),
	command('set-restricted', { restricted: v.boolean() }),
	command('resolve-conflict', { conflict, resolution }),
	command('record-visit', { id: itemId, record: visitRecord }),
	command('correct-record', { id: itemId, originalId: itemId, correction })
]);

/** The command, or where its shape is wrong: `path` names the field (`input.title`), `problem` what is wrong with it. */
export type ParsedCommand = { ok: true; command: Command } | { ok: false; path: string; problem: string };

/** Checks a command from outside (a caller on the server, later the FHIR API); never throws. */
export function parseCommand(value: unknown): ParsedCommand {
	let size: number;
	try {
		size = JSON.stringify(value)?.length ?? 0;
	} catch {
		return { ok: false, path: '', problem: 'not plain data' };
	}
	if (size > MAX_COMMAND_CHARS) return { ok: false, path: '', problem: `longer than ${MAX_COMMAND_CHARS} characters` };
	const parsed = v.safeParse(commandSchema, value);
	if (!parsed.success) {
		const [issue] = parsed.issues;
		return { ok: false, path: v.getDotPath(issue) ?? '', problem: issue.message };
	}
	const command = parsed.output;
	// A conflict's versions are of the field's type: checked with the document the chosen one is written into.
	return { ok: true, command: command.type === 'resolve-conflict' ? (command as Command) : command };
}
