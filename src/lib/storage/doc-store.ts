import { getHeads, getMissingDeps, init, loadIncremental, save, saveSince, type Doc, type Heads } from '@automerge/automerge/slim';
import type { PlanConflict } from '$lib/domain/conflicts';
import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import type { DbepDb, DocRow } from './db';

/** One document's new state to store, and the heads it was at when last stored (null: new). */
export type DocWrite = {
	docId: DocumentId;
	patientId: PatientId;
	kind: DocRow['kind'];
	doc: Doc<unknown>;
	since: Heads | null;
	/** The fields the view should show as conflicted (see `planConflicts`). */
	conflicts?: PlanConflict[];
};

/** A whole saved document as received, stored without parsing: its heads are taken as given. */
export type SnapshotWrite = { docId: DocumentId; patientId: PatientId; kind: DocRow['kind']; heads: string[]; bytes: Uint8Array };

export type LoadProblem = 'document-missing' | 'document-corrupt' | 'document-incomplete';
/** Why a change was not made: the document could not be read, or its transaction failed (a full disk). */
export type WriteProblem = LoadProblem | 'write-failed';
export type LoadResult<T> = { ok: true; doc: Doc<T> } | { ok: false; reason: LoadProblem };

function headsKey(heads: readonly string[]): string {
	return [...heads].sort().map((h) => h.slice(0, 16)).join('.') || 'empty';
}

/**
 * Stores Automerge documents as chunks (snapshots plus incremental saves), after automerge-repo's
 * scheme: compact into one snapshot when the increments outgrow it, and delete only chunks this
 * instance has seen, so another tab's concurrent write is never lost.
 */
export class DocStore {
	readonly #seen = new Map<DocumentId, Set<string>>();

	constructor(readonly db: DbepDb) {}

	#see(docId: DocumentId, key: string): void {
		let keys = this.#seen.get(docId);
		if (!keys) this.#seen.set(docId, (keys = new Set()));
		keys.add(key);
	}

	/** Loads a document from its chunks; a damaged or partial one is reported, never thrown. */
	async load<T>(docId: DocumentId): Promise<LoadResult<T>> {
		const rows = await this.db.chunks.where('docId').equals(docId).toArray();
		// No chunks where the device has a row for the document: they were lost, not never here.
		if (!rows.length) return { ok: false, reason: (await this.db.docs.get(docId)) ? 'document-incomplete' : 'document-missing' };
		rows.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'snapshot' ? -1 : 1));
		let doc = init<T>();
		try {
			for (const row of rows) doc = loadIncremental(doc, row.bytes);
		} catch {
			return { ok: false, reason: 'document-corrupt' };
		}
		if (getMissingDeps(doc, []).length) return { ok: false, reason: 'document-incomplete' };
		for (const row of rows) this.#see(docId, row.key);
		return { ok: true, doc };
	}

	/**
	 * Writes each document's changes, its view, the patients' list summaries and the unsynced
	 * marks in one transaction, compacting a document whose increments have outgrown its snapshot.
	 */
	async commit(writes: readonly DocWrite[], opts: { summaries: readonly PatientSummary[]; unsynced: boolean; at: string }): Promise<void> {
		const { db } = this;
		// The chunks seen are noted as they are written; a failed transaction wrote none of them.
		const seen = writes.map((w) => {
			const keys = this.#seen.get(w.docId);
			return [w.docId, keys && new Set(keys)] as const;
		});
		try {
			await db.transaction('rw', [db.chunks, db.docs, db.summaries, db.unsynced, db.views], async () => {
				for (const w of writes) await this.#write(w, opts);
				if (opts.summaries.length) await db.summaries.bulkPut([...opts.summaries]);
			});
		} catch (error) {
			for (const [docId, keys] of seen) {
				if (keys) this.#seen.set(docId, keys);
				else this.#seen.delete(docId);
			}
			throw error;
		}
	}

	async #write(w: DocWrite, opts: { unsynced: boolean; at: string }): Promise<void> {
		const { db } = this;
		const heads = getHeads(w.doc);
		const row = await db.docs.get(w.docId);
		const base = { docId: w.docId, patientId: w.patientId, kind: w.kind, heads, updatedAt: opts.at };
		const bytes = w.since && row ? saveSince(w.doc, w.since) : null;
		if (bytes && bytes.length === 0) return;
		await db.views.put({ docId: w.docId, heads, value: w.doc, conflicts: w.conflicts ?? [] });
		if (bytes && row && row.incrementalBytes + bytes.length <= row.snapshotBytes) {
			const key = `${w.docId}|incremental|${headsKey(heads)}`;
			await db.chunks.put({ key, docId: w.docId, kind: 'incremental', bytes });
			this.#see(w.docId, key);
			await db.docs.put({ ...base, snapshotBytes: row.snapshotBytes, incrementalBytes: row.incrementalBytes + bytes.length });
		} else {
			const snapshot = save(w.doc);
			const key = `${w.docId}|snapshot|${headsKey(heads)}`;
			const stale = [...(this.#seen.get(w.docId) ?? [])].filter((k) => k !== key);
			await db.chunks.put({ key, docId: w.docId, kind: 'snapshot', bytes: snapshot });
			await db.chunks.bulkDelete(stale);
			this.#seen.set(w.docId, new Set([key]));
			await db.docs.put({ ...base, snapshotBytes: snapshot.length, incrementalBytes: 0 });
		}
		if (opts.unsynced) {
			const mark = await db.unsynced.get(w.docId);
			// `base`: the register's version, the heads the first unsent change was made on.
			const base = mark ? mark.base : row ? [...(w.since ?? [])] : [];
			await db.unsynced.put({ docId: w.docId, patientId: w.patientId, since: mark?.since ?? opts.at, changes: (mark?.changes ?? 0) + 1, ...(base ? { base } : {}) });
		}
	}

	/**
	 * Replaces each document's chunks with one snapshot stored as is, and drops its view (made when
	 * first opened). Runs inside the caller's transaction over chunks, docs and views; the caller
	 * makes sure no unsent change is overwritten. A whole batch is written with a handful of bulk
	 * requests, not several per document: a fresh device stores a frame of a hundred plans at once.
	 */
	async putSnapshots(snapshots: readonly SnapshotWrite[], at: string): Promise<void> {
		if (!snapshots.length) return;
		const { db } = this;
		const keyOf = (s: SnapshotWrite) => `${s.docId}|snapshot|${headsKey(s.heads)}`;
		const docIds = snapshots.map((s) => s.docId);
		const keep = new Set(snapshots.map(keyOf));
		const old = await db.chunks.where('docId').anyOf(docIds).primaryKeys();
		await db.chunks.bulkDelete(old.filter((k) => !keep.has(k)));
		await db.chunks.bulkPut(snapshots.map((s) => ({ key: keyOf(s), docId: s.docId, kind: 'snapshot' as const, bytes: s.bytes })));
		await db.views.bulkDelete(docIds);
		await db.docs.bulkPut(snapshots.map((s) => ({ docId: s.docId, patientId: s.patientId, kind: s.kind, heads: [...s.heads], updatedAt: at, snapshotBytes: s.bytes.length, incrementalBytes: 0 })));
		for (const s of snapshots) this.#seen.set(s.docId, new Set([keyOf(s)]));
	}

	/** Deletes a document's chunks, row and view, inside the caller's transaction over those tables. */
	async remove(docId: DocumentId): Promise<void> {
		await this.db.chunks.where('docId').equals(docId).delete();
		await this.db.docs.delete(docId);
		await this.db.views.delete(docId);
		this.#seen.delete(docId);
	}
}
