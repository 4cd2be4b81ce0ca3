import * as Automerge from '@automerge/automerge';
import { parseDocumentId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { DocumentStore, DocWrite, StoredChunk } from '$lib/server/store';
import { afterWrite, sameHeads, type StoredState } from './chunks';

/**
 * A document held in memory, always equal to what the store has committed (plus changes still
 * waiting for their dependencies). `doc` is freed when replaced: read and use it synchronously,
 * never across an `await`.
 */
export type CachedDoc = StoredState & { readonly docId: DocumentId; readonly patientId: PatientId; doc: Automerge.Doc<unknown>; lastUsed: number };

export type DocCacheOptions = { idleEvictMs: number; maxDocs: number };

const EMPTY: StoredState = { keys: new Set(), snapshotBytes: 0, incrementalBytes: 0, stored: false };

function loadChunks(chunks: readonly StoredChunk[], into: Automerge.Doc<unknown>): Automerge.Doc<unknown> {
	const ordered = [...chunks].sort((a, b) => Number(a.kind !== 'snapshot') - Number(b.kind !== 'snapshot'));
	return ordered.reduce((doc, c) => Automerge.loadIncremental(doc, c.bytes), into);
}

/**
 * The server's documents in memory: loaded from the store on demand, one per id, evicted when idle
 * or beyond `maxDocs` (least recently used first), with one lock per document for changes.
 */
export class DocCache {
	readonly #entries = new Map<DocumentId, CachedDoc>();
	readonly #loading = new Map<DocumentId, Promise<CachedDoc | null>>();
	readonly #locks = new Map<DocumentId, Promise<void>>();
	readonly #timer: ReturnType<typeof setInterval>;

	constructor(
		readonly store: DocumentStore,
		readonly options: DocCacheOptions
	) {
		this.#timer = setInterval(() => this.evictIdle(), Math.max(10, options.idleEvictMs / 2));
		this.#timer.unref();
	}

	/** The document as stored, loaded when not in memory; null when the store has none. Rejects when its chunks do not load. */
	get(docId: DocumentId): Promise<CachedDoc | null> {
		const entry = this.#entries.get(docId);
		if (entry) {
			entry.lastUsed = Date.now();
			return Promise.resolve(entry);
		}
		let loading = this.#loading.get(docId);
		if (!loading) {
			loading = this.#load(docId).finally(() => this.#loading.delete(docId));
			this.#loading.set(docId, loading);
		}
		return loading;
	}

	/** Like `get`, but a document the store lacks starts empty (`Automerge.init`), held only once committed. */
	async getOrInit(docId: DocumentId, patientId: PatientId): Promise<CachedDoc> {
		return (await this.get(docId)) ?? { docId, patientId, doc: Automerge.init(), ...EMPTY, lastUsed: Date.now() };
	}

	/** The document if it is in memory, without loading. */
	peek(docId: DocumentId): CachedDoc | undefined {
		return this.#entries.get(docId);
	}

	/** Runs `work` while holding the document's lock: changes to one document apply one at a time. */
	async withLock<T>(docId: DocumentId, work: () => Promise<T>): Promise<T> {
		const before = this.#locks.get(docId) ?? Promise.resolve();
		let release!: () => void;
		const mine = before.then(() => new Promise<void>((resolve) => (release = resolve)));
		this.#locks.set(docId, mine);
		await before;
		try {
			return await work();
		} finally {
			release();
			if (this.#locks.get(docId) === mine) this.#locks.delete(docId);
		}
	}

	/** Replaces the document after `write` was committed (or, with no write, after changes that wait for dependencies). */
	adopt(entry: CachedDoc, doc: Automerge.Doc<unknown>, write?: DocWrite): void {
		const old = entry.doc;
		Object.assign(entry, write ? afterWrite(entry, write) : {}, { doc, lastUsed: Date.now() });
		if (old !== doc) Automerge.free(old);
		if (entry.stored && !this.#entries.has(entry.docId)) this.#insert(entry);
	}

	/** Merges chunks committed by another process since this one loaded; true when the heads changed. Hold the lock. */
	async refresh(entry: CachedDoc): Promise<boolean> {
		const chunks = await this.store.chunks(entry.docId);
		const unseen = chunks.filter((c) => !entry.keys.has(c.key));
		if (!unseen.length) return false;
		const before = Automerge.getHeads(entry.doc);
		const doc = loadChunks(unseen, Automerge.clone(entry.doc));
		Object.assign(entry, afterWrite(EMPTY, { add: chunks, remove: [] }));
		this.adopt(entry, doc);
		return !sameHeads(before, Automerge.getHeads(doc));
	}

	/** Drops documents idle longer than `idleEvictMs` (never one that is locked). */
	evictIdle(now = Date.now()): void {
		for (const [docId, entry] of this.#entries) {
			if (now - entry.lastUsed > this.options.idleEvictMs && !this.#locks.has(docId)) this.#entries.delete(docId);
		}
	}

	/** How many documents are in memory. */
	get size(): number {
		return this.#entries.size;
	}

	/** Stops the eviction timer and forgets every document. */
	close(): void {
		clearInterval(this.#timer);
		this.#entries.clear();
	}

	async #load(docId: DocumentId): Promise<CachedDoc | null> {
		const chunks = await this.store.chunks(docId);
		if (!chunks.length) return null;
		const existing = this.#entries.get(docId);
		if (existing) return existing;
		const ref = parseDocumentId(docId);
		if (!ref) throw new TypeError(`not a document id: ${docId}`);
		const doc = loadChunks(chunks, Automerge.init());
		const entry: CachedDoc = { docId, patientId: ref.patientId, doc, ...afterWrite(EMPTY, { add: chunks, remove: [] }), lastUsed: Date.now() };
		this.#insert(entry);
		return entry;
	}

	#insert(entry: CachedDoc): void {
		this.#entries.set(entry.docId, entry);
		if (this.#entries.size <= this.options.maxDocs) return;
		// Down to 90 %, so a stream of loads sorts once per tenth of the cache, not once per load.
		const excess = this.#entries.size - Math.floor(this.options.maxDocs * 0.9);
		const idle = [...this.#entries.values()].filter((e) => e !== entry && !this.#locks.has(e.docId)).sort((a, b) => a.lastUsed - b.lastUsed);
		for (const e of idle.slice(0, excess)) this.#entries.delete(e.docId);
	}
}
