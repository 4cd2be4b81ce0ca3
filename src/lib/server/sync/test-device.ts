/**
 * A device stand-in for the hub's tests, written with plain Automerge (not the app's device
 * code): it holds documents in a Map, speaks the protocol through a SyncSession, and answers the
 * server's sync messages itself, as a real device does.
 */
import * as Automerge from '@automerge/automerge';
import type { DocumentId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import {
	decodeServerMessage,
	encodeMessage,
	headsHash,
	manifestDigest,
	PROTOCOL_VERSION,
	type ClientMessage,
	type DocMessage,
	type ManifestEntry,
	type ServerMessage
} from '$lib/sync/protocol';
import type { User } from '$lib/server/access/users';
import type { SyncSession } from './hub';
import type { SyncPeer } from './session';

type Connectable = { connect(send: (frame: Uint8Array) => void, peer?: SyncPeer): SyncSession; idle?(): Promise<boolean> };

export class TestDevice {
	readonly docs = new Map<DocumentId, Automerge.Doc<unknown>>();
	readonly summaries = new Map<string, PatientSummary>();
	readonly acked = new Map<DocumentId, string[]>();
	/** Every message the server sent, in order. */
	readonly inbox: ServerMessage[] = [];
	disconnected = false;
	/** The close code the hub ended the session with (1008 bad frames, 4001 access changed). */
	closeCode: number | null = null;
	#states = new Map<DocumentId, Automerge.SyncState>();
	#session: SyncSession | null = null;
	#hub: Connectable | null = null;
	#outbox: Uint8Array[] = [];
	#inFlight = 0;

	/** `user`: who the transport says is logged in on this device (none: a transport that does not authenticate). */
	constructor(
		readonly peerId: string,
		readonly user: User | null = null
	) {}

	/** Opens a new session (a reconnect forgets in-memory sync states, as a restarted device does). */
	connect(hub: Connectable): this {
		this.#session?.close();
		this.#states.clear();
		this.#outbox.length = 0;
		this.disconnected = false;
		this.closeCode = null;
		const disconnect = (code: number) => {
			this.disconnected = true;
			this.closeCode = code;
		};
		this.#hub = hub;
		this.#session = hub.connect((frame) => this.#onFrame(frame), { disconnect, user: this.user });
		return this;
	}

	/** Closes the session, as a device going offline. */
	disconnect(): void {
		this.#session?.close();
		this.#session = null;
	}

	manifest(): ManifestEntry[] {
		return [...this.docs].map(([id, doc]) => [id, headsHash(Automerge.getHeads(doc))]);
	}

	hello(): void {
		const digest = manifestDigest(this.manifest());
		this.send({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: this.peerId, digest, empty: this.docs.size === 0 });
	}

	/** Sends one batched sync frame for the given documents (default: all it holds). */
	sync(ids: readonly DocumentId[] = [...this.docs.keys()]): void {
		const docs = ids.map((id) => this.#generate(id)).filter((m): m is DocMessage => m !== null);
		if (docs.length) this.send({ type: 'sync', docs });
	}

	change<T>(docId: DocumentId, edit: (d: T) => void): void {
		const doc = this.docs.get(docId) as Automerge.Doc<T> | undefined;
		if (!doc) throw new Error(`device ${this.peerId} lacks ${docId}`);
		this.docs.set(docId, Automerge.change(doc, edit) as Automerge.Doc<unknown>);
	}

	send(message: ClientMessage): void {
		this.sendRaw(encodeMessage(message));
	}

	sendRaw(frame: Uint8Array): void {
		this.#outbox.push(frame);
		setImmediate(() => void this.#pump());
	}

	/**
	 * Waits until this device has sent everything and the hub has handled it, for a few quiet
	 * turns, and until no session of the hub has work left (another device's message may be
	 * waiting on a worker, and its push to this device with it).
	 */
	async settle(quietTurns = 5): Promise<void> {
		for (let round = 0; round < 100; round++) {
			for (let quiet = 0, turns = 0; quiet < quietTurns && turns < 2000; turns++) {
				await this.#pump();
				await new Promise((resolve) => setImmediate(resolve));
				quiet = this.#outbox.length || this.#inFlight ? 0 : quiet + 1;
			}
			if (!(await this.#hub?.idle?.()) && !this.#outbox.length) return;
		}
	}

	/** The messages of one type the server sent. */
	received<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
		return this.inbox.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
	}

	async #pump(): Promise<void> {
		while (this.#outbox.length && this.#session) {
			const frame = this.#outbox.shift() as Uint8Array;
			this.#inFlight++;
			await this.#session.receive(frame).finally(() => this.#inFlight--);
		}
	}

	#generate(docId: DocumentId): DocMessage | null {
		const doc = this.docs.get(docId) ?? Automerge.init();
		const [state, message] = Automerge.generateSyncMessage(doc, this.#states.get(docId) ?? Automerge.initSyncState());
		this.#states.set(docId, state);
		return message ? { docId, message } : null;
	}

	#onFrame(frame: Uint8Array): void {
		const decoded = decodeServerMessage(frame);
		if (!decoded.ok) throw new Error(`device ${this.peerId} got a bad frame: ${decoded.reason}`);
		const message = decoded.message;
		this.inbox.push(message);
		if (message.type === 'snapshots') {
			for (const s of message.docs) {
				const held = this.docs.get(s.docId);
				this.docs.set(s.docId, held ? Automerge.loadIncremental(held, s.bytes) : Automerge.load(s.bytes));
			}
			for (const summary of message.summaries) this.summaries.set(summary.patientId, summary);
		} else if (message.type === 'sync') {
			for (const { docId, message: m } of message.docs) {
				const [doc, state] = Automerge.receiveSyncMessage(this.docs.get(docId) ?? Automerge.init(), this.#states.get(docId) ?? Automerge.initSyncState(), m);
				this.docs.set(docId, doc);
				this.#states.set(docId, state);
			}
			this.sync(message.docs.map((d) => d.docId));
		} else if (message.type === 'ack') {
			for (const a of message.docs) this.acked.set(a.docId, a.heads);
		}
	}
}
