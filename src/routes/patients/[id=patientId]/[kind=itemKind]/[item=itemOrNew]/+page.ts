import type { ItemId, PatientId } from '$lib/domain/ids';
import { GOAL_CATEGORIES, type GoalCategory } from '$lib/domain/plan';
import type { ItemKind } from '$lib/item-kinds';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params, url }) => {
	const category = url.searchParams.get('category');
	return {
		patientId: params.id as PatientId,
		kind: params.kind as ItemKind,
		itemId: params.item === 'new' ? null : (params.item as ItemId),
		// A new goal starts in the part of the plan it was added from; anything else is ignored.
		category: GOAL_CATEGORIES.find((c): c is GoalCategory => c === category) ?? null
	};
};
