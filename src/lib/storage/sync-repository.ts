import * as A from '@automerge/automerge/slim';
import { parseDocumentId, planDocId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { headsHash, manifestDigest, type DocMessage, type ManifestEntry, type Opened, type Snapshot } from '$lib/sync/protocol';
import { MANIFEST_KEY, type LoadProblem, type ManifestSummary, type SnapshotWrite } from './doc-store';
import { RepositoryCore, conflictsOf, sameHeads, type Held } from './repository-core';

/** What became of received snapshots: stored, or not (`kept`: the device holds unsent changes to it, or its ids disagree). */
export type ImportResult = { stored: DocumentId[]; kept: DocumentId[] };
/** What became of documents to purge: deleted, or kept because they hold unsent changes. */
export type PurgeResult = { purged: DocumentId[]; kept: DocumentId[] };
/** The outcome of applying one received sync message. */
export type ApplyResult = { ok: true; changed: boolean } | { ok: false; reason: LoadProblem | 'sync-message-invalid' | 'storage-failed' };

const now = () => new Date().toISOString();

/**
 * The repository's side of sync with the server: snapshots stored unparsed, sync messages applied
 * and generated with persisted sync states, acknowledgements, purges and the manifest. Every
 * stored sync change is one transaction and is announced to other tabs.
 */
export abstract class SyncRepository extends RepositoryCore {
	/** Sync states of the current connection, decoded fresh from storage when it starts. */
	readonly #states = new Map<DocumentId, A.SyncState>();

	/** The device's sync peer id: random, created once, shared by every tab. */
	async peerId(): Promise<string> {
		const { db } = this;
		return db.transaction('rw', db.meta, async () => {
			const row = await db.meta.get('peerId');
			if (typeof row?.value === 'string') return row.value;
			const id = crypto.randomUUID();
			await db.meta.put({ key: 'peerId', value: id });
			return id;
		});
	}

	/** Forgets this connection's sync state of a document the device no longer holds as it was. */
	protected forgetSyncState(docId: DocumentId): void {
		this.#states.delete(docId);
	}

	/**
	 * Drops the whole copies kept with set-aside versions of patients the device may no longer
	 * hold (their plans must leave the device); what was refused stays, as text, until discarded.
	 * Only inside a transaction over `setAside`.
	 */
	protected async dropCopies(patientIds: readonly PatientId[]): Promise<void> {
		if (patientIds.length) await this.db.setAside.where('patientId').anyOf([...patientIds]).modify({ bytes: null });
	}

	/** Starts a new connection's exchange: sync states are decoded afresh from storage. */
	beginSync(): void {
		this.#states.clear();
	}

	/**
	 * Every document the device holds, with its heads hash, from the document rows alone; the
	 * kept digest is renewed from them (an empty device keeps none: its first sync stores rows
	 * without reading what they replace).
	 */
	async manifest(): Promise<ManifestEntry[]> {
		const { db } = this;
		return db.transaction('rw', [db.docs, db.meta], async () => {
			const entries = (await db.docs.toArray()).map((r): ManifestEntry => [r.docId, headsHash(r.heads)]);
			if (entries.length) await db.meta.put({ key: MANIFEST_KEY, value: { digest: manifestDigest(entries), count: entries.length } satisfies ManifestSummary });
			else await db.meta.delete(MANIFEST_KEY);
			return entries;
		});
	}

	/** The digest of `manifest()` and how many documents it lists, as kept by every write: no document row is read. */
	async manifestSummary(): Promise<ManifestSummary> {
		const kept = await this.store.manifestSummary();
		if (kept) return kept;
		const entries = await this.manifest();
		return { digest: manifestDigest(entries), count: entries.length };
	}

	/** The ids of every document the device holds (keys only). */
	async docIds(): Promise<DocumentId[]> {
		return (await this.db.docs.toCollection().primaryKeys()) as DocumentId[];
	}

	/** The documents holding changes the server has not acknowledged. */
	async unsyncedDocs(): Promise<DocumentId[]> {
		return (await this.db.unsynced.toCollection().primaryKeys()) as DocumentId[];
	}

	/** Stores snapshots as received, unparsed, with the patients' summaries; a document holding unsent changes is kept as it is. */
	async importSnapshots(snapshots: readonly Snapshot[], summaries: readonly PatientSummary[], at = now()): Promise<ImportResult> {
		const { db } = this;
		const result: ImportResult = { stored: [], kept: [] };
		let fresh: PatientSummary[] = [];
		await this.exclusive(() => db.transaction('rw', [db.chunks, db.docs, db.views, db.unsynced, db.summaries, db.meta], async () => {
			const unsynced = await db.unsynced.toArray();
			const pending = new Set(unsynced.map((u) => u.patientId));
			const unsent = new Set(unsynced.map((u) => u.docId));
			// A document sent twice in one frame is stored as last sent.
			const writes = new Map<DocumentId, SnapshotWrite>();
			for (const s of snapshots) {
				const ref = parseDocumentId(s.docId);
				if (!ref || ref.patientId !== s.patientId || unsent.has(s.docId)) {
					result.kept.push(s.docId);
					continue;
				}
				writes.set(s.docId, { ...s, kind: ref.kind });
			}
			result.stored.push(...writes.keys());
			// A patient with unsent changes keeps the summary made from them until sync merges both.
			fresh = summaries.filter((s) => !pending.has(s.patientId));
			await Promise.all([this.store.putSnapshots([...writes.values()], at), fresh.length ? db.summaries.bulkPut(fresh) : null]);
		}));
		const patients = [...snapshots.map((s) => s.patientId), ...summaries.map((s) => s.patientId)];
		this.forget(patients);
		this.announce(patients, fresh);
		return result;
	}

	async #syncState(docId: DocumentId): Promise<A.SyncState> {
		let state = this.#states.get(docId);
		if (!state) {
			const row = await this.db.syncStates.get(docId);
			state = row ? A.decodeSyncState(row.state) : A.initSyncState();
			this.#states.set(docId, state);
		}
		return state;
	}

	/** The document to sync: held, loaded, or a new empty one when the device lacks it. Only inside `exclusive`. */
	async #syncDoc(docId: DocumentId): Promise<Held<unknown> | LoadProblem> {
		const got = await this.getForWrite<unknown>(docId);
		if (got !== 'document-missing') return got;
		const fresh: Held<unknown> = { doc: A.init(), stored: [] };
		this.held.set(docId, fresh);
		return fresh;
	}

	/** Applies a sync message from the server; new changes are stored as synced, with view, summary and sync state, in one transaction. */
	async applySyncMessage(docId: DocumentId, message: Uint8Array, at = now()): Promise<ApplyResult> {
		const ref = parseDocumentId(docId);
		if (!ref) return { ok: false, reason: 'sync-message-invalid' };
		return this.exclusive(() => this.#apply(docId, ref.patientId, ref.kind, message, at));
	}

	async #apply(docId: DocumentId, patientId: PatientId, kind: 'plan' | 'log', message: Uint8Array, at: string): Promise<ApplyResult> {
		const held = await this.#syncDoc(docId);
		if (typeof held === 'string') return { ok: false, reason: held };
		const before = await this.#syncState(docId);
		let doc: A.Doc<unknown>;
		let state: A.SyncState;
		try {
			[doc, state] = A.receiveSyncMessage(held.doc, before, message);
		} catch {
			// A failed receive may leave the held document unusable: read it from storage next time.
			this.held.delete(docId);
			this.#states.delete(docId);
			return { ok: false, reason: 'sync-message-invalid' };
		}
		held.doc = doc;
		this.#states.set(docId, state);
		const heads = A.getHeads(doc);
		const changed = heads.length > 0 && !sameHeads(heads, held.stored);
		const summary = changed ? await this.summaryOf(patientId, at) : null;
		const { db } = this;
		let committed = false;
		try {
			committed = await this.storeHeld([docId], () =>
				db.transaction('rw', [db.chunks, db.docs, db.summaries, db.unsynced, db.views, db.syncStates, db.meta], async () => {
					if (changed) {
						const write = { docId, patientId, kind, doc, since: held.stored, conflicts: conflictsOf(docId, doc) };
						await this.store.commit([write], { summaries: summary ? [summary] : [], unsynced: false, at });
					}
					await db.syncStates.put({ docId, state: A.encodeSyncState(state) });
				})
			);
		} finally {
			// Not stored: the sync state goes back to the stored one with the document, so the server sends the changes again.
			if (!committed) this.#states.delete(docId);
		}
		if (!committed) return { ok: false, reason: 'storage-failed' };
		if (changed) {
			held.stored = heads;
			this.announce([patientId]);
		}
		return { ok: true, changed };
	}

	/** True once this connection has seen the server at the document's current heads: nothing left to exchange. */
	async syncSettled(docId: DocumentId): Promise<boolean> {
		const theirs = this.#states.get(docId)?.theirHeads;
		if (!theirs) return false;
		const held = this.held.get(docId);
		const ours = held ? A.getHeads(held.doc) : (await this.db.docs.get(docId))?.heads;
		return ours !== undefined && sameHeads(theirs, ours);
	}

	/**
	 * Sync messages for those of `docIds` with something to send; sync states are persisted.
	 * Generating marks changes as sent in the sync state, so nothing is generated once `live()`
	 * says the connection it was for has ended (the wait for the write lock can outlast it).
	 */
	generateSyncMessages(docIds: readonly DocumentId[], live: () => boolean = () => true): Promise<DocMessage[]> {
		return this.exclusive(async () => (live() ? this.#generate(docIds) : []));
	}

	async #generate(docIds: readonly DocumentId[]): Promise<DocMessage[]> {
		const out: DocMessage[] = [];
		const states: { docId: DocumentId; state: Uint8Array }[] = [];
		for (const docId of new Set(docIds)) {
			const held = await this.#syncDoc(docId);
			if (typeof held === 'string') continue;
			const [state, message] = A.generateSyncMessage(held.doc, await this.#syncState(docId));
			this.#states.set(docId, state);
			states.push({ docId, state: A.encodeSyncState(state) });
			if (message) out.push({ docId, message });
		}
		if (states.length) await this.db.syncStates.bulkPut(states);
		return out;
	}

	/** Clears the document's unsynced mark if its stored heads are still `heads`; true when cleared. */
	async markAcked(docId: DocumentId, heads: readonly string[]): Promise<boolean> {
		const { db } = this;
		const cleared = await db.transaction('rw', [db.docs, db.unsynced], async () => {
			const [row, mark] = await Promise.all([db.docs.get(docId), db.unsynced.get(docId)]);
			if (!row || !mark || !sameHeads(row.heads, heads)) return null;
			await db.unsynced.delete(docId);
			return mark.patientId;
		});
		if (cleared) this.announce([cleared]);
		return cleared !== null;
	}

	/**
	 * Deletes documents the device may no longer hold, and a patient's summary with their last one;
	 * never a document holding unsent changes (sync sends it, and the register's refusal sets it
	 * aside). A patient left with no document also loses the whole copies in their set-aside versions.
	 */
	async purge(docIds: readonly DocumentId[]): Promise<PurgeResult> {
		const { db } = this;
		const result: PurgeResult = { purged: [], kept: [] };
		const patients = new Set<PatientId>();
		await this.exclusive(() => db.transaction('rw', [db.chunks, db.docs, db.views, db.unsynced, db.summaries, db.syncStates, db.setAside, db.meta], async () => {
			for (const docId of new Set(docIds)) {
				if (await db.unsynced.get(docId)) {
					result.kept.push(docId);
					continue;
				}
				const row = await db.docs.get(docId);
				const patientId = row?.patientId ?? parseDocumentId(docId)?.patientId;
				await this.store.remove(docId);
				await db.syncStates.delete(docId);
				if (patientId) patients.add(patientId);
				result.purged.push(docId);
			}
			const gone: PatientId[] = [];
			for (const p of patients) if ((await db.docs.where('patientId').equals(p).count()) === 0) gone.push(p);
			await db.summaries.bulkDelete(gone);
			await this.dropCopies(gone);
		}));
		for (const docId of result.purged) this.#states.delete(docId);
		this.forget([...patients]);
		this.announce([...patients]);
		return result;
	}

	/** Notes that the user opened a patient's plan on this device, for the register's access log. */
	async noteOpened(patientId: PatientId, at = now()): Promise<void> {
		await this.db.opened.add({ docId: planDocId(patientId), at });
	}

	/** Plans opened here and not yet reported, oldest first (at most `limit`). */
	async openedToReport(limit = 200): Promise<Opened[]> {
		return (await this.db.opened.limit(limit).toArray()).map((r) => ({ id: r.id!, docId: r.docId, at: r.at }));
	}

	/** Forgets reports the register has logged. */
	async forgetOpened(ids: readonly number[]): Promise<void> {
		await this.db.opened.bulkDelete([...ids]);
	}

	/** When the device last finished a sync with nothing left unsent (kept across reloads), or null. */
	async lastSyncedAt(): Promise<string | null> {
		const row = await this.db.meta.get('lastSyncedAt');
		return typeof row?.value === 'string' ? row.value : null;
	}

	/** Remembers a finished sync. */
	async recordSynced(at: string): Promise<void> {
		await this.db.meta.put({ key: 'lastSyncedAt', value: at });
	}
}
