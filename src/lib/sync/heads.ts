import { decodeSyncMessage, getChangesMetaSince, getMissingDeps, type Doc, type Heads } from '@automerge/automerge/slim';

/**
 * True when the document holds (has applied) every one of `heads`. Automerge's own `hasHeads`
 * rebuilds each change it looks up (`getChangeByHash`), which in Automerge 3.5 spun for minutes
 * on some histories (found by the convergence property test, hanging the register); asking for
 * missing dependencies is an index lookup. But a document can also hold changes in a queue,
 * received before one they depend on: then the lookup lists what they lack (which says nothing
 * of `heads`), and counts a queued change as known though it is not applied. Counting the first
 * made no heads held until the queue drained (seen: the register stopped acknowledging every
 * device's changes to Pål's plan, and his tablet showed a stored change as unsent). With a
 * queue, which is rare and short-lived, each head is told by whether it hides any change from
 * the history's metadata: one pass over it.
 */
export function holdsHeads(doc: Doc<unknown>, heads: Heads): boolean {
	if (!heads.length) return true;
	const missing = getMissingDeps(doc, [...heads]);
	if (!missing.length) return true;
	if (heads.some((h) => missing.includes(h))) return false;
	const all = getChangesMetaSince(doc, []).length;
	return heads.every((h) => getChangesMetaSince(doc, [h]).length < all);
}

/** True when a sync message sends document content (changes), not only heads and bloom filters. */
export function carriesChanges(message: Uint8Array | null): boolean {
	if (!message) return false;
	try {
		return decodeSyncMessage(message).changes.length > 0;
	} catch {
		return false;
	}
}
