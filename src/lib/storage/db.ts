import Dexie, { type Table } from 'dexie';
import type { PlanConflict } from '$lib/domain/conflicts';
import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { ChangeNote } from '$lib/domain/set-aside';
import type { PatientSummary } from '$lib/domain/worklist';
import type { SyncReason } from '$lib/sync/protocol';

/** One stored piece of a document: a snapshot (whole saved doc) or an incremental save. */
export type ChunkRow = {
	/** `docId|kind|headsKey`: the same change saved twice (two tabs) lands on the same key. */
	key: string;
	docId: DocumentId;
	kind: 'snapshot' | 'incremental';
	bytes: Uint8Array;
};

/** What the device knows of a document without loading it. */
export type DocRow = {
	docId: DocumentId;
	patientId: PatientId;
	kind: 'plan' | 'log';
	heads: string[];
	snapshotBytes: number;
	incrementalBytes: number;
	updatedAt: string;
};

/**
 * A document holding changes that have not been acknowledged by the server: since when, how
 * many changes were stored since it was last fully acknowledged, and `base`, its heads before the
 * first of them: the register's version it diverged from (rows written before either was kept
 * lack them).
 */
export type UnsyncedRow = { docId: DocumentId; patientId: PatientId; since: string; changes?: number; base?: string[] };

/**
 * A document's plain value at `heads`: the read model a page renders, so opening a large plan
 * does not wait for Automerge to parse its history. Current only while `heads` equal the doc row's.
 */
export type ViewRow = { docId: DocumentId; heads: string[]; value: unknown; conflicts: PlanConflict[] };

/** Small device-level values (the device's sync peer id, the last successful sync). */
export type MetaRow = { key: string; value: unknown };

/** A document's Automerge sync state with the server (`encodeSyncState`), decoded fresh per connection. */
export type SyncStateRow = { docId: DocumentId; state: Uint8Array };

/** A plan opened on this device, waiting to be reported to the register's access log. */
export type OpenedRow = { id?: number; docId: DocumentId; at: string };

/**
 * The device PIN of one user: a salted PBKDF2-SHA-256 hash of the user id and the PIN (never the
 * PIN), and the wrong attempts in a row since the last right one.
 */
export type PinRow = { userId: string; salt: Uint8Array; hash: Uint8Array; iterations: number; failures: number };

/**
 * A version of a document the register refused, set aside on the device instead of being
 * resent or lost: who it is about, why and when it was refused, what it holds that the register
 * does not, and the whole refused version (Automerge `save`), until the user discards it.
 * `bytes` is null once the device no longer may hold the patient (the summary stays).
 */
export type SetAsideRow = {
	id?: number;
	docId: DocumentId;
	patientId: PatientId;
	/** The patient's name when it was set aside (the patient may since have left the device). */
	patientName: string | null;
	kind: 'plan' | 'log';
	reason: SyncReason;
	detail: string;
	at: string;
	heads: string[];
	bytes: Uint8Array | null;
	changes: ChangeNote[];
};

/** The device's one database: document chunks, the list index and the outbox, written together. */
export class DbepDb extends Dexie {
	chunks!: Table<ChunkRow, string>;
	docs!: Table<DocRow, DocumentId>;
	summaries!: Table<PatientSummary, PatientId>;
	unsynced!: Table<UnsyncedRow, DocumentId>;
	views!: Table<ViewRow, DocumentId>;
	meta!: Table<MetaRow, string>;
	syncStates!: Table<SyncStateRow, DocumentId>;
	opened!: Table<OpenedRow, number>;
	pins!: Table<PinRow, string>;
	setAside!: Table<SetAsideRow, number>;

	constructor(name = 'dbep') {
		super(name);
		this.version(1).stores({
			chunks: 'key, docId',
			docs: 'docId, patientId',
			summaries: 'patientId, name',
			unsynced: 'docId, patientId',
			meta: 'key'
		});
		this.version(2).stores({ views: 'docId' });
		this.version(3).stores({ syncStates: 'docId' });
		this.version(4).stores({ opened: '++id' });
		this.version(5).stores({ pins: 'userId' });
		this.version(6).stores({ setAside: '++id, patientId' });
		// A chunk's key begins with its document's id, so a key range finds a document's chunks; the
		// list sorts its summaries itself. Neither index was worth its write on every stored plan.
		this.version(7).stores({ chunks: 'key', summaries: 'patientId' });
	}
}

/** A document's chunks: their keys begin with its id (`docId|kind|heads`), so a key range finds them. */
export function chunksOf(db: DbepDb, docId: DocumentId) {
	return db.chunks.where(':id').between(`${docId}|`, `${docId}|\uffff`, true, true);
}
