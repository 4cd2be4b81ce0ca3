import * as A from '@automerge/automerge/slim';
import { parseDocumentId, type DocumentId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { holdsHeads } from './heads';
import { summarize } from '$lib/domain/worklist';
import {
	decodeClientMessage,
	encodeMessage,
	headsHash,
	manifestDigest,
	type Ack,
	type ClientMessage,
	type DocMessage,
	type ManifestEntry,
	type ServerMessage,
	type SyncReason
} from './protocol';

/**
 * For tests only: a tiny register written with plain Automerge and `protocol.ts`, not the real
 * server, so the device's client is tested against the contract alone. One device at a time.
 */
export class StandInServer {
	readonly docs = new Map<DocumentId, A.Doc<unknown>>();
	/** Frames for the device, in order. */
	readonly outbox: Uint8Array[] = [];
	/** Every message the device sent, decoded. */
	readonly inbox: ClientMessage[] = [];
	/** Documents the device may not read or change. */
	readonly forbidden = new Set<DocumentId>();
	/** Refuses changes to these documents with this reason. */
	readonly refuse = new Map<DocumentId, SyncReason>();
	/** While true, acks wait in `heldAcks` until released. */
	holdAcks = false;
	readonly heldAcks: Ack[] = [];
	snapshotsPerFrame = 100;
	#states = new Map<DocumentId, A.SyncState>();

	#out(message: ServerMessage): void {
		this.outbox.push(encodeMessage(message));
	}

	manifest(): ManifestEntry[] {
		const held = [...this.docs].filter(([id, doc]) => !this.forbidden.has(id) && A.getHeads(doc).length);
		return held.map(([id, doc]): ManifestEntry => [id, headsHash(A.getHeads(doc))]);
	}

	/** Takes one frame from the device and queues the answers. */
	receive(frame: Uint8Array): void {
		const decoded = decodeClientMessage(frame);
		if (!decoded.ok) return this.#out({ type: 'refused', reason: decoded.reason, docId: null, detail: decoded.detail });
		const m = decoded.message;
		this.inbox.push(m);
		if (m.type === 'ping') return this.#out({ type: 'pong' });
		if (m.type === 'hello') return this.#hello(m.digest, m.empty);
		if (m.type === 'fetch') return this.#snapshots(m.docIds);
		if (m.type === 'opened') return this.#out({ type: 'logged', ids: m.docs.map((d) => d.id) });
		this.#sync(m.docs);
	}

	#hello(digest: string, empty: boolean): void {
		this.#states.clear();
		const manifest = this.manifest();
		const upToDate = digest === manifestDigest(manifest);
		this.#out({ type: 'welcome', upToDate, manifest: upToDate ? [] : manifest });
		if (empty && !upToDate) this.#snapshots(manifest.map(([id]) => id));
	}

	#snapshots(docIds: readonly DocumentId[]): void {
		for (let i = 0; i < docIds.length; i += this.snapshotsPerFrame) {
			const docs = docIds.slice(i, i + this.snapshotsPerFrame).flatMap((docId) => {
				const doc = this.docs.get(docId);
				const ref = parseDocumentId(docId);
				return doc && ref ? [{ docId, patientId: ref.patientId, heads: A.getHeads(doc), bytes: A.save(doc) }] : [];
			});
			const summaries = docs.flatMap((d) => (d.docId.startsWith('plan:') ? [summarize(this.docs.get(d.docId) as A.Doc<Plan>, [])] : []));
			this.#out({ type: 'snapshots', docs, summaries, remaining: Math.max(0, docIds.length - i - this.snapshotsPerFrame) });
		}
	}

	#sync(incoming: readonly DocMessage[]): void {
		const acks: Ack[] = [];
		const touched: DocumentId[] = [];
		for (const { docId, message } of incoming) {
			const reason = this.forbidden.has(docId) ? 'document-forbidden' : this.refuse.get(docId);
			if (reason) {
				this.#out({ type: 'refused', reason, docId, detail: 'stand-in' });
				continue;
			}
			try {
				const [doc, state] = A.receiveSyncMessage(this.docs.get(docId) ?? A.init(), this.#states.get(docId) ?? A.initSyncState(), message);
				this.docs.set(docId, doc);
				this.#states.set(docId, state);
				const { heads } = A.decodeSyncMessage(message);
				if (heads.length && holdsHeads(doc, heads)) acks.push({ docId, heads });
				touched.push(docId);
			} catch {
				this.#out({ type: 'refused', reason: 'sync-message-invalid', docId, detail: 'stand-in' });
			}
		}
		this.push(touched);
		if (this.holdAcks) this.heldAcks.push(...acks);
		else if (acks.length) this.#out({ type: 'ack', docs: acks });
	}

	/** Sends the device sync messages for these documents, when there is something to say. */
	push(docIds: readonly DocumentId[]): void {
		const docs: DocMessage[] = [];
		for (const docId of docIds) {
			const doc = this.docs.get(docId);
			if (!doc) continue;
			const [state, message] = A.generateSyncMessage(doc, this.#states.get(docId) ?? A.initSyncState());
			this.#states.set(docId, state);
			if (message) docs.push({ docId, message });
		}
		if (docs.length) this.#out({ type: 'sync', docs });
	}

	/** Sends the first `count` held acks. */
	releaseAcks(count = this.heldAcks.length): void {
		const docs = this.heldAcks.splice(0, count);
		if (docs.length) this.#out({ type: 'ack', docs });
	}

	/** A change made on the server (another device), pushed to the connected device. */
	change<T>(docId: DocumentId, fn: (doc: T) => void): void {
		const doc = this.docs.get(docId) as A.Doc<T> | undefined;
		if (!doc) throw new Error(`no ${docId}`);
		this.docs.set(docId, A.change(doc, fn) as A.Doc<unknown>);
		this.push([docId]);
	}
}
