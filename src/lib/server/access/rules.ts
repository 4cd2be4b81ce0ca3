import * as A from '@automerge/automerge';
import type { DocumentRef } from '$lib/domain/ids';
import { samePerson } from '$lib/domain/person';
import type { MeasureLog, Plan, Role } from '$lib/domain/plan';
import { isSelfTreatmentMeasure } from '$lib/domain/worklist';
import type { RefusalRule } from '$lib/sync/protocol';
import { allows, isClinician, type User } from './users';

/** Why a change is refused: the path it touched and the rule it broke, for the device to show. */
export type RuleBreach = { path: string; rule: RefusalRule };

type Entry = { by?: { name?: unknown; role?: unknown } } | undefined;
const OWNED_BY_PATIENT: ReadonlySet<unknown> = new Set<Role>(['patient', 'relative']);

/** A patient or proxy may touch an entry they add, or one a patient or proxy wrote; never a clinician's. */
function patientsEntry(before: Entry, after: Entry, user: User): RefusalRule | null {
	if (before && !OWNED_BY_PATIENT.has(before.by?.role)) return 'written-by-clinician';
	if (!after) return null;
	// An entry keeps its author, or carries the user's own name and role: nobody writes in another's name.
	const keeps = before !== undefined && after.by?.name === before.by?.name && after.by?.role === before.by?.role;
	return keeps || (after.by?.name === user.name && after.by?.role === user.role) ? null : 'stamped-as-another';
}

const at = (record: unknown, key: A.Prop | undefined): Entry => (record && typeof key === 'string' ? ((record as Record<string, Entry>)[key] ?? undefined) : undefined);

/** A patient or proxy may block and unblock clinicians and restrict the plan, in their own name. */
function privacyRule(path: A.Prop[], after: Plan, user: User): RefusalRule | null {
	const [, part, id] = path;
	const stampedByUser = (stamp: Entry) => (stamp?.by?.name === user.name && stamp?.by?.role === user.role ? null : 'stamped-as-another');
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
	let node: unknown = now;
	for (const key of path.slice(0, end + 1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
	const stamp = node as { name?: unknown; role?: unknown } | undefined;
	if (!stamp) return null;
	return stamp.name === user.name && stamp.role === user.role ? null : 'stamped-as-another';
}

/**
 * Checks a clinician's change: every stamp in their own name; in a plan, consent and the creator
 * on the care team at creation, and nothing of the patient's privacy choices; in a log, entries
 * only added, corrections only of one's own records.
 */
function clinicianBreach(ref: DocumentRef, doc: A.Doc<unknown>, before: A.Heads, after: A.Heads, user: User): RuleBreach | null {
	const now = A.view(doc, after) as unknown;
	const old = before.length ? (A.view(doc, before) as unknown) : null;
	if (ref.kind === 'plan' && !old) {
		const rule = clinicianPlanRule([], null, now as Plan, user);
		if (rule) return { path: '', rule };
	}
	for (const patch of A.diff(doc, before, after)) {
		const rule =
			foreignStamp(patch.path, now, user) ??
			(ref.kind === 'log' ? logEntryRule(patch.path, old as MeasureLog | null, now as MeasureLog) : old ? clinicianPlanRule(patch.path, old as Plan, now as Plan, user) : null);
		if (rule) return { path: patch.path.join('/'), rule };
	}
	return null;
}

/**
 * Checks every change between `before` and `after` against what the user's role may write.
 * Clinicians with access own the plan and may change all of it but the patient's privacy
 * choices, and create it only with consent recorded; a patient or proxy may write what matters,
 * comments, self-treatment reports and their privacy choices, and nothing a clinician owns. `planOf`
 * gives the patient's plan, for checking which measures a log entry reports on; it is asked for
 * only when a patient or proxy changes a log.
 */
export async function breachOf(user: User, ref: DocumentRef, doc: A.Doc<unknown>, before: A.Heads, after: A.Heads, planOf: () => Promise<Plan | null>): Promise<RuleBreach | null> {
	if (isClinician(user)) return clinicianBreach(ref, doc, before, after, user);
	if (user.role !== 'patient' && user.role !== 'relative') return { path: '', rule: 'role-may-not-write' };
	if (!allows(user, 'write')) return { path: '', rule: 'proxy-reads-only' };
	const plan = ref.kind === 'log' ? await planOf() : null;
	const old = before.length ? (A.view(doc, before) as unknown) : null;
	const now = A.view(doc, after) as unknown;
	for (const patch of A.diff(doc, before, after)) {
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
