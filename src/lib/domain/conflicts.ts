import { getConflicts, type Doc } from '@automerge/automerge/slim';
import type { ItemId } from './ids';
import type { Coding, Context, ContactGuidance, GoalStatus, MeasureStatus, Performer, PersonRef, Plan, Timing } from './plan';
import { replaceStamped, setGoalStatus, setMeasureStatus } from './plan-ops';

/** One version of a conflicted field: its value, and who set it and when (null where the plan does not say). */
export type Version<T> = { value: T; by: PersonRef | null; at: string | null };

type Conflicting<A extends string, F extends string, T> = { path: string; area: A; item: ItemId | null; field: F; versions: Version<T>[] };

/**
 * A field that concurrent edits set to different values, with every version (oldest first) until a
 * clinician chooses one. Automerge keeps them all and lets one win arbitrarily; none is shown as
 * settled while they disagree.
 */
export type PlanConflict =
	| Conflicting<'diagnoses', 'text', string>
	| Conflicting<'diagnoses', 'code', Coding | null>
	| Conflicting<'goals', 'text', string>
	| Conflicting<'goals', 'status', GoalStatus>
	| Conflicting<'measures', 'title' | 'description', string>
	| Conflicting<'measures', 'timing', Timing>
	| Conflicting<'measures', 'performer', Performer>
	| Conflicting<'measures', 'status', MeasureStatus>
	| Conflicting<'contactGuidance', 'entry', ContactGuidance>
	| Conflicting<'plan', 'responsible', ItemId | null>;

/** What a conflict is about, `area/field`: what the interface names it by. */
export type ConflictKind = PlanConflict extends infer C ? (C extends { area: infer A extends string; field: infer F extends string } ? `${A}/${F}` : never) : never;

/** The kind of a conflict. */
export function conflictKind(conflict: PlanConflict): ConflictKind {
	return `${conflict.area}/${conflict.field}` as ConflictKind;
}

/** How a clinician ends a conflict in one change: one of its versions, or a new text (text fields only). */
export type Resolution = { choose: number } | { write: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? null)) as T;

/** Every value Automerge holds at `obj[key]`, as plain data (it answers only where there are two or more). */
function valuesAt(obj: unknown, key: string): unknown[] {
	if (!isRecord(obj) || obj[key] === undefined) return [];
	const all = getConflicts(obj as Doc<unknown>, key);
	return all ? Object.values(all).map(plain) : [plain(obj[key])];
}

function stampOf<T>(v: unknown): Version<T> {
	const s = isRecord(v) ? v : {};
	return { value: s.value as T, by: isRecord(s.by) ? (s.by as PersonRef) : null, at: typeof s.at === 'string' ? s.at : null };
}

/** Versions with different values, oldest first: two people setting the same value do not disagree. */
function distinct<T>(versions: Version<T>[]): Version<T>[] {
	const seen = new Map<string, Version<T>>();
	for (const v of versions) if (!seen.has(JSON.stringify(v.value))) seen.set(JSON.stringify(v.value), v);
	const out = [...seen.values()].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || JSON.stringify(a.value).localeCompare(JSON.stringify(b.value)));
	return out.length > 1 ? out : [];
}

/**
 * The versions of a field replaced whole with a stamp beside it (`<field>Stamp`). A field that is
 * conflicted without its stamp (one edit made before stamps existed) still shows its versions,
 * attributed where the stamp's value matches.
 */
function fieldVersions<T>(item: unknown, field: string): Version<T>[] {
	const stamps = valuesAt(item, `${field}Stamp`).map((s) => stampOf<T>(s));
	if (stamps.length > 1) return distinct(stamps);
	const values = valuesAt(item, field);
	if (values.length < 2) return [];
	return distinct(values.map((value) => stamps.find((s) => JSON.stringify(s.value) === JSON.stringify(value)) ?? { value: value as T, by: null, at: null }));
}

/** The versions of a value that carries its own `by` and `at` (a `Stamped` field, a guidance entry). */
function stampedVersions<T>(obj: unknown, key: string, whole: boolean): Version<T>[] {
	return distinct(valuesAt(obj, key).map((v) => (whole ? { ...stampOf<T>(v), value: v as T } : stampOf<T>(v))));
}

/**
 * Every conflict in a plan: clinical texts, codes, timings, performers, statuses, guidance, the
 * responsible clinician. Ask a document loaded or changed in place (as the device holds them):
 * with Automerge 3.5, `getConflicts` on a nested object of a document merged into a clone of a
 * merged document misses versions.
 */
export function planConflicts(plan: Doc<Plan>): PlanConflict[] {
	const found: PlanConflict[] = [];
	const add = <C extends PlanConflict>(c: Omit<C, 'versions'>, versions: C['versions']) => {
		if (versions.length) found.push({ ...c, versions } as C);
	};
	for (const [id, d] of Object.entries(plan.diagnoses ?? {})) {
		const item = id as ItemId;
		add({ path: `diagnoses/${id}/text`, area: 'diagnoses', item, field: 'text' }, fieldVersions<string>(d, 'text'));
		add({ path: `diagnoses/${id}/code`, area: 'diagnoses', item, field: 'code' }, fieldVersions<Coding | null>(d, 'code'));
	}
	for (const [id, g] of Object.entries(plan.goals ?? {})) {
		const item = id as ItemId;
		add({ path: `goals/${id}/text`, area: 'goals', item, field: 'text' }, fieldVersions<string>(g, 'text'));
		add({ path: `goals/${id}/status`, area: 'goals', item, field: 'status' }, stampedVersions<GoalStatus>(g, 'status', false));
	}
	for (const [id, m] of Object.entries(plan.measures ?? {})) {
		const item = id as ItemId;
		for (const field of ['title', 'description'] as const) add({ path: `measures/${id}/${field}`, area: 'measures', item, field }, fieldVersions<string>(m, field));
		add({ path: `measures/${id}/timing`, area: 'measures', item, field: 'timing' }, fieldVersions<Timing>(m, 'timing'));
		add({ path: `measures/${id}/performer`, area: 'measures', item, field: 'performer' }, fieldVersions<Performer>(m, 'performer'));
		add({ path: `measures/${id}/status`, area: 'measures', item, field: 'status' }, stampedVersions<MeasureStatus>(m, 'status', false));
	}
	for (const id of Object.keys(plan.contactGuidance ?? {})) {
		add({ path: `contactGuidance/${id}`, area: 'contactGuidance', item: id as ItemId, field: 'entry' }, stampedVersions<ContactGuidance>(plan.contactGuidance, id, true));
	}
	add({ path: 'responsible', area: 'plan', item: null, field: 'responsible' }, stampedVersions<ItemId | null>(plan, 'responsible', false));
	return found;
}

/** The conflicts of one item (its id), or of the plan itself (`null`). */
export function conflictsOfItem(conflicts: readonly PlanConflict[], item: ItemId | null): PlanConflict[] {
	return conflicts.filter((c) => c.item === item);
}

/** True for a text field, where a clinician may write a new text instead of choosing a version. */
export function isTextConflict(c: PlanConflict): c is Extract<PlanConflict, { versions: Version<string>[] }> {
	return c.field === 'text' || c.field === 'title' || c.field === 'description';
}

function chosen<T>(versions: Version<T>[], resolution: Resolution, write?: (text: string) => T): T {
	if ('write' in resolution) {
		if (!write) throw new Error('only a text can be written anew');
		return write(resolution.write);
	}
	const version = versions[resolution.choose];
	if (!version) throw new Error(`no version ${resolution.choose}`);
	return version.value;
}

function need<T>(item: T | undefined, path: string): T {
	if (!item) throw new Error(`unknown item at ${path}`);
	return item;
}

/**
 * Resolves a conflict in one change: the chosen (or newly written) value is set whole, stamped with
 * the clinician resolving it, which replaces every version Automerge held.
 */
export function resolveConflict(plan: Plan, conflict: PlanConflict, resolution: Resolution, ctx: Context): void {
	const text = (t: string) => t;
	const id = conflict.item as ItemId;
	switch (conflict.area) {
		case 'diagnoses': {
			const d = need(plan.diagnoses[id], conflict.path);
			if (conflict.field === 'text') replaceStamped(d, 'text', chosen(conflict.versions, resolution, text), ctx);
			else replaceStamped(d, 'code', chosen(conflict.versions, resolution), ctx);
			return;
		}
		case 'goals':
			if (conflict.field === 'text') replaceStamped(need(plan.goals[id], conflict.path), 'text', chosen(conflict.versions, resolution, text), ctx);
			else setGoalStatus(plan, id, chosen(conflict.versions, resolution), ctx);
			return;
		case 'measures': {
			const m = need(plan.measures[id], conflict.path);
			if (conflict.field === 'status') setMeasureStatus(plan, id, chosen(conflict.versions, resolution), ctx);
			else if (conflict.field === 'timing') replaceStamped(m, 'timing', chosen(conflict.versions, resolution), ctx);
			else if (conflict.field === 'performer') replaceStamped(m, 'performer', chosen(conflict.versions, resolution), ctx);
			else replaceStamped(m, conflict.field, chosen(conflict.versions, resolution, text), ctx);
			return;
		}
		case 'contactGuidance': {
			// The entry is replaced whole, in the name of the one choosing (the register checks every stamp).
			plan.contactGuidance[id] = Object.assign(plain(chosen(conflict.versions, resolution)), { by: plain(ctx.by), at: ctx.at });
			return;
		}
		case 'plan':
			plan.responsible = { value: chosen(conflict.versions, resolution), by: plain(ctx.by), at: ctx.at };
			return;
	}
}

/** True for a list of conflicts as `planConflicts` makes them: a stored view of an older version holds plain paths. */
export function isConflictList(value: unknown): value is PlanConflict[] {
	return Array.isArray(value) && value.every((c) => isRecord(c) && typeof c.path === 'string' && typeof c.area === 'string' && Array.isArray(c.versions));
}
