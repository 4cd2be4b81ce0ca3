import { getContext, setContext } from 'svelte';
import type { Saving } from '$lib/components/saving';
import type { PlanConflict, Resolution } from '$lib/domain/conflicts';

/** What the plan page hands to every place that shows a conflict: the conflicts, and who may resolve them. */
export type ConflictContext = {
	readonly conflicts: readonly PlanConflict[];
	/** Clinicians resolve; a patient or proxy sees the conflict marked. */
	readonly mayResolve: boolean;
	resolve(conflict: PlanConflict, resolution: Resolution): Saving;
};

const KEY = Symbol('plan-conflicts');

/** Makes the plan's conflicts available to the sections below (pass an object with getters, so it stays current). */
export function provideConflicts(context: ConflictContext): void {
	setContext(KEY, context);
}

/** The plan's conflicts, or none outside a plan page. */
export function planConflictContext(): ConflictContext {
	return getContext<ConflictContext | undefined>(KEY) ?? { conflicts: [], mayResolve: false, resolve: async () => null };
}

/** The element id of a conflict's notice, for links to it. */
export function conflictAnchor(conflict: PlanConflict): string {
	return `conflict-${conflict.path.replaceAll('/', '-')}`;
}
