import { change, init, load, save, type Doc } from '@automerge/automerge/slim';
import type { DocumentId } from './ids';

/** A 16-byte actor id derived from a document id (four FNV-1a rounds), the same on every peer. */
function genesisActor(docId: DocumentId): string {
	const bytes = new TextEncoder().encode(`genesis:${docId}`);
	let hex = '';
	for (let seed = 0; seed < 4; seed++) {
		let h = (0x811c9dc5 ^ seed) >>> 0;
		for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
		hex += h.toString(16).padStart(8, '0');
	}
	return hex;
}

/**
 * Creates a document the same way on every peer: one change by an actor and at a time derived
 * from the document id alone. Two devices that both create a patient's log for a month offline
 * thus produce the identical first change, and their later edits merge instead of conflicting
 * at the root. The returned document has a fresh random actor for the caller's own edits.
 */
export function genesis<T extends Record<string, unknown>>(docId: DocumentId, initial: T): Doc<T> {
	const first = change(init<T>({ actor: genesisActor(docId) }), { time: 0 }, (d) => {
		for (const [key, value] of Object.entries(initial)) (d as Record<string, unknown>)[key] = value;
	});
	return load<T>(save(first));
}
