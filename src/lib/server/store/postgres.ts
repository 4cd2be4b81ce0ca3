import pg from 'pg';
import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { auditCursor, checkAudit, checkAuditQuery, checkCommit, checkGrantQuery, checkDocId, checkDocIds, checkLookup, checkProvenanceQuery, checkSession, checkSessionKey, checkPatientIds, checkSyncState, fromBuffer, notify, sameHeads, toBuffer } from './boundary';
import { PgListener } from './pg-listener';
import { inTransaction, migrate } from './postgres-schema';
import type { AuditEntry, AuditPage, AuditQuery, ChunkKind, CommitResult, DocHeads, DocumentStore, DocView, DocWrite, ProvenanceRecord, StoredChunk, StoredSession } from './types';

const CHANNEL = 'dbep_docs';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

/** Where the store keeps its tables: `schema` (created when missing) instead of the default search path. */
export type PostgresStoreOptions = { schema?: string; maxConnections?: number };

type DocRow = { doc_id: string; patient_id: string; heads: string[] };

/**
 * Opens the PostgreSQL document store, creating its tables when missing. Commits notify channel
 * `dbep_docs` (`dbep_docs_<schema>` with a schema), which every store on the database LISTENs to.
 */
export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<DocumentStore> {
	const { schema } = options;
	if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new TypeError(`bad schema name: ${schema}`);
	const pool = new pg.Pool({
		connectionString,
		max: options.maxConnections ?? 10,
		application_name: 'dbep',
		...(schema ? { options: `-c search_path=${schema}` } : {})
	});
	// An idle client's lost connection is reported here; without a handler it would end the process.
	pool.on('error', (error) => console.error(`document store: idle connection failed (${error.message})`));
	try {
		await migrate(pool, schema);
		const channel = schema ? `${CHANNEL}_${schema}` : CHANNEL;
		const listeners = new Set<(docId: DocumentId) => void>();
		const listener = await PgListener.start(connectionString, channel, (docId) => notify(listeners, docId as DocumentId));
		return new PostgresStore(pool, listener, listeners);
	} catch (error) {
		await pool.end();
		throw error;
	}
}

/** Rewrites a patient's need-to-know index rows (care team, blocks) from the summary being stored, in the commit's transaction. */
async function indexSummary(client: pg.PoolClient, patientId: PatientId, summary: PatientSummary): Promise<void> {
	await client.query('DELETE FROM care_team WHERE patient_id = $1', [patientId]);
	await client.query('DELETE FROM blocks WHERE patient_id = $1', [patientId]);
	if (summary.team?.length) await client.query('INSERT INTO care_team (person_id, patient_id) SELECT DISTINCT unnest($2::text[]), $1 ON CONFLICT DO NOTHING', [patientId, summary.team]);
	if (summary.blocked?.length) await client.query('INSERT INTO blocks (person_id, patient_id) SELECT DISTINCT unnest($2::text[]), $1 ON CONFLICT DO NOTHING', [patientId, summary.blocked]);
}

/** The shared store: several server processes on one database, told of each other's commits by NOTIFY. */
class PostgresStore implements DocumentStore {
	readonly #pool: pg.Pool;
	readonly #listener: PgListener;
	readonly #listeners: Set<(docId: DocumentId) => void>;
	#closing: Promise<void> | null = null;

	constructor(pool: pg.Pool, listener: PgListener, listeners: Set<(docId: DocumentId) => void>) {
		this.#pool = pool;
		this.#listener = listener;
		this.#listeners = listeners;
	}

	async commit(docId: DocumentId, patientId: PatientId, write: DocWrite): Promise<CommitResult> {
		checkCommit(docId, patientId, write);
		return inTransaction(this.#pool, async (client): Promise<CommitResult> => {
			if (write.base) {
				const stale = await this.#staleBase(client, docId, patientId, write.base);
				if (stale) return stale;
			}
			// Locks the document's row, so concurrent commits to one document apply one after the other.
			const doc = await client.query(
				`INSERT INTO docs (doc_id, patient_id, heads) VALUES ($1, $2, $3::text[])
				 ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads WHERE docs.patient_id = excluded.patient_id`,
				[docId, patientId, write.heads]
			);
			if (doc.rowCount === 0) throw new Error(`document store: ${docId} belongs to another patient than ${patientId}`);
			if (write.remove.length) {
				await client.query('DELETE FROM chunks WHERE doc_id = $1 AND key = ANY($2::text[])', [docId, write.remove]);
			}
			if (write.add.length) {
				await client.query(
					`INSERT INTO chunks (doc_id, key, kind, bytes)
					 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bytea[]) ON CONFLICT DO NOTHING`,
					[docId, write.add.map((c) => c.key), write.add.map((c) => c.kind), write.add.map((c) => toBuffer(c.bytes))]
				);
			}
			if (write.view) {
				await client.query(
					`INSERT INTO views (doc_id, heads, view) VALUES ($1, $2::text[], $3)
					 ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads, view = excluded.view`,
					[docId, write.view.heads, toBuffer(write.view.bytes)]
				);
			} else if (write.view === null) {
				await client.query('DELETE FROM views WHERE doc_id = $1', [docId]);
			}
			if (write.summary) {
				await client.query(
					`INSERT INTO summaries (patient_id, summary) VALUES ($1, $2::jsonb)
					 ON CONFLICT (patient_id) DO UPDATE SET summary = excluded.summary`,
					[patientId, JSON.stringify(write.summary)]
				);
				await indexSummary(client, patientId, write.summary);
			}
			if (write.audit?.length) await this.#insertAudit(client, write.audit);
			if (write.provenance) {
				await client.query('INSERT INTO provenance (doc_id, patient_id, at, record) VALUES ($1, $2, $3, $4::jsonb)', [docId, patientId, write.provenance.at, JSON.stringify(write.provenance)]);
			}
			// Delivered to every listening session only when the transaction commits.
			await client.query('SELECT pg_notify($1, $2)', [this.#listener.channel, docId]);
			return { ok: true };
		});
	}

	/** Locks the document's row and checks its heads against `base`; creates the row of a new document first, so a concurrent creator makes this one stale. */
	async #staleBase(client: pg.PoolClient, docId: DocumentId, patientId: PatientId, base: readonly string[]): Promise<CommitResult | null> {
		const heads = async () => (await client.query<{ heads: string[] }>('SELECT heads FROM docs WHERE doc_id = $1 FOR UPDATE', [docId])).rows[0]?.heads;
		const stored = await heads();
		if (stored === undefined && !base.length) {
			const created = await client.query(
				'INSERT INTO docs (doc_id, patient_id, heads) VALUES ($1, $2, $3::text[]) ON CONFLICT (doc_id) DO NOTHING',
				[docId, patientId, []]
			);
			if (created.rowCount === 1) return null;
			return { ok: false, reason: 'stale', heads: (await heads()) ?? [] };
		}
		return sameHeads(stored ?? [], base) ? null : { ok: false, reason: 'stale', heads: stored ?? [] };
	}

	async chunks(docId: DocumentId): Promise<StoredChunk[]> {
		checkDocId(docId);
		const { rows } = await this.#pool.query<{ key: string; kind: ChunkKind; bytes: Buffer }>(
			'SELECT key, kind, bytes FROM chunks WHERE doc_id = $1',
			[docId]
		);
		return rows.map((row) => ({ key: row.key, kind: row.kind, bytes: fromBuffer(row.bytes) }));
	}

	async views(docIds: readonly DocumentId[]): Promise<DocView[]> {
		checkDocIds(docIds);
		if (!docIds.length) return [];
		const { rows } = await this.#pool.query<{ doc_id: string; heads: string[]; view: Buffer }>('SELECT doc_id, heads, view FROM views WHERE doc_id = ANY($1::text[])', [docIds]);
		return rows.map((row) => ({ docId: row.doc_id as DocumentId, heads: row.heads, bytes: fromBuffer(row.view) }));
	}

	async manifest(patientIds?: readonly PatientId[]): Promise<DocHeads[]> {
		checkPatientIds(patientIds);
		const { rows } = patientIds
			? await this.#pool.query<DocRow>(
					'SELECT doc_id, patient_id, heads FROM docs WHERE patient_id = ANY($1::text[]) ORDER BY doc_id',
					[patientIds]
				)
			: await this.#pool.query<DocRow>('SELECT doc_id, patient_id, heads FROM docs ORDER BY doc_id');
		return rows.map((row) => ({ docId: row.doc_id as DocumentId, patientId: row.patient_id as PatientId, heads: row.heads }));
	}

	async summaries(patientIds?: readonly PatientId[]): Promise<PatientSummary[]> {
		checkPatientIds(patientIds);
		const { rows } = patientIds
			? await this.#pool.query<{ summary: PatientSummary }>(
					'SELECT summary FROM summaries WHERE patient_id = ANY($1::text[]) ORDER BY patient_id',
					[patientIds]
				)
			: await this.#pool.query<{ summary: PatientSummary }>('SELECT summary FROM summaries ORDER BY patient_id');
		return rows.map((row) => row.summary);
	}

	async patientsOf(userId: string): Promise<PatientId[]> {
		checkLookup(userId, 'userId');
		const { rows } = await this.#pool.query<{ patient_id: PatientId }>(
			`SELECT patient_id FROM care_team c WHERE person_id = $1
			 AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.person_id = c.person_id AND b.patient_id = c.patient_id) ORDER BY patient_id`,
			[userId]
		);
		return rows.map((row) => row.patient_id);
	}

	async patientsByNationalId(nationalId: string): Promise<PatientSummary[]> {
		checkLookup(nationalId, 'nationalId');
		// The expression is the index's (summaries_national_id).
		const { rows } = await this.#pool.query<{ summary: PatientSummary }>(`SELECT summary FROM summaries WHERE summary->>'nationalId' = $1 ORDER BY patient_id`, [nationalId]);
		return rows.map((row) => row.summary);
	}

	async provenance(docId: DocumentId, limit = 1000): Promise<ProvenanceRecord[]> {
		checkProvenanceQuery(docId, limit);
		const { rows } = await this.#pool.query<{ record: ProvenanceRecord }>('SELECT record FROM provenance WHERE doc_id = $1 ORDER BY seq DESC LIMIT $2', [docId, limit]);
		return rows.map((row) => row.record);
	}

	async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
		checkAudit(entries);
		if (entries.length) await this.#insertAudit(this.#pool, entries);
	}

	async #insertAudit(db: pg.Pool | pg.PoolClient, entries: readonly AuditEntry[]): Promise<void> {
		await db.query(
			'INSERT INTO audit (patient_id, at, entry) SELECT e->>\'patientId\', (e->>\'at\')::timestamptz, e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n',
			[JSON.stringify(entries)]
		);
	}

	async audit(patientId: PatientId, limit = 500): Promise<AuditEntry[]> {
		checkPatientIds([patientId]);
		const { rows } = await this.#pool.query<{ entry: AuditEntry }>('SELECT entry FROM audit WHERE patient_id = $1 ORDER BY at DESC, seq DESC LIMIT $2', [patientId, limit]);
		return rows.map((row) => row.entry);
	}

	async auditPage(patientId: PatientId, query: AuditQuery): Promise<AuditPage> {
		const cursor = checkAuditQuery(patientId, query);
		const { rows } = await this.#pool.query<{ seq: string; at: Date; entry: AuditEntry }>(
			`SELECT seq, at, entry FROM audit WHERE patient_id = $1
			 AND ($2::timestamptz IS NULL OR (at, seq) < ($2::timestamptz, $3::bigint))
			 AND ($4::text[] IS NULL OR entry->>'action' = ANY($4::text[]))
			 ORDER BY at DESC, seq DESC LIMIT $5`,
			[patientId, cursor?.at ?? null, cursor?.seq ?? 0, query.actions ? [...query.actions] : null, query.limit + 1]
		);
		const page = rows.slice(0, query.limit);
		const last = page.at(-1);
		return { entries: page.map((row) => row.entry), next: rows.length > query.limit && last ? auditCursor(last.at.toISOString(), Number(last.seq)) : null };
	}

	async createSession(session: StoredSession): Promise<void> {
		checkSession(session);
		await this.#pool.query('INSERT INTO sessions (key, user_id, claims, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
			session.key,
			session.userId,
			JSON.stringify(session.claims),
			session.createdAt,
			session.expiresAt
		]);
	}

	async session(key: string): Promise<StoredSession | null> {
		checkSessionKey(key);
		const { rows } = await this.#pool.query<{ key: string; user_id: string; claims: Record<string, unknown>; created_at: Date; expires_at: Date; ended_at: Date | null }>(
			'SELECT * FROM sessions WHERE key = $1',
			[key]
		);
		const row = rows[0];
		if (!row) return null;
		return { key: row.key, userId: row.user_id, claims: row.claims, createdAt: row.created_at.toISOString(), expiresAt: row.expires_at.toISOString(), endedAt: row.ended_at?.toISOString() ?? null };
	}

	async endSession(key: string, at: string): Promise<void> {
		checkSessionKey(key);
		if (Number.isNaN(Date.parse(at))) throw new TypeError('at must be a time');
		await this.#pool.query('UPDATE sessions SET ended_at = $1 WHERE key = $2 AND ended_at IS NULL', [at, key]);
	}

	async emergencyGrants(userId: string, now: string): Promise<AuditEntry[]> {
		checkGrantQuery(userId, now);
		const { rows } = await this.#pool.query<{ entry: AuditEntry }>(
			`SELECT entry FROM audit WHERE entry->>'action' = 'emergency-access' AND entry->'who'->>'id' = $1 AND (entry->>'until')::timestamptz > $2::timestamptz ORDER BY seq`,
			[userId, now]
		);
		return rows.map((row) => row.entry);
	}

	async loadSyncState(peerId: string, docId: DocumentId): Promise<Uint8Array | null> {
		checkSyncState(peerId, docId);
		const { rows } = await this.#pool.query<{ state: Buffer }>(
			'SELECT state FROM sync_states WHERE peer_id = $1 AND doc_id = $2',
			[peerId, docId]
		);
		return rows[0] ? fromBuffer(rows[0].state) : null;
	}

	async saveSyncState(peerId: string, docId: DocumentId, state: Uint8Array): Promise<void> {
		checkSyncState(peerId, docId, state);
		await this.#pool.query(
			`INSERT INTO sync_states (peer_id, doc_id, state) VALUES ($1, $2, $3)
			 ON CONFLICT (peer_id, doc_id) DO UPDATE SET state = excluded.state`,
			[peerId, docId, toBuffer(state)]
		);
	}

	subscribe(listener: (docId: DocumentId) => void): () => void {
		this.#listeners.add(listener);
		return () => void this.#listeners.delete(listener);
	}

	close(): Promise<void> {
		this.#listeners.clear();
		this.#closing ??= Promise.all([this.#listener.close(), this.#pool.end()]).then(() => undefined);
		return this.#closing;
	}
}
