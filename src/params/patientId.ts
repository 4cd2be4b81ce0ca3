import type { ParamMatcher } from '@sveltejs/kit';
import { isPatientId } from '$lib/domain/ids';

export const match: ParamMatcher = (param) => isPatientId(param);
