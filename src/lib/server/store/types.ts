import type { DocumentId, PatientId } from '$lib/domain/ids';

/** How a chunk was saved: a whole document (`save`) or the changes since earlier heads (`saveSince`). */
export type ChunkKind = 'snapshot' | 'incremental';

/** One stored piece of an Automerge document; a document is the union of its chunks. */
export type StoredChunk = { key: string; kind: ChunkKind; bytes: Uint8Array };

/** A document's owner and current heads, as listed in the manifest. */
export type DocHeads = { docId: DocumentId; patientId: PatientId; heads: string[] };

/** One commit: chunks to add, keys of chunks they replace (compaction), and the resulting heads. */
export type DocWrite = { add: readonly StoredChunk[]; remove: readonly string[]; heads: readonly string[] };

/** The server's authoritative document store: SQLite by default, PostgreSQL when configured. */
export interface DocumentStore {
	/**
	 * Atomically and durably adds chunks, removes the named chunk keys of this document and records
	 * its new heads; resolves only once committed, then notifies subscribers (on PostgreSQL also
	 * those of other processes). Adding an existing key keeps the stored chunk. Rejects with a
	 * TypeError on malformed input and with an Error when the document belongs to another patient;
	 * in both cases nothing is written.
	 */
	commit(docId: DocumentId, patientId: PatientId, write: DocWrite): Promise<void>;
	/** All chunks of a document, in no particular order ([] when unknown). */
	chunks(docId: DocumentId): Promise<StoredChunk[]>;
	/** Every document's heads, ordered by id; only the given patients' when `patientIds` is passed. */
	manifest(patientIds?: readonly PatientId[]): Promise<DocHeads[]>;
	/** The persisted Automerge sync state of one peer for one document, or null. */
	loadSyncState(peerId: string, docId: DocumentId): Promise<Uint8Array | null>;
	/** Durably replaces the sync state of one peer for one document. */
	saveSyncState(peerId: string, docId: DocumentId, state: Uint8Array): Promise<void>;
	/** Calls `listener` with the id of each document committed after this call; returns the unsubscribe. */
	subscribe(listener: (docId: DocumentId) => void): () => void;
	/** Releases connections and files; safe to call twice. */
	close(): Promise<void>;
}
