import type { ItemId, PatientId } from '$lib/domain/ids';
import type { ItemKind } from '$lib/item-kinds';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => ({
	patientId: params.id as PatientId,
	kind: params.kind as ItemKind,
	itemId: params.item === 'new' ? null : (params.item as ItemId)
});
