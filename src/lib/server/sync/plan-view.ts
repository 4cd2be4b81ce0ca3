/**
 * The register's copy of a long plan's read model (see `$lib/sync/snapshot-view`), kept current
 * where the write path already holds the document, so a fresh device's sync sends it with the
 * plan's snapshot without the register parsing anything on its event loop.
 */
import * as Automerge from '@automerge/automerge';
import { planConflicts, type PlanConflict } from '$lib/domain/conflicts';
import type { DocumentRef } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import type { StoredView } from '$lib/server/store';
import { encodeSnapshotView } from '$lib/sync/snapshot-view';

/**
 * Plans with at least this many changes get a view. Automerge's load grows with the history
 * (measured in Node on a busy machine: 23 ms for a plan made in one change, 40–140 ms for 50–100
 * changes, 0.5–1.7 s for 1,500; more on a tablet), while the view is about as large as the saved
 * plan (212 KB for 1,500 changes): sent for every plan it would nearly double a fresh sync's bytes
 * for plans that open fast anyway. A register's plans made once (all but the long-lived) stay as
 * they were.
 */
export const VIEW_MIN_CHANGES = 100;

/**
 * The view to commit with `doc`, the document of `ref` after a change: encoded at its heads for a
 * plan past `VIEW_MIN_CHANGES`, null for a smaller plan (a stale view is removed), undefined for a
 * log (never has one).
 */
export function planViewFor(ref: DocumentRef, doc: Automerge.Doc<unknown>): StoredView | null | undefined {
	if (ref.kind !== 'plan') return undefined;
	if (Automerge.stats(doc).numChanges < VIEW_MIN_CHANGES) return null;
	const heads = Automerge.getHeads(doc);
	const plan = doc as Automerge.Doc<Plan>;
	// The document is already materialized: its JSON is A.toJS's JSON at a hundredth of the cost
	// (0.2 ms against 17 ms for 150 changes), so a long plan's edit stays near its old cost.
	return { heads, bytes: encodeSnapshotView({ heads, value: plan, conflicts: conflictsAt(plan, heads) }) };
}

/**
 * `planConflicts` of the plan. An object of a register's document that no change has touched is
 * still the one materialized in the copy the document was cloned from, and asks that copy's
 * Automerge handle; the write path frees that copy once a message is received (doc-sync), and
 * Automerge 3.5 then throws ("null pointer passed to rust"). The plan is then materialized afresh
 * at its heads (`view`: measured 20 ms for 150 changes, 80 ms for 600, on a busy machine) to ask
 * again. A document just loaded (seeding) answers at once.
 */
function conflictsAt(plan: Automerge.Doc<Plan>, heads: Automerge.Heads): PlanConflict[] {
	try {
		return planConflicts(plan);
	} catch {
		return planConflicts(Automerge.view(plan, heads));
	}
}
