import { decodeSyncMessage, getMissingDeps, type Doc, type Heads } from '@automerge/automerge/slim';

/**
 * True when the document holds every one of `heads`. Automerge's own `hasHeads` rebuilds each
 * change it looks up (`getChangeByHash`), which in Automerge 3.5 spun for minutes on some
 * histories (found by the convergence property test, hanging the register); asking for missing
 * dependencies is an index lookup.
 */
export function holdsHeads(doc: Doc<unknown>, heads: Heads): boolean {
	return getMissingDeps(doc, [...heads]).length === 0;
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
