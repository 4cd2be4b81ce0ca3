import * as A from '@automerge/automerge';
import type { DocumentRef } from '$lib/domain/ids';
import { samePerson, stampedBy } from '$lib/domain/person';
import type { MeasureLog, Plan, Role } from '$lib/domain/plan';
import { isSelfTreatmentMeasure } from '$lib/domain/worklist';
import { sameHeads } from '$lib/server/store/boundary';
import type { RefusalRule } from '$lib/sync/protocol';
import { allows, isClinician, personRefOf, type User } from './users';

/** Why a change is refused: the path it touched and the rule it broke, for the device to show. */
export type RuleBreach = { path: string; rule: RefusalRule };

type Stamp = { id?: unknown; name?: unknown; role?: unknown; organisation?: unknown };
type Entry = { by?: Stamp; status?: unknown; errorStamp?: { by?: Stamp; reason?: unknown } } | undefined;
const OWNED_BY_PATIENT: ReadonlySet<unknown> = new Set<Role>(['patient', 'relative']);
const json = (value: unknown): string => JSON.stringify(value) ?? '';

/** The entry without what marking it entered in error sets: what must stay as its author wrote it. */
function asWritten(entry: NonNullable<Entry>): string {
	const { status: _status, errorStamp: _errorStamp, ...rest } = entry;
	return json(rest);
}

/**
 * An authored entry (a comment, a "what matters" entry, a patient's report) belongs to whoever
 * wrote it: they add it in their own name (by id) and may change it, keeping their stamp. Anyone
 * else who may write there only marks it entered in error, with a stamped reason, and leaves the
 * rest as it was: the original stays readable, and a new entry says it right.
 */
function authoredEntry(before: Entry, after: Entry, user: User): RefusalRule | null {
	if (!before) return after === undefined || stampedBy(after.by, user.id) ? null : 'stamped-as-another';
	// A stamp written before ids existed names its author by name, role and organisation.
	if (samePerson(before.by, personRefOf(user))) {
		if (!after) return null;
		const kept = (was: Stamp | undefined, is: Stamp | undefined) => json(is) === json(was) || stampedBy(is, user.id);
		return kept(before.by, after.by) && kept(before.errorStamp?.by, after.errorStamp?.by) ? null : 'stamped-as-another';
	}
	if (!after || before.status !== 'active' || after.status !== 'entered-in-error' || asWritten(after) !== asWritten(before)) return 'written-by-another';
	const mark = after.errorStamp;
	if (!stampedBy(mark?.by, user.id)) return 'stamped-as-another';
	return typeof mark?.reason === 'string' && mark.reason.trim() ? null : 'error-reason-required';
}

/** A patient or proxy may touch an entry they add, or one a patient or proxy wrote, as its author may; never a clinician's. */
function patientsEntry(before: Entry, after: Entry, user: User): RefusalRule | null {
	if (before && !OWNED_BY_PATIENT.has(before.by?.role)) return 'written-by-clinician';
	return authoredEntry(before, after, user);
}

const at = (record: unknown, key: A.Prop | undefined): Entry => (record && typeof key === 'string' ? ((record as Record<string, Entry>)[key] ?? undefined) : undefined);

/** A patient or proxy may block and unblock clinicians and restrict the plan, in their own name. */
function privacyRule(path: A.Prop[], after: Plan, user: User): RefusalRule | null {
	const [, part, id] = path;
	const stampedByUser = (stamp: Entry) => (stampedBy(stamp?.by, user.id) ? null : 'stamped-as-another');
	if (part === 'restricted') return stampedByUser(after.privacy?.restricted as Entry);
	if (part === 'blocked' && typeof id === 'string') return stampedByUser(at(after.privacy?.blocked, id));
	return 'consent-by-care-team';
}

/**
 * What a clinician may not write in a plan: the patient's own privacy choices (blocks, the
 * restriction). Consent is recorded when the plan is created and cannot be taken away.
 */
function clinicianPlanRule(path: A.Prop[], before: Plan | null, after: Plan, user: User): RefusalRule | null {
	if (!before) {
		if (!after.privacy?.consent) return 'consent-required';
		// The one who creates a plan is on its care team: no plans nobody may see.
		return Object.values(after.careTeam ?? {}).some((m) => m.active && m.personId === user.id) ? null : 'creator-on-care-team';
	}
	const [top, part] = path;
	if (top !== 'privacy') return null;
	// Deleting (or replacing) the whole of it would lift every block and the restriction at once.
	if (part === undefined || part === 'blocked' || part === 'restricted') return 'patients-own-choice';
	if (before.privacy?.consent && part !== undefined) return 'consent-fixed';
	return null;
}

/** What a patient or proxy may write in a plan: what matters, comments, comments on measures, privacy choices. */
function patientPlanRule(path: A.Prop[], before: Plan, after: Plan, user: User): RefusalRule | null {
	const [top, id, field, commentId] = path;
	if (top === 'privacy') return privacyRule(path, after, user);
	if (top === 'whatMatters' || top === 'comments') {
		if (id === undefined) return 'list-itself';
		return patientsEntry(at(before[top], id), at(after[top], id), user);
	}
	if (top === 'measures' && field === 'comments' && commentId !== undefined) {
		const was = at(before.measures, id) as { comments?: unknown } | undefined;
		const is = at(after.measures, id) as { comments?: unknown } | undefined;
		return patientsEntry(at(was?.comments, commentId), at(is?.comments, commentId), user);
	}
	return 'owned-by-care-team';
}

/**
 * What nobody may do in a log: rewrite or remove an entry once made (the case seen: a GP's device
 * turned a nurse's "done" into "not done"). A record is corrected by a new entry naming it, made
 * by the original's author, with a reason; the original stays as it was.
 */
function logEntryRule(path: A.Prop[], before: MeasureLog | null, after: MeasureLog): RefusalRule | null {
	const [top, id] = path;
	// The month's first change (genesis) makes the log's own fields; after that only entries are added.
	if (!before) return null;
	if (top !== 'entries' || typeof id !== 'string') return 'record-fixed';
	if (before.entries?.[id] !== undefined) return 'record-fixed';
	const entry = after.entries?.[id];
	if (entry?.corrects === undefined) return null;
	const original = typeof entry.corrects === 'string' && entry.corrects !== id ? after.entries?.[entry.corrects] : undefined;
	if (!original || original.measureId !== entry.measureId) return 'correction-of-unknown';
	if (!samePerson(original.by, entry.by)) return 'correction-by-another';
	return typeof entry.correctionReason === 'string' && entry.correctionReason.trim() ? null : 'correction-reason-required';
}

/** What a patient or proxy may write in a log: reports on their self-treatment measures. */
function patientLogRule(path: A.Prop[], before: MeasureLog | null, after: MeasureLog, plan: Plan | null, user: User): RefusalRule | null {
	const [top, id] = path;
	// The month's first change (genesis) makes the log's own fields; anyone with access may start it.
	if (!before && (top !== 'entries' || path.length === 1)) return null;
	const fixed = logEntryRule(path, before, after);
	if (fixed) return fixed;
	if (top !== 'entries' || typeof id !== 'string') return 'owned-by-care-team';
	const entry = after.entries?.[id] ?? before?.entries?.[id];
	const measure = entry && plan?.measures?.[entry.measureId];
	if (!measure || !isSelfTreatmentMeasure(measure)) return 'not-self-treatment';
	return patientsEntry(at(before?.entries, id), at(after.entries, id), user);
}

const STAMPS: ReadonlySet<A.Prop> = new Set(['by', 'createdBy', 'addedBy', 'endedBy', 'recordedBy', 'expressedBy']);

/** A stamp (who did something) a change writes must name the user: nobody writes in another's name. */
function foreignStamp(path: A.Prop[], now: unknown, user: User): RefusalRule | null {
	const end = path.findIndex((key) => STAMPS.has(key));
	if (end < 0) return null;
	const node = valueAt(now, path.slice(0, end + 1));
	if (!node) return null;
	return stampedBy(node as Stamp, user.id) ? null : 'stamped-as-another';
}

type Entries = Record<string, Entry> | undefined;

/** The authored entries of a plan a change may have touched: "what matters", comments, and the comments on the measures it touched. */
function authoredEntries(plan: Plan | null, measures: ReadonlySet<string> | 'all'): Map<string, Entry> {
	const found = new Map<string, Entry>();
	const add = (prefix: string, entries: Entries) => {
		for (const [id, entry] of Object.entries(entries ?? {})) found.set(`${prefix}/${id}`, entry);
	};
	add('whatMatters', plan?.whatMatters as Entries);
	add('comments', plan?.comments as Entries);
	for (const [id, measure] of Object.entries(plan?.measures ?? {})) {
		if (measures === 'all' || measures.has(id)) add(`measures/${id}/comments`, (measure as { comments?: Entries } | undefined)?.comments);
	}
	return found;
}

/**
 * Checks every authored entry a clinician's change touched, however the change reached it (an
 * edit, a deleted list, a deleted measure): only its author changes it; others mark it in error.
 */
function clinicianEntriesRule(patches: A.Patch[], before: Plan, after: Plan, user: User): RuleBreach | null {
	const touched = new Set<string>();
	let allMeasures = false;
	for (const { path } of patches) {
		if (path[0] !== 'measures') continue;
		if (typeof path[1] === 'string') touched.add(path[1]);
		else allMeasures = true;
	}
	const measures = allMeasures ? 'all' : touched;
	const was = authoredEntries(before, measures);
	const is = authoredEntries(after, measures);
	for (const [path, entry] of was) {
		const now = is.get(path);
		if (json(now) === json(entry)) continue;
		const rule = authoredEntry(entry, now, user);
		if (rule) return { path, rule };
	}
	return null;
}

/**
 * The document as it was at `heads`: the document itself when those are its heads. A view of
 * other heads costs a materialization (about 20 ms a change for Pål's plan), so callers that hold
 * the document as it was before the change pass it as `previous`.
 */
function asOf(doc: A.Doc<unknown>, heads: A.Heads): unknown {
	return sameHeads(A.getHeads(doc), heads) ? doc : A.view(doc, heads);
}

/**
 * Checks a clinician's change: every stamp in their own name; in a plan, consent and the creator
 * on the care team at creation, and nothing of the patient's privacy choices; in a log, entries
 * only added, corrections only of one's own records.
 */
function clinicianBreach(ref: DocumentRef, doc: A.Doc<unknown>, before: A.Heads, after: A.Heads, user: User, previous?: A.Doc<unknown>, visibleOnly = false): RuleBreach | null {
	const now = asOf(doc, after);
	const old = previous ?? (before.length ? asOf(doc, before) : null);
	if (ref.kind === 'plan' && !old) {
		const rule = clinicianPlanRule([], null, now as Plan, user);
		if (rule) return { path: '', rule };
	}
	const patches = visibleEffects(A.diff(doc, before, after), old, now, visibleOnly);
	for (const patch of patches) {
		const rule =
			foreignStamp(patch.path, now, user) ??
			(ref.kind === 'log' ? logEntryRule(patch.path, old as MeasureLog | null, now as MeasureLog) : old ? clinicianPlanRule(patch.path, old as Plan, now as Plan, user) : null);
		if (rule) return { path: patch.path.join('/'), rule };
	}
	return ref.kind === 'plan' && old ? clinicianEntriesRule(patches, old as Plan, now as Plan, user) : null;
}

/**
 * Checks every change between `before` and `after` against what the user's role may write.
 * Every stamp a change writes names the user by id. Clinicians with access own the plan and may
 * change all of it but the patient's privacy choices and entries others wrote (comments, what
 * matters), which they only mark entered in error, and create it only with consent recorded; a
 * patient or proxy may write what matters, comments, self-treatment reports and their privacy
 * choices, and nothing a clinician owns. `planOf`
 * gives the patient's plan, for checking which measures a log entry reports on; it is asked for
 * only when a patient or proxy changes a log. `previous`, when the caller holds it, is the document
 * at `before`.
 */
export async function breachOf(user: User, ref: DocumentRef, doc: A.Doc<unknown>, before: A.Heads, after: A.Heads, planOf: () => Promise<Plan | null>, previous?: A.Doc<unknown>): Promise<RuleBreach | null> {
	const own = authorsVersion(doc, before, after);
	if (!own) return judge(user, ref, doc, before, after, planOf, previous, false);
	// Made offline beside changes the register already holds: what the author wrote is judged on
	// the version they wrote it on, and what it does to the register's version where it shows.
	return (await judge(user, ref, doc, own.base, own.heads, planOf, undefined, false)) ?? judge(user, ref, doc, before, after, planOf, previous, true);
}

/**
 * The author's own version of a change made beside others (offline): its heads and those of the
 * version it was made on. Null when it was made on everything the register held: the merged
 * document is then the author's version. Where two people wrote one field at the same time,
 * Automerge shows one of the two (by a tie-break on actor ids); the other stays as a concurrent
 * version. Judged on the merged document, the one whose version is hidden would be refused for the
 * stamp of the other's (seen: Pål's restriction refused as "stamped as another" because his
 * daughter's showed).
 */
function authorsVersion(doc: A.Doc<unknown>, before: A.Heads, after: A.Heads): { base: A.Heads; heads: A.Heads } | null {
	// A head of the register's version still a head after the change: the change did not build on it.
	if (!before.some((h) => after.includes(h))) return null;
	const heads = after.filter((h) => !before.includes(h));
	if (!heads.length) return null;
	// What the change added: every change of the document that the register's version did not hold.
	const added = A.getChangesMetaSince(doc, before);
	const hashes = new Set(added.map((c) => c.hash));
	return { base: [...new Set(added.flatMap((c) => c.deps))].filter((h) => !hashes.has(h)), heads };
}

/** The value at `path` in a document's plain value. */
function valueAt(root: unknown, path: readonly A.Prop[]): unknown {
	let node = root;
	for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
	return node;
}

/**
 * The patches that change what shows, when `visibleOnly`: a concurrent version added beside the
 * one that shows changes the document's history, not its value, and what it wrote is judged on
 * its author's version.
 */
function visibleEffects(patches: A.Patch[], old: unknown, now: unknown, visibleOnly: boolean): A.Patch[] {
	return visibleOnly ? patches.filter((p) => json(valueAt(old, p.path)) !== json(valueAt(now, p.path))) : patches;
}

/** Checks the changes between `before` and `after` of `doc` against the user's role (breachOf). */
async function judge(user: User, ref: DocumentRef, doc: A.Doc<unknown>, before: A.Heads, after: A.Heads, planOf: () => Promise<Plan | null>, previous: A.Doc<unknown> | undefined, visibleOnly: boolean): Promise<RuleBreach | null> {
	if (isClinician(user)) return clinicianBreach(ref, doc, before, after, user, previous, visibleOnly);
	if (user.role !== 'patient' && user.role !== 'relative') return { path: '', rule: 'role-may-not-write' };
	if (!allows(user, 'write')) return { path: '', rule: 'proxy-reads-only' };
	const plan = ref.kind === 'log' ? await planOf() : null;
	const old = previous ?? (before.length ? asOf(doc, before) : null);
	const now = asOf(doc, after);
	for (const patch of visibleEffects(A.diff(doc, before, after), old, now, visibleOnly)) {
		const rule =
			ref.kind === 'plan'
				? old
					? patientPlanRule(patch.path, old as Plan, now as Plan, user)
					: 'clinician-creates-plans'
				: patientLogRule(patch.path, old as MeasureLog | null, now as MeasureLog, plan, user);
		if (rule) return { path: patch.path.join('/'), rule };
	}
	return null;
}
