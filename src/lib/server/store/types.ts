import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';

/** How a chunk was saved: a whole document (`save`) or the changes since earlier heads (`saveSince`). */
export type ChunkKind = 'snapshot' | 'incremental';

/** One stored piece of an Automerge document; a document is the union of its chunks. */
export type StoredChunk = { key: string; kind: ChunkKind; bytes: Uint8Array };

/** A document's owner and current heads, as listed in the manifest. */
export type DocHeads = { docId: DocumentId; patientId: PatientId; heads: string[] };

/**
 * One commit: chunks to add, keys of chunks they replace (compaction), the resulting heads,
 * optionally the patient's list summary after the change (replacing the stored one), and
 * optionally the heads it was computed from (`base`, [] for a new document): then it is made
 * only if the stored heads are still those (compare-and-set between server processes).
 */
export type DocWrite = {
	add: readonly StoredChunk[];
	remove: readonly string[];
	heads: readonly string[];
	summary?: PatientSummary;
	base?: readonly string[];
	/** Access-log lines written in the same transaction ("who changed the plan"): stored if and only if the change is. */
	audit?: readonly AuditEntry[];
	/** Who brought the changes, from where, on what basis: stored if and only if the change is. */
	provenance?: ProvenanceRecord;
	/**
	 * The document's read model at `heads` (see `StoredView`), replacing the stored one; null
	 * removes it (the view would be stale); absent leaves it as it is (a document that has none).
	 */
	view?: StoredView | null;
};

/**
 * A document's read model as the register keeps it beside the chunks: the heads it was computed
 * at and its encoded form (`encodeSnapshotView`), sent with the document's snapshot so a device
 * can show a long plan without parsing its history. The store keeps it opaque.
 */
export type StoredView = { heads: readonly string[]; bytes: Uint8Array };

/** A document's stored view, with its id. */
export type DocView = StoredView & { docId: DocumentId };

/**
 * Where a stored change came from: who (the identity provider's id, role, organisation, HPR
 * number; never the national ID), in which session and from which device, on what access basis,
 * when it arrived at the register, and the hashes of the Automerge changes it added. The
 * register's answer to "who changed this, and how did they come to": the FHIR Provenance of a
 * later issue is read from it.
 */
export type ProvenanceRecord = {
	at: string;
	patientId: PatientId;
	docId: DocumentId;
	who: { id: string | null; name: string; role: string; organisation: string | null; hpr: string | null };
	basis: AccessBasis;
	/** The session the change arrived in (a sync session, or a command's). */
	session: string;
	/** The device's peer id. */
	peerId: string;
	/** The hashes of the changes this commit added to the document. */
	changes: string[];
};

/**
 * What was done with a patient's plan: read (sent to a device, or opened on one offline),
 * changed, a change refused, emergency access granted (its `until` says how long) or denied.
 */
export type AuditAction = 'read' | 'change' | 'refused' | 'emergency-access' | 'emergency-denied';
/** Why the person had access: on the care team, the patient themself, a proxy, emergency access, a vendor system through the API, or an unauthenticated demo device. */
export type AccessBasis = 'care-team' | 'patient' | 'proxy' | 'emergency' | 'api' | 'unauthenticated';

/**
 * One line of the access log (innsynslogg): who (name, role, organisation, user id), when, on
 * what basis, what they did with which document, and whether a device reported it afterwards
 * (opened offline; `at` is then when it was opened).
 */
export type AuditEntry = {
	at: string;
	patientId: PatientId;
	docId: DocumentId;
	action: AuditAction;
	basis: AccessBasis;
	who: { id: string | null; name: string; role: string; organisation: string | null };
	reportedLater: boolean;
	detail: string;
	/** For granted emergency access: when it ends. */
	until?: string;
};

/** Which lines of a patient's access log to read: at most `limit`, older than the `before` cursor, of the given actions (all when absent). */
export type AuditQuery = { limit: number; before?: string | null; actions?: readonly AuditAction[] };

/** A page of the access log, newest first, and the cursor for the next, older page (null after the oldest line). */
export type AuditPage = { entries: AuditEntry[]; next: string | null };

/**
 * A login as the register keeps it. The browser's cookie holds only a random token; the register
 * stores the token's SHA-256 (`key`), so neither a copied database nor a log yields a session.
 * Ending it (logout) takes effect at once on every server process.
 */
export type StoredSession = {
	key: string;
	/** The person's stable id at the identity provider (`sub`). */
	userId: string;
	/** The ID token's claims at login, from which the user (and their proxies) is read again on every use. */
	claims: Record<string, unknown>;
	createdAt: string;
	expiresAt: string;
	endedAt: string | null;
};

/** A commit's outcome: made, or not made because the stored heads differ from its `base` (they are given). */
export type CommitResult = { ok: true } | { ok: false; reason: 'stale'; heads: string[] };

/** The server's authoritative document store: SQLite by default, PostgreSQL when configured. */
export interface DocumentStore {
	/**
	 * Atomically and durably adds chunks, removes the named chunk keys of this document, records
	 * its new heads and (when given) replaces the patient's summary (with its need-to-know index
	 * rows) and appends the access-log lines and the provenance record; resolves only once committed,
	 * then notifies subscribers (on PostgreSQL also those of other processes). Adding an existing
	 * key keeps the stored chunk. Resolves `stale` without writing when `base` is given and the
	 * stored heads (in any order) differ. Rejects with a TypeError on malformed input (including a
	 * summary of another patient) and with an Error when the document belongs to another patient
	 * or any part of the write fails; in every case nothing is written.
	 */
	commit(docId: DocumentId, patientId: PatientId, write: DocWrite): Promise<CommitResult>;
	/** All chunks of a document, in no particular order ([] when unknown). */
	chunks(docId: DocumentId): Promise<StoredChunk[]>;
	/**
	 * The stored views of these documents (those that have one), in no particular order. A view
	 * read after a document's chunks whose heads equal the heads read before them describes
	 * exactly those chunks: it is committed with them, and heads never return.
	 */
	views(docIds: readonly DocumentId[]): Promise<DocView[]>;
	/** Every document's heads, ordered by id; only the given patients' when `patientIds` is passed. */
	manifest(patientIds?: readonly PatientId[]): Promise<DocHeads[]>;
	/** The stored list summaries, ordered by patient id; only the given patients' when `patientIds` is passed. */
	summaries(patientIds?: readonly PatientId[]): Promise<PatientSummary[]>;
	/**
	 * A clinician's patients by need to know, from an index kept with the summaries: those whose
	 * summary lists the user as an active care-team member (`team`) and does not list them as
	 * blocked, ordered by id. Reads only those patients' index rows, however large the register.
	 */
	patientsOf(userId: string): Promise<PatientId[]>;
	/**
	 * The summaries carrying this national ID, ordered by patient id, from an index: one for a
	 * patient with a plan, none without; several only in a register that stored a second plan for
	 * one person before that was refused, which a caller must not resolve by picking one.
	 */
	patientsByNationalId(nationalId: string): Promise<PatientSummary[]>;
	/** Where the document's stored changes came from, newest first (at most `limit` records). */
	provenance(docId: DocumentId, limit?: number): Promise<ProvenanceRecord[]>;
	/** The persisted Automerge sync state of one peer for one document, or null. */
	loadSyncState(peerId: string, docId: DocumentId): Promise<Uint8Array | null>;
	/** Durably replaces the sync state of one peer for one document. */
	saveSyncState(peerId: string, docId: DocumentId, state: Uint8Array): Promise<void>;
	/** Durably appends lines to the access log; nothing can change or remove them afterwards (the tables refuse it). */
	appendAudit(entries: readonly AuditEntry[]): Promise<void>;
	/** The patient's access log, newest first (at most `limit` lines). */
	audit(patientId: PatientId, limit?: number): Promise<AuditEntry[]>;
	/** One page of the patient's access log, newest first: every line can be reached, page by page. */
	auditPage(patientId: PatientId, query: AuditQuery): Promise<AuditPage>;
	/** The emergency access the user was granted that is still running at `now` (log lines with `until` after it). */
	emergencyGrants(userId: string, now: string): Promise<AuditEntry[]>;
	/** Durably records a new login. */
	createSession(session: StoredSession): Promise<void>;
	/** The login stored under `key`, ended or not; null when there is none. */
	session(key: string): Promise<StoredSession | null>;
	/** Ends the login stored under `key` at `at` (logout); a login already ended keeps its first end. */
	endSession(key: string, at: string): Promise<void>;
	/** Calls `listener` with the id of each document committed after this call; returns the unsubscribe. */
	subscribe(listener: (docId: DocumentId) => void): () => void;
	/** Releases connections and files; safe to call twice. */
	close(): Promise<void>;
}
