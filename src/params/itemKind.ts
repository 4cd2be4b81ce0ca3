import type { ParamMatcher } from '@sveltejs/kit';
import { isItemKind } from '$lib/item-kinds';

export const match: ParamMatcher = (param) => isItemKind(param);
