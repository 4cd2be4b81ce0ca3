/**
 * The register's copy of a long plan's read model (see `$lib/sync/snapshot-view`), kept current
 * where the write path already holds the document, so a fresh device's sync sends it with the
 * plan's snapshot without the register parsing anything on its event loop.
 */
import * as Automerge from '@automerge/automerge';
import { planConflicts } from '$lib/domain/conflicts';
import type { DocumentRef } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import type { StoredView } from '$lib/server/store';
import { encodeSnapshotView } from '$lib/sync/snapshot-view';

/**
 * Plans with at least this many changes get a view. Measured (`src/bench/plan-view.ts`):
 * Automerge's load grows with the history, about 0.4 ms a change in Node and more on a tablet,
 * while a plan made once (every plan of a fresh register but the long-lived) loads in a few
 * milliseconds; its view would add about its own size to every fresh sync for nothing.
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
	// A fresh materialization at those heads: the register's documents are clones of cached ones,
	// whose nested objects still point into the document they were cloned from, which the cache
	// may have freed since (Automerge 3.5 then fails in `getConflicts` with "null pointer").
	const plan = Automerge.view(doc as Automerge.Doc<Plan>, heads);
	return { heads, bytes: encodeSnapshotView({ heads, value: Automerge.toJS(plan), conflicts: planConflicts(plan) }) };
}
