import type { Plan } from '$lib/domain/plan';

/** The kinds of plan item that have an edit form, as they appear in URLs. */
export const ITEM_KINDS = ['measures', 'goals', 'diagnoses', 'guidance'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** The plan collection that holds each kind's items. */
export const COLLECTION_OF = {
	measures: 'measures',
	goals: 'goals',
	diagnoses: 'diagnoses',
	guidance: 'contactGuidance'
} as const satisfies Record<ItemKind, keyof Plan>;

/** True for a URL segment naming an editable kind of plan item. */
export function isItemKind(value: string): value is ItemKind {
	return (ITEM_KINDS as readonly string[]).includes(value);
}
