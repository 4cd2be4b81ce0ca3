import type { MeasureLog, Plan } from './plan';

/** The parts of a plan or log a set-aside change can touch, as the interface names them. */
export type ChangeArea =
	| 'whatMatters'
	| 'diagnoses'
	| 'goals'
	| 'measures'
	| 'measureComments'
	| 'comments'
	| 'contactGuidance'
	| 'careTeam'
	| 'responsible'
	| 'patient'
	| 'records'
	| 'other';

/**
 * One thing a refused version holds that the register does not: the area, whether the item is
 * new or an existing one was changed, and the item as a reader recognises it (its title or text,
 * shortened; for a record, the measure's title).
 */
export type ChangeNote = { area: ChangeArea; action: 'added' | 'changed'; label: string; id: string | null };

/** A path into a document, as Automerge's diff gives it. */
export type ChangePath = readonly (string | number)[];

const COLLECTIONS = new Set<ChangeArea>(['whatMatters', 'diagnoses', 'goals', 'measures', 'comments', 'contactGuidance', 'careTeam']);
const MAX_LABEL = 140;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (v: unknown, ...keys: (string | number)[]): unknown => keys.reduce<unknown>((o, k) => (isRec(o) ? o[String(k)] : undefined), v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function shorten(s: string): string {
	const one = s.replace(/\s+/g, ' ').trim();
	return one.length > MAX_LABEL ? `${one.slice(0, MAX_LABEL - 1)}…` : one;
}

/** How a reader recognises an item of a plan collection. */
function labelOf(area: ChangeArea, item: unknown): string {
	if (area === 'measures') return text(at(item, 'title'));
	if (area === 'careTeam') return text(at(item, 'name'));
	if (area === 'contactGuidance') return text(at(item, 'signs'));
	return text(at(item, 'text'));
}

function planNote(path: ChangePath, before: Plan | null, after: Plan): Omit<ChangeNote, 'action'> & { existed: boolean } {
	const [top, id, field, sub] = path;
	const area = String(top) as ChangeArea;
	if (area === 'measures' && field === 'comments' && sub !== undefined) {
		const comment = at(after, 'measures', id!, 'comments', sub);
		return { area: 'measureComments', id: String(sub), label: text(at(comment, 'text')), existed: at(before, 'measures', id!, 'comments', sub) !== undefined };
	}
	if (COLLECTIONS.has(area) && id !== undefined) {
		const item = at(after, area, id) ?? at(before, area, id);
		return { area, id: String(id), label: labelOf(area, item), existed: at(before, area, id) !== undefined };
	}
	if (area === 'responsible' || area === 'patient') return { area, id: null, label: area === 'patient' ? text(at(after, 'patient', 'name')) : '', existed: before !== null };
	return { area: 'other', id: null, label: '', existed: before !== null };
}

function logNote(path: ChangePath, before: MeasureLog | null, after: MeasureLog, plan: Plan | null): (Omit<ChangeNote, 'action'> & { existed: boolean }) | null {
	const [top, id] = path;
	// A log's own fields come from its genesis, the same on every device: only its records say anything.
	if (top !== 'entries' || id === undefined) return null;
	const entry = at(after, 'entries', id) ?? at(before, 'entries', id);
	const measure = at(plan, 'measures', text(at(entry, 'measureId')));
	return { area: 'records', id: String(id), label: text(at(measure, 'title')), existed: at(before, 'entries', id) !== undefined };
}

/**
 * What a refused version of a plan or log holds beyond `before` (the version the register was
 * last known to hold; null when it held none): one note per item touched, in the order first
 * touched. `paths` are the paths Automerge's diff reports between the two; `plan` names the
 * measures a log's records are for. Pure: no Automerge, no clock.
 */
export function describeChanges(kind: 'plan' | 'log', before: unknown, after: unknown, paths: readonly ChangePath[], plan: Plan | null = null): ChangeNote[] {
	const notes = new Map<string, ChangeNote>();
	for (const path of paths) {
		if (!path.length) continue;
		const n = kind === 'plan' ? planNote(path, before as Plan | null, after as Plan) : logNote(path, before as MeasureLog | null, after as MeasureLog, plan);
		if (!n) continue;
		const key = `${n.area}|${n.id ?? ''}`;
		if (!notes.has(key)) notes.set(key, { area: n.area, action: n.existed ? 'changed' : 'added', label: shorten(n.label), id: n.id });
	}
	return [...notes.values()];
}
