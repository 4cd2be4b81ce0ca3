import { getHeads, getMissingDeps, init, loadIncremental, save, saveSince, type Doc, type Heads } from '@automerge/automerge/slim';
import type { PlanConflict } from '$lib/domain/conflicts';
import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { digestAfter, headsHash, type ManifestEntry } from '$lib/sync/protocol';
import type { SnapshotView } from '$lib/sync/snapshot-view';
import { chunksOf, type DbepDb, type DocRow, type ViewRow } from './db';

/**
 * The meta row holding the digest of the device's manifest (`manifestDigest` of every doc row)
 * and how many rows there are, kept in step by every write of a doc row, in its transaction.
 * Absent until first computed (`SyncRepository.manifestSummary`): writes then leave it absent.
 */
export const MANIFEST_KEY = 'manifest';
export type ManifestSummary = { digest: string; count: number };
/** A doc row's heads before and after a write (null: no row). */
type RowChange = { docId: DocumentId; before: readonly string[] | null; after: readonly string[] | null };

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

/**
 * A whole saved document as received, stored without parsing: its heads are taken as given, and
 * so is the view the register sent with it (a long plan's), when it is at those heads.
 */
export type SnapshotWrite = { docId: DocumentId; patientId: PatientId; kind: DocRow['kind']; heads: string[]; bytes: Uint8Array; view?: SnapshotView };

/** The view rows to store with these snapshots: only views at exactly their snapshot's heads. */
function viewRowsOf(snapshots: readonly SnapshotWrite[]): ViewRow[] {
	return snapshots.flatMap((s) => (s.view && sameHeadSet(s.view.heads, s.heads) ? [{ docId: s.docId, heads: [...s.heads], value: s.view.value, conflicts: s.view.conflicts }] : []));
}

function sameHeadSet(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

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
		const rows = await chunksOf(this.db, docId).toArray();
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
			await db.transaction('rw', [db.chunks, db.docs, db.summaries, db.unsynced, db.views, db.meta], async () => {
				const changes: RowChange[] = [];
				for (const w of writes) {
					const change = await this.#write(w, opts);
					if (change) changes.push(change);
				}
				await this.#keepManifest(changes);
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

	/** Writes one document; its row's heads before and after, or null when nothing was written. */
	async #write(w: DocWrite, opts: { unsynced: boolean; at: string }): Promise<RowChange | null> {
		const { db } = this;
		const heads = getHeads(w.doc);
		const row = await db.docs.get(w.docId);
		const base = { docId: w.docId, patientId: w.patientId, kind: w.kind, heads, updatedAt: opts.at };
		const bytes = w.since && row ? saveSince(w.doc, w.since) : null;
		if (bytes && bytes.length === 0) return null;
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
		return { docId: w.docId, before: row?.heads ?? null, after: heads };
	}

	/** Moves the manifest's digest and count by `changes`, when it is kept (see `MANIFEST_KEY`). Inside a transaction over docs and meta. */
	async #keepManifest(changes: readonly RowChange[], kept?: ManifestSummary): Promise<void> {
		const summary = kept ?? (await this.manifestSummary());
		if (!summary || !changes.length) return;
		const entry = (docId: DocumentId, heads: readonly string[] | null): ManifestEntry[] => (heads ? [[docId, headsHash(heads)]] : []);
		const added = changes.flatMap((c) => entry(c.docId, c.after));
		const removed = changes.flatMap((c) => entry(c.docId, c.before));
		const value: ManifestSummary = { digest: digestAfter(summary.digest, added, removed), count: summary.count + added.length - removed.length };
		await this.db.meta.put({ key: MANIFEST_KEY, value });
	}

	/** The kept digest and count of the doc rows, or null when none is kept. */
	async manifestSummary(): Promise<ManifestSummary | null> {
		const value = (await this.db.meta.get(MANIFEST_KEY))?.value as Partial<ManifestSummary> | undefined;
		return typeof value?.digest === 'string' && /^[0-9a-f]{64}$/.test(value.digest) && Number.isSafeInteger(value.count) ? { digest: value.digest, count: value.count! } : null;
	}

	/**
	 * Replaces each document's chunks with one snapshot stored as is, and its view with the one sent
	 * with it, or none (then made when first opened). Runs inside the caller's transaction over
	 * chunks, docs, views and meta; the caller makes sure no unsent change is overwritten. A whole batch is written with a handful of bulk
	 * requests, not several per document: a fresh device stores a frame of a hundred plans at once.
	 */
	async putSnapshots(snapshots: readonly SnapshotWrite[], at: string): Promise<void> {
		if (!snapshots.length) return;
		const { db } = this;
		const keyOf = (s: SnapshotWrite) => `${s.docId}|snapshot|${headsKey(s.heads)}`;
		const docIds = snapshots.map((s) => s.docId);
		const keep = new Set(snapshots.map(keyOf));
		// Only a document the device holds has chunks and a view to replace: a fresh device's first
		// sync places no request for them. One key range finds which (a frame's ids are close).
		const wanted = new Set(docIds);
		const sorted = [...wanted].sort();
		const [kept, held] = await Promise.all([
			this.manifestSummary(),
			db.docs.where(':id').between(sorted[0]!, sorted.at(-1)!, true, true).primaryKeys() as Promise<DocumentId[]>
		]);
		const holds = held.filter((id) => wanted.has(id));
		// The rows replaced are read only when a digest is kept and the device holds some of them:
		// never during a fresh device's first sync.
		const before = kept && holds.length ? await db.docs.bulkGet(docIds) : [];
		if (holds.length) {
			const old = (await Promise.all(holds.map((id) => chunksOf(db, id).primaryKeys()))).flat();
			await Promise.all([db.chunks.bulkDelete(old.filter((k) => !keep.has(k))), db.views.bulkDelete(holds)]);
		}
		// The writes go out together: requests in one transaction are carried out in order, without a
		// round trip to the page between them.
		const views = viewRowsOf(snapshots);
		await Promise.all([
			db.chunks.bulkPut(snapshots.map((s) => ({ key: keyOf(s), docId: s.docId, kind: 'snapshot' as const, bytes: s.bytes }))),
			views.length ? db.views.bulkPut(views) : null,
			db.docs.bulkPut(snapshots.map((s) => ({ docId: s.docId, patientId: s.patientId, kind: s.kind, heads: [...s.heads], updatedAt: at, snapshotBytes: s.bytes.length, incrementalBytes: 0 }))),
			kept ? this.#keepManifest(snapshots.map((s, i) => ({ docId: s.docId, before: before[i]?.heads ?? null, after: s.heads })), kept) : null
		]);
		for (const s of snapshots) this.#seen.set(s.docId, new Set([keyOf(s)]));
	}

	/** Deletes a document's chunks, row and view, inside the caller's transaction over those tables and meta. */
	async remove(docId: DocumentId): Promise<void> {
		const row = await this.db.docs.get(docId);
		if (row) await this.#keepManifest([{ docId, before: row.heads, after: null }]);
		await chunksOf(this.db, docId).delete();
		await this.db.docs.delete(docId);
		await this.db.views.delete(docId);
		this.#seen.delete(docId);
	}
}
