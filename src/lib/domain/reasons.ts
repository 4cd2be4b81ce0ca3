import type { CodeProblem } from './codes';
import type { NationalIdProblem } from './national-id';
import { LIMITS } from './schema';

/** Why an input was refused: a value that crosses boundaries and becomes a sentence in the UI. */
export type Reason =
	| NationalIdProblem
	| CodeProblem
	| TooLong
	| 'required'
	| 'invalid-time'
	| 'invalid-date'
	| 'invalid-choice'
	| 'unknown-item'
	| 'no-weekdays'
	| 'document-missing'
	| 'document-corrupt'
	| 'document-incomplete'
	| 'invalid-phone'
	| 'duplicate-code'
	| 'duplicate-text'
	| 'target-date-past';

/** Text longer than its limit; the limit travels in the reason, so every message can say it. */
export type TooLong = `too-long:${number}`;

/** The reason for a text longer than `max` characters. */
export function tooLong(max: number): TooLong {
	return `too-long:${max}`;
}

/** Whether a reason is a too-long one (which names its limit). */
export function isTooLong(reason: string): reason is TooLong {
	return /^too-long:\d+$/.test(reason);
}

/** The limit a too-long reason names. */
export function limitOf(reason: TooLong): number {
	return Number(reason.slice('too-long:'.length));
}

/** A field-level refusal: which field, and why. */
export type FieldErrors = Partial<Record<string, Reason>>;

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The longest long text (description, goal, comment, note): the schema's limit. */
export const MAX_TEXT = LIMITS.text;
/** The longest short text (title, diagnosis, name): the schema's limit. */
export const MAX_TITLE = LIMITS.title;
/** The longest diagnosis code accepted: the schema's limit. */
export const MAX_CODE = LIMITS.code;
