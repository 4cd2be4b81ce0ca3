import type { ParamMatcher } from '@sveltejs/kit';
import { isItemId } from '$lib/domain/ids';

export const match: ParamMatcher = (param) => param === 'new' || isItemId(param);
