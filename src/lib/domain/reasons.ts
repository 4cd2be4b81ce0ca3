import type { NationalIdProblem } from './national-id';

/** Why an input was refused: a value that crosses boundaries and becomes a sentence in the UI. */
export type Reason =
	| NationalIdProblem
	| 'required'
	| 'too-long'
	| 'invalid-time'
	| 'invalid-date'
	| 'invalid-choice'
	| 'unknown-item'
	| 'no-weekdays'
	| 'document-missing'
	| 'document-corrupt'
	| 'document-incomplete'
	| 'invalid-phone';

/** A field-level refusal: which field, and why. */
export type FieldErrors = Partial<Record<string, Reason>>;

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export const MAX_TEXT = 4000;
export const MAX_TITLE = 200;
