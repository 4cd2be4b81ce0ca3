/** The kinds of plan item that have an edit form, as they appear in URLs. */
export const ITEM_KINDS = ['measures', 'goals', 'diagnoses'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** True for a URL segment naming an editable kind of plan item. */
export function isItemKind(value: string): value is ItemKind {
	return (ITEM_KINDS as readonly string[]).includes(value);
}
