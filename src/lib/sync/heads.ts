import { getMissingDeps, type Doc, type Heads } from '@automerge/automerge/slim';

/**
 * True when the document holds every one of `heads`. Automerge's own `hasHeads` rebuilds each
 * change it looks up (`getChangeByHash`), which in Automerge 3.5 spun for minutes on some
 * histories (found by the convergence property test, hanging the register); asking for missing
 * dependencies is an index lookup.
 */
export function holdsHeads(doc: Doc<unknown>, heads: Heads): boolean {
	return getMissingDeps(doc, [...heads]).length === 0;
}
