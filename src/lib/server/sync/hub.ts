/**
 * The server side of sync. How it stays correct:
 * - Each session handles its frames (and live pushes) one at a time, in order (session.ts).
 * - Changes to one document apply one at a time across sessions (the cache's per-document lock),
 *   on a clone; the store commits them (conditional on the heads it was computed from, so
 *   processes sharing PostgreSQL merge and retry instead of overwriting) before the cached
 *   document is replaced, the sync state persisted and the device's heads acknowledged.
 * - Every commit the store reports (this process's or another's) is caught up with here: a
 *   document whose stored heads differ from memory is reloaded, and every session hears of it.
 */
import * as Automerge from '@automerge/automerge';
import { parseDocumentId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { DocumentStore } from '$lib/server/store';
import type { Principal } from './access';
import { ChangeChecker, type ChangeCheckerOptions } from './change-checker';
import { chunkOf, sameHeads } from './chunks';
import { runCommand, type CommandOutcome } from './commands';
import { DocCache } from './doc-cache';
import { consoleLog, errorCode, type SyncLogEvent } from './log';
import { ManifestDigests } from './manifest-digests';
import { Session, type SyncPeer } from './session';
import { planViewFor } from './plan-view';
import { nextSummary } from './summary';

export type { SyncLogEvent } from './log';
export type { SyncPeer } from './session';

/** Tuning and reporting: documents leave memory after `idleEvictMs` idle or beyond `maxDocs`; `log` gets every event. */
/** `checker`: options for the hub's own pool of change-checking workers, or a pool it shares and does not close. */
export type SyncHubOptions = { idleEvictMs?: number; maxDocs?: number; maxBadFrames?: number; log?: (event: SyncLogEvent) => void; checker?: ChangeCheckerOptions | ChangeChecker };

/** One device's connection to the hub, whatever carries its frames. */
export type SyncSession = { receive(frame: Uint8Array): Promise<void>; close(): void };

/** A document to seed an empty register with. */
export type SeedDocument = { docId: DocumentId; patientId: PatientId; doc: Automerge.Doc<unknown> };

/**
 * The server side of sync, free of any transport: sessions speak the protocol of
 * `$lib/sync/protocol` over `connect`, documents live in the store and (while used) in memory,
 * and a change from any session or any process reaches every other connected device.
 */
export class SyncHub {
	readonly #store: DocumentStore;
	readonly #cache: DocCache;
	readonly #digests = new ManifestDigests();
	readonly #log: (event: SyncLogEvent) => void;
	readonly #maxBadFrames: number;
	readonly #checker: ChangeChecker;
	readonly #ownsChecker: boolean;
	readonly #sessions = new Set<Session>();
	readonly #unsubscribe: () => void;
	readonly #dirty = new Set<DocumentId>();
	readonly #running = new Set<Promise<unknown>>();
	#catchingUp: Promise<void> | null = null;
	#nextSession = 0;
	#closed = false;

	constructor(store: DocumentStore, options: SyncHubOptions = {}) {
		this.#store = store;
		this.#log = options.log ?? consoleLog;
		this.#maxBadFrames = options.maxBadFrames ?? 20;
		this.#ownsChecker = !(options.checker instanceof ChangeChecker);
		this.#checker = options.checker instanceof ChangeChecker ? options.checker : new ChangeChecker(options.checker).warm();
		this.#cache = new DocCache(store, { idleEvictMs: options.idleEvictMs ?? 60_000, maxDocs: options.maxDocs ?? 500 });
		this.#unsubscribe = store.subscribe((docId) => this.#committed(docId));
	}

	/** Stores each document (snapshot, heads, its patient's summary) when the register holds none; returns how many were stored. */
	async seedIfEmpty(docs: readonly SeedDocument[]): Promise<number> {
		if ((await this.#store.manifest()).length) return 0;
		for (const { docId, patientId, doc } of docs) {
			const ref = parseDocumentId(docId);
			if (ref?.patientId !== patientId) throw new TypeError(`${docId} is not a document of patient ${patientId}`);
			const summary = await nextSummary(ref, doc, undefined, async () => []);
			const view = planViewFor(ref, doc);
			const write = { add: [chunkOf('snapshot', Automerge.save(doc))], remove: [], heads: Automerge.getHeads(doc), ...(view ? { view } : {}) };
			await this.#store.commit(docId, patientId, summary ? { ...write, summary } : write);
		}
		this.#log({ event: 'seeded', docs: docs.length });
		return docs.length;
	}

	/** Opens a session for one device; `send` carries the hub's frames to it. */
	connect(send: (frame: Uint8Array) => void, peer: SyncPeer = {}): SyncSession {
		if (this.#closed) throw new Error('sync hub: closed');
		const session = new Session(++this.#nextSession, send, peer, {
			store: this.#store,
			cache: this.#cache,
			digests: this.#digests,
			log: this.#log,
			maxBadFrames: this.#maxBadFrames,
			checker: this.#checker,
			changed: (docId, from) => this.#changed(docId, from),
			closed: (s) => {
				this.#sessions.delete(s);
				this.#log({ event: 'session-closed', session: s.id });
			}
		});
		this.#sessions.add(session);
		this.#log({ event: 'session-opened', session: session.id });
		return { receive: (frame) => session.receive(frame), close: () => session.close() };
	}

	/**
	 * Runs a command given on the server (unchecked input) for `principal` on a patient's plan or
	 * log, through the write path a device's sync message takes (see `runCommand`); a committed
	 * change reaches every connected device that may see it, as a synced one does. `principal` is
	 * decided for this request (`principalFor`), so a care team changed since is not missed.
	 */
	async run(principal: Principal, patientId: PatientId, command: unknown): Promise<CommandOutcome> {
		if (this.#closed) throw new Error('sync hub: closed');
		const running = runCommand({ store: this.#store, cache: this.#cache, log: this.#log, session: 0, principal }, patientId, command);
		this.#running.add(running);
		try {
			const outcome = await running;
			if (outcome.ok && outcome.changed) this.#changed(outcome.docId, null);
			return outcome;
		} finally {
			this.#running.delete(running);
		}
	}

	/**
	 * Reads a patient's document as the register holds it now (loaded when not in memory): `read`
	 * gets it synchronously and must not keep it (the copy is replaced on the next commit). Null
	 * when the register holds no such document.
	 */
	async read<T>(docId: DocumentId, read: (doc: Automerge.Doc<unknown>) => T): Promise<T | null> {
		if (this.#closed) throw new Error('sync hub: closed');
		const entry = await this.#cache.get(docId);
		return entry && Automerge.getHeads(entry.doc).length ? read(entry.doc) : null;
	}

	/** Tells every session but the one the change came from (none, for a command) that a document changed. */
	#changed(docId: DocumentId, from: Session | null): void {
		this.#digests.committed(docId);
		this.#sessions.forEach((s) => s !== from && s.push(docId));
	}

	/**
	 * Waits until no session has work queued (a message may wait on the change checker's worker,
	 * which no number of event-loop turns measures); true when there was any to wait for.
	 */
	async idle(): Promise<boolean> {
		let waited = false;
		for (let busy = [...this.#sessions].filter((s) => s.busy); busy.length; busy = [...this.#sessions].filter((s) => s.busy)) {
			waited = true;
			await Promise.all(busy.map((s) => s.drained()));
		}
		return waited;
	}

	/** How many sessions are open and documents in memory. */
	get stats(): { sessions: number; docs: number } {
		return { sessions: this.#sessions.size, docs: this.#cache.size };
	}

	/** Closes every session and waits for work in flight (commits and commands finish); the store stays open. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		this.#unsubscribe();
		const sessions = [...this.#sessions];
		const drained = sessions.map((s) => s.drained());
		sessions.forEach((s) => s.close());
		await Promise.all([...drained, ...this.#running, this.#catchingUp]);
		if (this.#ownsChecker) await this.#checker.close();
		this.#cache.close();
	}

	#committed(docId: DocumentId): void {
		if (this.#closed) return;
		this.#digests.committed(docId);
		this.#dirty.add(docId);
		this.#catchingUp ??= this.#catchUpAll().finally(() => {
			this.#catchingUp = null;
			if (this.#dirty.size) this.#committed([...this.#dirty][0] as DocumentId);
		});
	}

	async #catchUpAll(): Promise<void> {
		while (this.#dirty.size && !this.#closed) {
			const ids = [...this.#dirty];
			this.#dirty.clear();
			for (const docId of ids) {
				try {
					if (await this.#catchUp(docId)) this.#sessions.forEach((s) => s.push(docId));
				} catch (error) {
					this.#log({ event: 'refresh-failed', docId, error: errorCode(error) });
				}
			}
		}
	}

	/** Brings a committed document into memory if another process wrote it; true when sessions should hear of it. */
	#catchUp(docId: DocumentId): Promise<boolean> {
		const ref = parseDocumentId(docId);
		if (!ref) return Promise.resolve(false);
		return this.#cache.withLock(docId, async () => {
			const entry = this.#cache.peek(docId);
			if (!entry) return this.#sessions.size > 0;
			const stored = (await this.#store.manifest([ref.patientId])).find((d) => d.docId === docId);
			// Equal heads: this process made the commit (and told its sessions) or nothing is new.
			if (stored && sameHeads(stored.heads, Automerge.getHeads(entry.doc))) return false;
			return this.#cache.refresh(entry);
		});
	}
}
