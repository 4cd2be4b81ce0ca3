import * as Automerge from '@automerge/automerge';
import { createHash } from 'node:crypto';
import type { ChunkKind, DocWrite, StoredChunk } from '$lib/server/store';

export { sameHeads } from '$lib/server/store/boundary';

/** A stored chunk keyed by its content, so a retried or concurrent identical write is stored once. */
export function chunkOf(kind: ChunkKind, bytes: Uint8Array): StoredChunk {
	return { key: `${kind}-${createHash('sha256').update(bytes).digest('hex').slice(0, 40)}`, kind, bytes };
}

/** A document's chunks as one byte string, snapshots first: Automerge loads the concatenation. */
export function concatChunks(chunks: readonly StoredChunk[]): Uint8Array {
	const ordered = [...chunks].sort((a, b) => Number(a.kind !== 'snapshot') - Number(b.kind !== 'snapshot'));
	const out = new Uint8Array(ordered.reduce((n, c) => n + c.bytes.byteLength, 0));
	let at = 0;
	for (const c of ordered) {
		out.set(c.bytes, at);
		at += c.bytes.byteLength;
	}
	return out;
}

/** What the store holds of a document, as far as this process has loaded or written it. */
export type StoredState = { keys: ReadonlySet<string>; snapshotBytes: number; incrementalBytes: number; stored: boolean };

/**
 * The write that brings the store from `before` heads to `doc`: an incremental chunk, or one
 * snapshot replacing every chunk this process knows of when the increments would outgrow the
 * snapshot (automerge-repo's rule; chunks it has not seen, written concurrently elsewhere, stay).
 */
export function writeFor(stored: StoredState, doc: Automerge.Doc<unknown>, before: Automerge.Heads): DocWrite {
	const heads = Automerge.getHeads(doc);
	if (stored.stored) {
		const increment = Automerge.saveSince(doc, before);
		if (stored.incrementalBytes + increment.byteLength <= stored.snapshotBytes) {
			return { add: [chunkOf('incremental', increment)], remove: [], heads };
		}
	}
	return { add: [chunkOf('snapshot', Automerge.save(doc))], remove: [...stored.keys], heads };
}

/** The stored state after a write (or a load) of these chunks on top of `stored`. */
export function afterWrite(stored: StoredState, write: Pick<DocWrite, 'add' | 'remove'>): StoredState {
	const keys = new Set(stored.keys);
	let { snapshotBytes, incrementalBytes } = stored;
	if (write.remove.length) {
		for (const key of write.remove) keys.delete(key);
		snapshotBytes = incrementalBytes = 0;
	}
	for (const c of write.add) {
		if (keys.has(c.key)) continue;
		keys.add(c.key);
		if (c.kind === 'snapshot') snapshotBytes += c.bytes.byteLength;
		else incrementalBytes += c.bytes.byteLength;
	}
	return { keys, snapshotBytes, incrementalBytes, stored: true };
}
