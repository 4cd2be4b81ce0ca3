import { getConflicts, type Doc } from '@automerge/automerge/slim';
import type { Plan } from './plan';

/**
 * The paths of stamped fields (a measure's or goal's status, the responsible clinician) that
 * concurrent changes set to different values. Automerge keeps every value; one wins, and these
 * paths tell a clinician where to look.
 */
export function stampedConflicts(plan: Doc<Plan>): string[] {
	const found: string[] = [];
	const conflicted = (obj: unknown, key: string) => Object.keys(getConflicts(obj as Doc<unknown>, key) ?? {}).length > 1;
	for (const id of Object.keys(plan.measures ?? {})) if (conflicted(plan.measures[id], 'status')) found.push(`measures/${id}/status`);
	for (const id of Object.keys(plan.goals ?? {})) if (conflicted(plan.goals[id], 'status')) found.push(`goals/${id}/status`);
	if (conflicted(plan, 'responsible')) found.push('responsible');
	return found;
}
