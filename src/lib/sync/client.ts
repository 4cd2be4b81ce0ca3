import { parseDocumentId, type DocumentId } from '$lib/domain/ids';
import type { PlanRepository } from '$lib/storage/plan-repository';
import { decodeServerMessage, encodeMessage, PROTOCOL_VERSION, type ClientMessage, type DocMessage, type ServerMessage, type SyncReason } from './protocol';
import { batches, compareManifests, INITIAL_SYNC_STATE, type SyncClientState, type SyncRefusal } from './sync-state';

/** Sends on the connection a task started on; `live()` is false once that connection has ended. */
type Send = ((message: ClientMessage) => void) & { live(): boolean };
type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const MAX_REFUSALS = 20;
/** Snapshot frames stored in one transaction, at most (bytes as received): about four of the register's. */
const BATCH_BYTES = 4 * 1024 * 1024;
/** Global refusals after which this connection cannot go on. */
const FATAL = new Set(['protocol-unsupported', 'hello-required']);
/**
 * Refusals of a document's changes that sending again cannot change: the device's version is set
 * aside (`SetAsideRepository`) and it goes on from the register's. Others (a server error, say)
 * leave the change unsent, to be sent again.
 */
const SET_ASIDE: ReadonlySet<SyncReason> = new Set<SyncReason>(['change-refused', 'document-forbidden']);

/**
 * The device's side of sync, free of any transport: it turns the server's frames into stored
 * changes and replies, strictly one frame at a time (IndexedDB writes sit between receive and
 * reply; only snapshot frames waiting their turn are stored together), following the flow in
 * `protocol.ts`. A test drives it in one process with a server.
 */
export class SyncClient {
	#state: SyncClientState = INITIAL_SYNC_STATE;
	readonly #listeners = new Set<(state: SyncClientState) => void>();
	#queue: Promise<void> = Promise.resolve();
	/** Bumped by every start and stop: work queued for an earlier connection is dropped. */
	#session = 0;
	#send: ((frame: Uint8Array) => void) | null = null;
	#welcomed = false;
	#saidEmpty = false;
	#localQueued = false;
	#fatal = false;
	/** Snapshot frames queued and not yet begun, stored together (`#queueSnapshots`). */
	#batch: { messages: Of<'snapshots'>[]; bytes: number; done: Promise<void> } | null = null;
	/** Snapshot requests (an empty hello, each `fetch`) whose last frame has not yet arrived. */
	#requests = 0;
	/** What the progress line counts: documents held before this connection's fetching began, and all it will hold. */
	#progress: { base: number; arrived: number; total: number } = { base: 0, arrived: 0, total: 0 };
	readonly #fetching = new Set<DocumentId>();
	/** Documents exchanged in this connection that have not yet reached the server's heads. */
	readonly #awaiting = new Set<DocumentId>();
	/** Documents the server is known to hold (listed, sent or acknowledged in this connection). */
	readonly #listed = new Set<DocumentId>();
	/** The documents the device said hello with. */
	#hello: readonly DocumentId[] = [];

	constructor(
		readonly repo: PlanRepository,
		readonly options: { peerId: string }
	) {}

	/** The current state, for the interface. */
	get state(): SyncClientState {
		return this.#state;
	}

	/** Calls `listener` with every new state; returns the function that stops it. */
	subscribe(listener: (state: SyncClientState) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#set(patch: Partial<SyncClientState>): void {
		this.#state = { ...this.#state, ...patch };
		for (const l of this.#listeners) l(this.#state);
	}

	#record(reason: SyncRefusal['reason'], docId: DocumentId | null, detail: string): void {
		const refusal: SyncRefusal = { reason, docId, detail, at: new Date().toISOString() };
		this.#set({ refusals: [...this.#state.refusals, refusal].slice(-MAX_REFUSALS) });
	}

	#enqueue(task: (send: Send) => Promise<void>): Promise<void> {
		// Snapshot frames are joined only while nothing else is queued after them.
		this.#batch = null;
		const session = this.#session;
		const send: Send = Object.assign(
			(m: ClientMessage) => {
				if (session === this.#session) this.#send?.(encodeMessage(m));
			},
			{ live: () => session === this.#session }
		);
		const run = this.#queue.then(async () => {
			if (session !== this.#session || !this.#send) return;
			try {
				await task(send);
			} catch (error) {
				this.#record('storage-failed', null, error instanceof Error ? error.message.slice(0, 200) : String(error));
			}
		});
		this.#queue = run;
		return run;
	}

	/**
	 * Starts an exchange on a new connection: says hello with the digest of what the device holds,
	 * and in the same flight the plans opened since the last sync and the first sync message of
	 * every document holding unsent changes (the server handles frames in order, the hello first):
	 * waiting for the welcome to send them would cost a round trip, and the welcome cannot change
	 * them (a document with unsent changes is synced whatever the server lists, and it decides).
	 */
	start(send: (frame: Uint8Array) => void): Promise<void> {
		this.#session++;
		this.#send = send;
		this.#welcomed = false;
		this.#localQueued = false;
		this.#fatal = false;
		this.#requests = 0;
		this.#progress = { base: 0, arrived: 0, total: 0 };
		this.#fetching.clear();
		this.#awaiting.clear();
		this.#listed.clear();
		this.#set({ phase: 'connecting', progress: null, refusals: [] });
		return this.#enqueue(async (out) => {
			this.repo.beginSync();
			if (!this.#state.lastSyncedAt) this.#set({ lastSyncedAt: await this.repo.lastSyncedAt() });
			// The digest as kept by every write: no document row is read before the hello.
			const [manifest, opened, unsynced] = await Promise.all([this.repo.manifestSummary(), this.repo.openedToReport(), this.repo.unsyncedDocs()]);
			// Read before the hello leaves: all three go out back to back, none waits on the welcome.
			const messages = await this.#generate(unsynced, out);
			this.#saidEmpty = manifest.count === 0;
			out({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: this.options.peerId, digest: manifest.digest, empty: this.#saidEmpty });
			// Plans opened on the device since the last sync go to the register's access log.
			if (opened.length) out({ type: 'opened', docs: opened });
			this.#sendMessages(messages, out);
			// While the hello is on its way: what it listed, which the server holds when it answers `upToDate`.
			this.#hello = await this.repo.docIds();
		});
	}

	/**
	 * Handles one frame from the server, after every frame before it. The frame is decoded as it
	 * arrives, not when its turn comes: a fresh device's frames arrive while earlier ones are being
	 * written, when the page has nothing else to do.
	 */
	receive(frame: Uint8Array): Promise<void> {
		const decoded = decodeServerMessage(frame);
		if (decoded.ok && decoded.message.type === 'snapshots') return this.#queueSnapshots(decoded.message, frame.byteLength);
		return this.#enqueue(async (out) => {
			if (!decoded.ok) return this.#record(decoded.reason, null, decoded.detail);
			const m = decoded.message;
			if (m.type === 'pong') return;
			if (m.type === 'welcome') await this.#welcome(m, out);
			else if (m.type === 'sync') await this.#sync(m, out);
			else if (m.type === 'ack') await this.#ack(m);
			else if (m.type === 'logged') await this.repo.forgetOpened(m.ids);
			// Snapshot frames never come here: `#queueSnapshots` takes them.
			else if (m.type === 'refused') await this.#refused(m, out);
			await this.#settle();
		});
	}

	/** Sends the device's unsent changes after a local change, when the exchange is under way. */
	localChanged(): Promise<void> {
		if (!this.#welcomed || this.#localQueued) return this.#queue;
		this.#localQueued = true;
		return this.#enqueue(async (out) => {
			this.#localQueued = false;
			await this.#sendSync(await this.repo.unsyncedDocs(), out);
			await this.#settle();
		});
	}

	/** Ends the connection's exchange; frames still queued for it are dropped. */
	stop(phase: 'idle' | 'offline' | 'error' = 'idle'): void {
		this.#session++;
		this.#batch = null;
		this.#send = null;
		this.#welcomed = false;
		this.#set({ phase, progress: null });
	}

	async #sendSync(docIds: readonly DocumentId[], out: Send): Promise<void> {
		this.#sendMessages(await this.#generate(docIds, out), out);
	}

	/** The documents' next sync messages; generating marks them sent in the shared sync state, so never for a connection that has ended. */
	async #generate(docIds: readonly DocumentId[], out: Send): Promise<DocMessage[]> {
		return docIds.length && out.live() ? this.repo.generateSyncMessages(docIds, out.live) : [];
	}

	#sendMessages(messages: readonly DocMessage[], out: Send): void {
		for (const m of messages) this.#awaiting.add(m.docId);
		for (const docs of batches(messages, (m) => m.message.byteLength + 64)) out({ type: 'sync', docs });
		if (messages.length) this.#set({ phase: 'syncing' });
	}

	async #welcome(m: Of<'welcome'>, out: Send): Promise<void> {
		this.#welcomed = true;
		this.#set({ phase: 'syncing' });
		const unsynced = new Set(await this.repo.unsyncedDocs());
		// Equal digests: the server holds every document at the device's heads; only lost acks remain.
		for (const docId of m.upToDate ? this.#hello : m.manifest.map(([id]) => id)) this.#listed.add(docId);
		// Documents changed since the hello went out; those sent with it have nothing new to say.
		if (m.upToDate) return this.#sendSync([...unsynced], out);
		const { missing, differing, gone } = compareManifests(await this.repo.manifest(), m.manifest, unsynced);
		if (gone.length) await this.repo.purge(gone);
		for (const docId of missing) this.#fetching.add(docId);
		// A first sync that was cut off goes on from the documents it stored; a later one counts what is new.
		const base = this.#state.lastSyncedAt ? 0 : m.manifest.length - missing.length;
		this.#progress = { base, arrived: 0, total: base + missing.length };
		if (missing.length) this.#showProgress();
		// A device that said `empty` is sent everything without asking.
		if (this.#saidEmpty) this.#requests++;
		else for (const docIds of batches(missing)) this.#fetch(docIds, out);
		await this.#sendSync(differing, out);
	}

	#fetch(docIds: DocumentId[], out: Send): void {
		this.#requests++;
		out({ type: 'fetch', docIds });
	}

	#showProgress(): void {
		const { base, arrived, total } = this.#progress;
		// A single plan fetched again after a refusal, outside any loading, shows no count.
		this.#set({ progress: this.#fetching.size && total > 0 ? { received: Math.min(base + arrived, total), total } : null });
	}

	/**
	 * Queues a snapshot frame, joined to the one queued before it while that has not begun: frames
	 * that arrive while the device is still storing earlier ones are stored in one transaction
	 * (one write lock, one commit, one list update), up to `BATCH_BYTES`.
	 */
	#queueSnapshots(m: Of<'snapshots'>, bytes: number): Promise<void> {
		const open = this.#batch;
		if (open && open.bytes + bytes <= BATCH_BYTES) {
			open.messages.push(m);
			open.bytes += bytes;
			return open.done;
		}
		const messages = [m];
		const done = this.#enqueue(async (out) => {
			if (this.#batch?.messages === messages) this.#batch = null;
			await this.#snapshots(messages, out);
			await this.#settle();
		});
		this.#batch = { messages, bytes, done };
		return done;
	}

	async #snapshots(messages: readonly Of<'snapshots'>[], out: Send): Promise<void> {
		const { kept } = await this.repo.importSnapshots(
			messages.flatMap((m) => m.docs),
			messages.flatMap((m) => m.summaries)
		);
		for (const m of messages) {
			for (const d of m.docs) {
				if (this.#fetching.delete(d.docId)) this.#progress.arrived++;
				this.#listed.add(d.docId);
			}
			// Every request answered: a document listed but not sent (no stored bytes) is not waited for.
			if (m.remaining === 0 && --this.#requests <= 0) this.#fetching.clear();
		}
		this.#showProgress();
		// The device holds unsent changes to these: they meet the server's through sync instead.
		await this.#sendSync(kept, out);
	}

	async #sync(m: Of<'sync'>, out: Send): Promise<void> {
		this.#set({ phase: 'syncing' });
		const applied: DocumentId[] = [];
		for (const { docId, message } of m.docs) {
			const result = await this.repo.applySyncMessage(docId, message);
			if (!result.ok) {
				this.#record(result.reason, docId, '');
				continue;
			}
			applied.push(docId);
			this.#awaiting.add(docId);
		}
		await this.#sendSync(applied, out);
	}

	async #ack(m: Of<'ack'>): Promise<void> {
		for (const { docId, heads } of m.docs) {
			this.#listed.add(docId);
			if (!(await this.repo.markAcked(docId, heads))) continue;
			this.#awaiting.delete(docId);
			const refusals = this.#state.refusals.filter((r) => r.docId !== docId);
			if (refusals.length !== this.#state.refusals.length) this.#set({ refusals });
		}
	}

	async #refused(m: Of<'refused'>, out: Send): Promise<void> {
		if (m.docId && SET_ASIDE.has(m.reason)) {
			// Access ended: the register will not send the document again, and the device must not keep it.
			// One forbidden document (a proxy's visit log, say) ends access to the patient only when the
			// register lists no other document of theirs: a plan set aside and waiting to be fetched again
			// is still theirs to read.
			if (m.reason === 'document-forbidden') this.#listed.delete(m.docId);
			const accessEnded = m.reason === 'document-forbidden' && !this.#listsPatientOf(m.docId);
			const id = await this.repo.setAside(m.docId, { reason: m.reason, detail: m.detail }, { accessEnded });
			if (id !== null) {
				this.#awaiting.delete(m.docId);
				if (!accessEnded && this.#listed.has(m.docId) && out.live()) {
					// Go on from the register's version: the device keeps working on (and syncing) the document.
					this.#fetching.add(m.docId);
					this.#fetch([m.docId], out);
				}
				return;
			}
		}
		this.#record(m.reason, m.docId, m.detail);
		if (m.docId) {
			this.#awaiting.delete(m.docId);
			if (this.#fetching.delete(m.docId)) this.#showProgress();
		} else if (FATAL.has(m.reason)) {
			this.#fatal = true;
			this.#set({ phase: 'error' });
		}
	}

	/** Whether the register listed, in this connection, a document of the same patient as `docId`. */
	#listsPatientOf(docId: DocumentId): boolean {
		const patientId = parseDocumentId(docId)?.patientId;
		return [...this.#listed].some((id) => parseDocumentId(id)?.patientId === patientId);
	}

	/** Up to date when nothing is being fetched or exchanged; synced when every change is acknowledged too. */
	async #settle(): Promise<void> {
		for (const docId of this.#awaiting) if (await this.repo.syncSettled(docId)) this.#awaiting.delete(docId);
		if (!this.#welcomed || this.#fatal || this.#fetching.size || this.#awaiting.size) return;
		const unsynced = await this.repo.unsyncedDocs();
		if (unsynced.length === 0) {
			const at = new Date().toISOString();
			await this.repo.recordSynced(at);
			// After a first sync, the digest is computed from the rows now, not at the next reconnect's hello.
			await this.repo.manifestSummary();
			this.#set({ phase: 'up-to-date', lastSyncedAt: at, progress: null });
		} else {
			const refused = new Set(this.#state.refusals.map((r) => r.docId));
			if (unsynced.every((id) => refused.has(id))) this.#set({ phase: 'error' });
		}
	}
}
