import * as Automerge from '@automerge/automerge';
import type { DocumentId } from '$lib/domain/ids';
import type { DocumentStore } from '$lib/server/store';
import { errorCode, type SyncLogEvent } from './log';

/**
 * One session's Automerge sync states, per document: decoded from the persisted state on first
 * use (so a reconnect does not start from zero), kept in memory, persisted when they change.
 * Used only from the session's own task queue.
 */
export class SyncStates {
	readonly #states = new Map<DocumentId, Automerge.SyncState>();
	readonly #persisted = new Map<DocumentId, string>();

	constructor(
		readonly store: DocumentStore,
		readonly peerId: string,
		readonly log: (event: SyncLogEvent) => void
	) {}

	/** The state for a document: in memory, else the persisted one, else a fresh one. */
	async get(docId: DocumentId): Promise<Automerge.SyncState> {
		const held = this.#states.get(docId);
		if (held) return held;
		const bytes = await this.store.loadSyncState(this.peerId, docId).catch(() => null);
		let state: Automerge.SyncState;
		try {
			state = bytes ? Automerge.decodeSyncState(bytes) : Automerge.initSyncState();
		} catch {
			state = Automerge.initSyncState();
		}
		if (bytes) this.#persisted.set(docId, Buffer.from(bytes).toString('base64'));
		this.#states.set(docId, state);
		return state;
	}

	/** Holds a document's new state (after generating or receiving a message). */
	set(docId: DocumentId, state: Automerge.SyncState): void {
		this.#states.set(docId, state);
	}

	/** Persists the document's state if its durable part changed; a failure is logged, not thrown (it only costs a longer resync). */
	async persist(docId: DocumentId): Promise<void> {
		const state = this.#states.get(docId);
		if (!state) return;
		const bytes = Automerge.encodeSyncState(state);
		const key = Buffer.from(bytes).toString('base64');
		if (this.#persisted.get(docId) === key) return;
		try {
			await this.store.saveSyncState(this.peerId, docId, bytes);
			this.#persisted.set(docId, key);
		} catch (error) {
			this.log({ event: 'commit-failed', docId, error: errorCode(error) });
		}
	}

	/** Forgets a document's state in memory, so the next use starts again from the persisted one. */
	forget(docId: DocumentId): void {
		this.#states.delete(docId);
		this.#persisted.delete(docId);
	}
}
