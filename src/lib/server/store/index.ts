import { join } from 'node:path';
import type { DocumentStore } from './types';

export type { AccessBasis, AuditAction, AuditEntry, ChunkKind, CommitResult, DocHeads, DocumentStore, DocView, DocWrite, ProvenanceRecord, StoredChunk, StoredSession, StoredView } from './types';

/** Where the server keeps documents: PostgreSQL when `databaseUrl` is set, else SQLite under `dataDir`. */
export type StoreConfig = { databaseUrl?: string; dataDir?: string };

/**
 * Opens the server's document store: PostgreSQL when a database URL is given (pass
 * `process.env.DATABASE_URL`), otherwise the SQLite file `documents.sqlite` in `./data`.
 * Only the chosen driver is loaded.
 */
export async function openDocumentStore(config: StoreConfig = {}): Promise<DocumentStore> {
	if (config.databaseUrl) {
		const { openPostgresStore } = await import('./postgres');
		return openPostgresStore(config.databaseUrl);
	}
	const { openSqliteStore } = await import('./sqlite');
	return openSqliteStore(join(config.dataDir ?? 'data', 'documents.sqlite'));
}
