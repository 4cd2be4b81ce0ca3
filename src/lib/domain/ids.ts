/** Branded identifiers: a PatientId cannot be passed where a DocumentId belongs. */
export type PatientId = string & { readonly __brand: 'PatientId' };
/** Identifies one Automerge document: a patient's plan, or one month of their measure log. */
export type DocumentId = string & { readonly __brand: 'DocumentId' };
/** Identifies an item inside a document (diagnosis, goal, measure, comment, log entry, ...). */
export type ItemId = string & { readonly __brand: 'ItemId' };
/** A calendar month, `YYYY-MM`, used to bucket measure logs. */
export type Month = string & { readonly __brand: 'Month' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** True for a lowercase UUID, the only form patient and item ids take. */
export function isPatientId(value: unknown): value is PatientId {
	return typeof value === 'string' && UUID.test(value);
}

/** True for a lowercase UUID. */
export function isItemId(value: unknown): value is ItemId {
	return typeof value === 'string' && UUID.test(value);
}

/** True for `YYYY-MM`. */
export function isMonth(value: unknown): value is Month {
	return typeof value === 'string' && MONTH.test(value);
}

/** The id of a patient's plan document. */
export function planDocId(patientId: PatientId): DocumentId {
	return `plan:${patientId}` as DocumentId;
}

/** The id of a patient's measure log for one month. */
export function logDocId(patientId: PatientId, month: Month): DocumentId {
	return `log:${patientId}:${month}` as DocumentId;
}

export type DocumentRef =
	| { kind: 'plan'; patientId: PatientId }
	| { kind: 'log'; patientId: PatientId; month: Month };

/** Parses a document id from outside; null when it is not one of ours. */
export function parseDocumentId(value: unknown): DocumentRef | null {
	if (typeof value !== 'string') return null;
	const parts = value.split(':');
	if (parts[0] === 'plan' && parts.length === 2 && isPatientId(parts[1])) {
		return { kind: 'plan', patientId: parts[1] };
	}
	if (parts[0] === 'log' && parts.length === 3 && isPatientId(parts[1]) && isMonth(parts[2])) {
		return { kind: 'log', patientId: parts[1], month: parts[2] };
	}
	return null;
}
