import type { Context, Plan } from '$lib/domain/plan';

/** A change to a plan, as a form hands it to the page that stores it. */
export type PlanOp = (plan: Plan, ctx: Context) => void;
