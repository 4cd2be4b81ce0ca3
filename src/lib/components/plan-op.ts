import type { Context, Plan } from '$lib/domain/plan';
import type { WriteProblem } from '$lib/storage/doc-store';

/** A change to a plan, as a form hands it to the page that stores it. */
export type PlanOp = (plan: Plan, ctx: Context) => void;

/** What a save hands back to its form: why nothing was saved, or null once it is. */
export type Saving = Promise<WriteProblem | null>;
