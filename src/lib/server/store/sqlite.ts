import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { auditCursor, checkAudit, checkAuditQuery, checkCommit, checkGrantQuery, checkDocId, checkDocIds, checkLookup, checkProvenanceQuery, checkSession, checkSessionKey, checkPatientIds, checkSyncState, fromBuffer, notify, sameHeads, toBuffer } from './boundary';
import type { AuditEntry, AuditPage, AuditQuery, ChunkKind, CommitResult, DocHeads, DocumentStore, DocView, DocWrite, ProvenanceRecord, StoredChunk, StoredSession } from './types';

/** Each schema version's DDL, in order: version n is reached by running the first n. */
export const SQLITE_MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE docs (
		doc_id TEXT PRIMARY KEY,
		patient_id TEXT NOT NULL,
		heads TEXT NOT NULL -- JSON array of hex hashes
	) WITHOUT ROWID;
	CREATE INDEX docs_patient ON docs (patient_id);
	CREATE TABLE chunks (
		doc_id TEXT NOT NULL,
		key TEXT NOT NULL,
		kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
		bytes BLOB NOT NULL,
		PRIMARY KEY (doc_id, key)
	);
	CREATE TABLE sync_states (
		peer_id TEXT NOT NULL,
		doc_id TEXT NOT NULL,
		state BLOB NOT NULL,
		PRIMARY KEY (peer_id, doc_id)
	);
`,
	`
	CREATE TABLE summaries (
		patient_id TEXT PRIMARY KEY,
		summary TEXT NOT NULL -- JSON PatientSummary
	) WITHOUT ROWID;
`,
	`
	CREATE TABLE audit (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		patient_id TEXT NOT NULL,
		at TEXT NOT NULL,
		entry TEXT NOT NULL -- JSON AuditEntry
	);
	CREATE INDEX audit_patient ON audit (patient_id, at);
	CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
	CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
`,
	`
	CREATE INDEX audit_emergency ON audit (json_extract(entry, '$.who.id'), json_extract(entry, '$.until'))
		WHERE json_extract(entry, '$.action') = 'emergency-access';
`
,
	`
	CREATE TABLE sessions (
		key TEXT PRIMARY KEY, -- SHA-256 of the cookie's token, hex
		user_id TEXT NOT NULL,
		claims TEXT NOT NULL, -- JSON
		created_at TEXT NOT NULL,
		expires_at TEXT NOT NULL,
		ended_at TEXT
	) WITHOUT ROWID;
`,
	// Need-to-know by index: who is on whose care team, who is blocked, whose national ID is whose,
	// kept with the summary they are read from (and filled from the summaries already stored).
	`
	CREATE TABLE care_team (
		person_id TEXT NOT NULL, -- an active member's user id
		patient_id TEXT NOT NULL,
		PRIMARY KEY (person_id, patient_id)
	) WITHOUT ROWID;
	CREATE INDEX care_team_patient ON care_team (patient_id);
	CREATE TABLE blocks (
		person_id TEXT NOT NULL, -- the blocked clinician's user id
		patient_id TEXT NOT NULL,
		PRIMARY KEY (person_id, patient_id)
	) WITHOUT ROWID;
	CREATE INDEX blocks_patient ON blocks (patient_id);
	INSERT OR IGNORE INTO care_team (person_id, patient_id)
		SELECT j.value, s.patient_id FROM summaries s, json_each(s.summary, '$.team') j
		WHERE json_type(s.summary, '$.team') = 'array' AND j.type = 'text';
	INSERT OR IGNORE INTO blocks (person_id, patient_id)
		SELECT j.value, s.patient_id FROM summaries s, json_each(s.summary, '$.blocked') j
		WHERE json_type(s.summary, '$.blocked') = 'array' AND j.type = 'text';
	CREATE INDEX summaries_national_id ON summaries (json_extract(summary, '$.nationalId'));
`,
	`
	CREATE TABLE provenance (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		doc_id TEXT NOT NULL,
		patient_id TEXT NOT NULL,
		at TEXT NOT NULL,
		record TEXT NOT NULL -- JSON ProvenanceRecord
	);
	CREATE INDEX provenance_doc ON provenance (doc_id, seq);
	CREATE TRIGGER provenance_no_update BEFORE UPDATE ON provenance BEGIN SELECT RAISE(ABORT, 'provenance is append-only'); END;
	CREATE TRIGGER provenance_no_delete BEFORE DELETE ON provenance BEGIN SELECT RAISE(ABORT, 'provenance is append-only'); END;
`,
	// A long plan's read model, committed with its chunks and sent with its snapshot.
	`
	CREATE TABLE views (
		doc_id TEXT PRIMARY KEY,
		heads TEXT NOT NULL, -- JSON array of hex hashes
		view BLOB NOT NULL
	) WITHOUT ROWID;
`
];
const SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/**
 * The need-to-know lookups, each answered from an index (the tests ask SQLite's query plan): a
 * clinician's patients from `care_team` less `blocks`; a national ID through the expression index
 * `summaries_national_id`, which only an identical expression uses.
 */
export const NEED_TO_KNOW_SQL = {
	patientsOf: `SELECT patient_id FROM care_team c WHERE person_id = ?
		AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.person_id = c.person_id AND b.patient_id = c.patient_id) ORDER BY patient_id`,
	byNationalId: `SELECT summary FROM summaries WHERE json_extract(summary, '$.nationalId') = ? ORDER BY patient_id`
} as const;

type DocRow = { doc_id: string; patient_id: string; heads: string };
type ChunkRow = { key: string; kind: ChunkKind; bytes: Buffer };

function migrate(db: Database.Database): void {
	db.transaction(() => {
		const version = db.pragma('user_version', { simple: true });
		if (typeof version !== 'number' || version > SCHEMA_VERSION) {
			throw new Error(`document store: schema version ${String(version)} is newer than this server (${SCHEMA_VERSION})`);
		}
		SQLITE_MIGRATIONS.slice(version).forEach((ddl) => db.exec(ddl));
		db.pragma(`user_version = ${SCHEMA_VERSION}`);
	}).immediate();
}

function toDocHeads(row: DocRow): DocHeads {
	return { docId: row.doc_id as DocumentId, patientId: row.patient_id as PatientId, heads: JSON.parse(row.heads) as string[] };
}

/** Rewrites a patient's need-to-know index rows (care team, blocks) from the summary being stored. */
function indexStatements(db: Database.Database): (patientId: PatientId, summary: PatientSummary) => void {
	const clear = ['care_team', 'blocks'].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE patient_id = ?`));
	const addMember = db.prepare<[string, string]>('INSERT OR IGNORE INTO care_team (person_id, patient_id) VALUES (?, ?)');
	const addBlock = db.prepare<[string, string]>('INSERT OR IGNORE INTO blocks (person_id, patient_id) VALUES (?, ?)');
	return (patientId, summary) => {
		for (const statement of clear) statement.run(patientId);
		for (const id of summary.team ?? []) addMember.run(id, patientId);
		for (const id of summary.blocked ?? []) addBlock.run(id, patientId);
	};
}

/** Opens (creating when missing) the SQLite document store at `path`: WAL, fsync on every commit. */
export function openSqliteStore(path: string): DocumentStore {
	mkdirSync(dirname(path), { recursive: true });
	const db = new Database(path);
	try {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = FULL');
		db.pragma('busy_timeout = 5000');
		migrate(db);
	} catch (error) {
		db.close();
		throw error;
	}
	return new SqliteStore(db);
}

/** The default store: one SQLite file, one process; subscribers are this process's listeners. */
class SqliteStore implements DocumentStore {
	readonly #db: Database.Database;
	readonly #listeners = new Set<(docId: DocumentId) => void>();
	readonly #selectHeads;
	readonly #upsertDoc;
	readonly #insertChunk;
	readonly #deleteChunk;
	readonly #selectChunks;
	readonly #selectAllHeads;
	readonly #selectPatientHeads;
	readonly #upsertSummary;
	readonly #selectAllSummaries;
	readonly #selectPatientSummaries;
	readonly #selectSyncState;
	readonly #upsertSyncState;
	readonly #commit;
	readonly #insertAudit;
	readonly #selectAudit;
	readonly #selectAuditPage;
	readonly #insertSession;
	readonly #selectSession;
	readonly #endSession;
	readonly #selectGrants;
	readonly #indexSummary;
	readonly #selectPatientsOf;
	readonly #selectByNationalId;
	readonly #insertProvenance;
	readonly #selectProvenance;
	readonly #upsertView;
	readonly #deleteView;
	readonly #selectViews;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#insertAudit = db.prepare<[string, string, string]>('INSERT INTO audit (patient_id, at, entry) VALUES (?, ?, ?)');
		this.#selectAudit = db.prepare<[string, number], { entry: string }>('SELECT entry FROM audit WHERE patient_id = ? ORDER BY at DESC, seq DESC LIMIT ?');
		// Lines older than the cursor (none: from the newest), of the listed actions (none: all).
		this.#selectAuditPage = db.prepare<[{ patient: string; at: string | null; seq: number; actions: string | null; limit: number }], { seq: number; at: string; entry: string }>(
			`SELECT seq, at, entry FROM audit WHERE patient_id = @patient
			 AND (@at IS NULL OR at < @at OR (at = @at AND seq < @seq))
			 AND (@actions IS NULL OR json_extract(entry, '$.action') IN (SELECT value FROM json_each(@actions)))
			 ORDER BY at DESC, seq DESC LIMIT @limit`
		);
		this.#insertSession = db.prepare<[string, string, string, string, string]>('INSERT INTO sessions (key, user_id, claims, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
		this.#selectSession = db.prepare<[string], { key: string; user_id: string; claims: string; created_at: string; expires_at: string; ended_at: string | null }>('SELECT * FROM sessions WHERE key = ?');
		this.#endSession = db.prepare<[string, string]>('UPDATE sessions SET ended_at = ? WHERE key = ? AND ended_at IS NULL');
		this.#selectGrants = db.prepare<[string, string], { entry: string }>(
			`SELECT entry FROM audit WHERE json_extract(entry, '$.action') = 'emergency-access'
			 AND json_extract(entry, '$.who.id') = ? AND json_extract(entry, '$.until') > ? ORDER BY seq`
		);
		this.#selectHeads = db.prepare<[string], { heads: string }>('SELECT heads FROM docs WHERE doc_id = ?');
		// The WHERE turns a commit naming another patient into a no-op that `commit` refuses.
		this.#upsertDoc = db.prepare<[string, string, string]>(
			`INSERT INTO docs (doc_id, patient_id, heads) VALUES (?, ?, ?)
			 ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads WHERE docs.patient_id = excluded.patient_id`
		);
		this.#insertChunk = db.prepare<[string, string, string, Buffer]>(
			'INSERT INTO chunks (doc_id, key, kind, bytes) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
		);
		this.#deleteChunk = db.prepare<[string, string]>('DELETE FROM chunks WHERE doc_id = ? AND key = ?');
		this.#selectChunks = db.prepare<[string], ChunkRow>('SELECT key, kind, bytes FROM chunks WHERE doc_id = ?');
		this.#selectAllHeads = db.prepare<[], DocRow>('SELECT doc_id, patient_id, heads FROM docs ORDER BY doc_id');
		this.#selectPatientHeads = db.prepare<[string], DocRow>(
			'SELECT doc_id, patient_id, heads FROM docs WHERE patient_id IN (SELECT value FROM json_each(?)) ORDER BY doc_id'
		);
		this.#upsertSummary = db.prepare<[string, string]>(
			'INSERT INTO summaries (patient_id, summary) VALUES (?, ?) ON CONFLICT (patient_id) DO UPDATE SET summary = excluded.summary'
		);
		this.#selectAllSummaries = db.prepare<[], { summary: string }>('SELECT summary FROM summaries ORDER BY patient_id');
		this.#selectPatientSummaries = db.prepare<[string], { summary: string }>(
			'SELECT summary FROM summaries WHERE patient_id IN (SELECT value FROM json_each(?)) ORDER BY patient_id'
		);
		this.#indexSummary = indexStatements(db);
		this.#selectPatientsOf = db.prepare<[string], { patient_id: string }>(NEED_TO_KNOW_SQL.patientsOf);
		this.#selectByNationalId = db.prepare<[string], { summary: string }>(NEED_TO_KNOW_SQL.byNationalId);
		this.#insertProvenance = db.prepare<[string, string, string, string]>('INSERT INTO provenance (doc_id, patient_id, at, record) VALUES (?, ?, ?, ?)');
		this.#selectProvenance = db.prepare<[string, number], { record: string }>('SELECT record FROM provenance WHERE doc_id = ? ORDER BY seq DESC LIMIT ?');
		this.#upsertView = db.prepare<[string, string, Buffer]>(
			'INSERT INTO views (doc_id, heads, view) VALUES (?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads, view = excluded.view'
		);
		this.#deleteView = db.prepare<[string]>('DELETE FROM views WHERE doc_id = ?');
		this.#selectViews = db.prepare<[string], { doc_id: string; heads: string; view: Buffer }>(
			'SELECT doc_id, heads, view FROM views WHERE doc_id IN (SELECT value FROM json_each(?))'
		);
		this.#selectSyncState = db.prepare<[string, string], { state: Buffer }>(
			'SELECT state FROM sync_states WHERE peer_id = ? AND doc_id = ?'
		);
		this.#upsertSyncState = db.prepare<[string, string, Buffer]>(
			`INSERT INTO sync_states (peer_id, doc_id, state) VALUES (?, ?, ?)
			 ON CONFLICT (peer_id, doc_id) DO UPDATE SET state = excluded.state`
		);
		this.#commit = db.transaction((docId: DocumentId, patientId: PatientId, write: DocWrite): CommitResult => {
			if (write.base) {
				const row = this.#selectHeads.get(docId);
				const heads = row ? (JSON.parse(row.heads) as string[]) : [];
				if (!sameHeads(heads, write.base)) return { ok: false, reason: 'stale', heads };
			}
			if (this.#upsertDoc.run(docId, patientId, JSON.stringify(write.heads)).changes === 0) {
				throw new Error(`document store: ${docId} belongs to another patient than ${patientId}`);
			}
			for (const key of write.remove) this.#deleteChunk.run(docId, key);
			for (const c of write.add) this.#insertChunk.run(docId, c.key, c.kind, toBuffer(c.bytes));
			if (write.view) this.#upsertView.run(docId, JSON.stringify(write.view.heads), toBuffer(write.view.bytes));
			else if (write.view === null) this.#deleteView.run(docId);
			if (write.summary) {
				this.#upsertSummary.run(patientId, JSON.stringify(write.summary));
				this.#indexSummary(patientId, write.summary);
			}
			for (const e of write.audit ?? []) this.#insertAudit.run(e.patientId, new Date(e.at).toISOString(), JSON.stringify(e));
			const p = write.provenance;
			if (p) this.#insertProvenance.run(docId, patientId, new Date(p.at).toISOString(), JSON.stringify(p));
			return { ok: true };
		});
	}

	async commit(docId: DocumentId, patientId: PatientId, write: DocWrite): Promise<CommitResult> {
		checkCommit(docId, patientId, write);
		const result = this.#commit.immediate(docId, patientId, write);
		if (result.ok) notify(this.#listeners, docId);
		return result;
	}

	async chunks(docId: DocumentId): Promise<StoredChunk[]> {
		checkDocId(docId);
		return this.#selectChunks.all(docId).map((row) => ({ key: row.key, kind: row.kind, bytes: fromBuffer(row.bytes) }));
	}

	async views(docIds: readonly DocumentId[]): Promise<DocView[]> {
		checkDocIds(docIds);
		if (!docIds.length) return [];
		return this.#selectViews.all(JSON.stringify(docIds)).map((row) => ({ docId: row.doc_id as DocumentId, heads: JSON.parse(row.heads) as string[], bytes: fromBuffer(row.view) }));
	}

	async manifest(patientIds?: readonly PatientId[]): Promise<DocHeads[]> {
		checkPatientIds(patientIds);
		const rows = patientIds ? this.#selectPatientHeads.all(JSON.stringify(patientIds)) : this.#selectAllHeads.all();
		return rows.map(toDocHeads);
	}

	async summaries(patientIds?: readonly PatientId[]): Promise<PatientSummary[]> {
		checkPatientIds(patientIds);
		const rows = patientIds ? this.#selectPatientSummaries.all(JSON.stringify(patientIds)) : this.#selectAllSummaries.all();
		return rows.map((row) => JSON.parse(row.summary) as PatientSummary);
	}

	async patientsOf(userId: string): Promise<PatientId[]> {
		checkLookup(userId, 'userId');
		return this.#selectPatientsOf.all(userId).map((row) => row.patient_id as PatientId);
	}

	async patientsByNationalId(nationalId: string): Promise<PatientSummary[]> {
		checkLookup(nationalId, 'nationalId');
		return this.#selectByNationalId.all(nationalId).map((row) => JSON.parse(row.summary) as PatientSummary);
	}

	async provenance(docId: DocumentId, limit = 1000): Promise<ProvenanceRecord[]> {
		checkProvenanceQuery(docId, limit);
		return this.#selectProvenance.all(docId, limit).map((row) => JSON.parse(row.record) as ProvenanceRecord);
	}

	async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
		checkAudit(entries);
		this.#db.transaction(() => {
			// The column holds the normalised time, so lines order (and pages continue) by time, whatever its spelling.
			for (const e of entries) this.#insertAudit.run(e.patientId, new Date(e.at).toISOString(), JSON.stringify(e));
		}).immediate();
	}

	async audit(patientId: PatientId, limit = 500): Promise<AuditEntry[]> {
		checkPatientIds([patientId]);
		return this.#selectAudit.all(patientId, limit).map((row) => JSON.parse(row.entry) as AuditEntry);
	}

	async auditPage(patientId: PatientId, query: AuditQuery): Promise<AuditPage> {
		const cursor = checkAuditQuery(patientId, query);
		const actions = query.actions ? JSON.stringify(query.actions) : null;
		const rows = this.#selectAuditPage.all({ patient: patientId, at: cursor?.at ?? null, seq: cursor?.seq ?? 0, actions, limit: query.limit + 1 });
		const page = rows.slice(0, query.limit);
		const last = page.at(-1);
		return { entries: page.map((row) => JSON.parse(row.entry) as AuditEntry), next: rows.length > query.limit && last ? auditCursor(last.at, last.seq) : null };
	}

	async createSession(session: StoredSession): Promise<void> {
		checkSession(session);
		this.#insertSession.run(session.key, session.userId, JSON.stringify(session.claims), session.createdAt, session.expiresAt);
	}

	async session(key: string): Promise<StoredSession | null> {
		checkSessionKey(key);
		const row = this.#selectSession.get(key);
		if (!row) return null;
		return { key: row.key, userId: row.user_id, claims: JSON.parse(row.claims) as Record<string, unknown>, createdAt: row.created_at, expiresAt: row.expires_at, endedAt: row.ended_at };
	}

	async endSession(key: string, at: string): Promise<void> {
		checkSessionKey(key);
		if (Number.isNaN(Date.parse(at))) throw new TypeError('at must be a time');
		this.#endSession.run(at, key);
	}

	async emergencyGrants(userId: string, now: string): Promise<AuditEntry[]> {
		checkGrantQuery(userId, now);
		return this.#selectGrants.all(userId, new Date(now).toISOString()).map((row) => JSON.parse(row.entry) as AuditEntry);
	}

	async loadSyncState(peerId: string, docId: DocumentId): Promise<Uint8Array | null> {
		checkSyncState(peerId, docId);
		const row = this.#selectSyncState.get(peerId, docId);
		return row ? fromBuffer(row.state) : null;
	}

	async saveSyncState(peerId: string, docId: DocumentId, state: Uint8Array): Promise<void> {
		checkSyncState(peerId, docId, state);
		this.#upsertSyncState.run(peerId, docId, toBuffer(state));
	}

	subscribe(listener: (docId: DocumentId) => void): () => void {
		this.#listeners.add(listener);
		return () => void this.#listeners.delete(listener);
	}

	async close(): Promise<void> {
		this.#listeners.clear();
		if (this.#db.open) this.#db.close();
	}
}
