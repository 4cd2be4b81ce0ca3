import * as Automerge from '@automerge/automerge';
import { parseDocumentId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { User } from '$lib/server/access/users';
import type { AuditEntry, DocHeads, DocumentStore } from '$lib/server/store';
import { decodeClientMessage, encodeMessage, headsHash } from '$lib/sync/protocol';
import type { Ack, ClientMessage, DocMessage, Opened, OutgoingServerMessage, SyncReason } from '$lib/sync/protocol';
import { accessChanged, accessibleDocs, firstExpiry, mayRead, principalFor, type Principal } from './access';
import type { ChangeChecker } from './change-checker';
import type { DocCache } from './doc-cache';
import type { ManifestDigests } from './manifest-digests';
import { carriesChanges } from '$lib/sync/heads';
import { auditLine } from './audit';
import { distinctOpenings, OpeningBudget, OPENING_WINDOW_MS, openingTime } from './openings';
import { applyDocMessage } from './doc-sync';
import { snapshotFrames, splitDocMessages } from './frames';
import { errorCode, type SyncLogEvent } from './log';
import { SyncStates } from './sync-states';

/** What a session shares with its hub. */
export type SessionHost = {
	store: DocumentStore;
	cache: DocCache;
	/** Manifest entries remembered by heads, shared by the hub's sessions. */
	digests: ManifestDigests;
	log: (event: SyncLogEvent) => void;
	maxBadFrames: number;
	/** Checks each incoming sync message against the limits, off the main thread. */
	checker: ChangeChecker;
	/** Tells the other sessions that a document changed. */
	changed(docId: DocumentId, from: Session): void;
	closed(session: Session): void;
};

/**
 * A transport's hooks: `disconnect` is called when the hub ends a session: too many bad frames
 * (1008), or what the user may see changed and the device must say hello again (4001).
 */
export type SyncPeer = {
	remote?: string;
	disconnect?: (code: number, reason: string) => void;
	/**
	 * Resolves when the transport can take more frames (what was sent has mostly left for the
	 * device): a fresh device's snapshots are read and sent a frame at a time as it drains, never
	 * all held in memory at once.
	 */
	writable?: () => Promise<void>;
	/** The user the transport authenticated, if it does. */
	user?: User | null;
	/** Which login the transport authenticated, by a name that opens nothing, for provenance. */
	login?: string;
};

/** Close code telling a device its user's access changed: reconnect and say hello again (a purge may follow). */
export const ACCESS_CHANGED = 4001;

type Hello = Extract<ClientMessage, { type: 'hello' }>;



/**
 * One device's connection: frames are handled strictly one at a time in arrival order, and so
 * are live pushes of other devices' changes, queued behind them.
 */
export class Session {
	#principal: Principal | null = null;
	#states: SyncStates | null = null;
	readonly #held = new Set<DocumentId>();
	readonly #acked = new Map<DocumentId, string>();
	readonly #live = new Set<DocumentId>();
	#badFrames = 0;
	readonly #openings = new OpeningBudget();
	#expiry: ReturnType<typeof setTimeout> | undefined;
	#tail: Promise<void> = Promise.resolve();
	#queued = 0;
	#closed = false;

	constructor(
		readonly id: number,
		readonly send: (frame: Uint8Array) => void,
		readonly peer: SyncPeer,
		readonly host: SessionHost
	) {}

	/** Handles one frame after every earlier one; resolves when it has been handled (never rejects). */
	receive(frame: Uint8Array): Promise<void> {
		return this.#enqueue(() => this.#handle(frame));
	}

	/** Queues a push of a changed document: a sync message if the device holds it, else its snapshot. */
	push(docId: DocumentId): void {
		if (this.#closed || !this.#principal || this.#live.has(docId)) return;
		this.#live.add(docId);
		if (this.#live.size === 1) void this.#enqueue(() => this.#flushLive());
	}

	/** Ends the session: nothing more is sent or handled. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		clearTimeout(this.#expiry);
		this.host.closed(this);
	}

	/** Ends the session because what its user may see changed: the device reconnects, says hello and purges what it lost. */
	#accessChanged(why: string): void {
		if (this.#closed) return;
		this.host.log({ event: 'access-changed', session: this.id, why });
		this.close();
		this.peer.disconnect?.(ACCESS_CHANGED, 'access changed');
	}

	/** Resolves once every queued frame and push has been handled. */
	drained(): Promise<void> {
		return this.#tail;
	}

	/** Whether frames or pushes are queued or being handled. */
	get busy(): boolean {
		return this.#queued > 0;
	}

	#enqueue(task: () => Promise<void>): Promise<void> {
		this.#queued++;
		const run = this.#tail.then(async () => {
			if (this.#closed) return;
			try {
				await task();
			} catch (error) {
				this.host.log({ event: 'task-failed', session: this.id, error: errorCode(error) });
				this.#reply({ type: 'refused', reason: 'server-error', docId: null, detail: 'try again later' });
			}
		}).finally(() => this.#queued--);
		this.#tail = run;
		return run;
	}

	#reply(message: OutgoingServerMessage): void {
		if (!this.#closed) this.send(encodeMessage(message));
	}

	#refuse(reason: SyncReason, docId: DocumentId | null, detail: string, bad: boolean): void {
		this.host.log({ event: 'refused', session: this.id, reason, docId });
		this.#reply({ type: 'refused', reason, docId, detail });
		if (bad && ++this.#badFrames > this.host.maxBadFrames) {
			this.host.log({ event: 'session-dropped', session: this.id, badFrames: this.#badFrames });
			this.close();
			this.peer.disconnect?.(1008, 'too many bad frames');
		}
	}

	async #handle(frame: Uint8Array): Promise<void> {
		const decoded = decodeClientMessage(frame);
		if (!decoded.ok) return this.#refuse(decoded.reason, null, decoded.detail, true);
		const message = decoded.message;
		if (message.type === 'ping') return this.#reply({ type: 'pong' });
		if (message.type === 'hello') return this.#hello(message);
		const principal = this.#principal;
		const states = this.#states;
		if (!principal || !states) return this.#refuse('hello-required', null, 'send hello first', true);
		if (message.type === 'fetch') return this.#fetch(principal, message.docIds);
		if (message.type === 'opened') return this.#opened(principal, message.docs);
		return this.#sync(principal, states, message.docs);
	}

	async #hello(hello: Hello): Promise<void> {
		if (this.#principal && this.#principal.peerId !== hello.peerId) return this.#refuse('message-invalid', null, 'peerId changed', true);
		const principal = await principalFor(this.host.store, hello.peerId, this.peer.user ?? null, this.peer.login);
		this.#principal = principal;
		clearTimeout(this.#expiry);
		const ends = firstExpiry(principal);
		if (ends) this.#expiry = setTimeout(() => this.#accessChanged('emergency access ended'), Math.max(0, Date.parse(ends) - Date.now()) + 50);
		this.#states ??= new SyncStates(this.host.store, hello.peerId, this.host.log);
		const { docs, manifest, digest } = await this.host.digests.visible(principal, () => accessibleDocs(this.host.store, principal));
		docs.forEach((d) => this.#held.add(d.docId));
		if (digest === hello.digest) return this.#reply({ type: 'welcome', upToDate: true, manifest: [] });
		this.#reply({ type: 'welcome', upToDate: false, manifest });
		if (hello.empty) await this.#sendSnapshots(docs);
	}

	/**
	 * Logs plans the device opened by itself (offline, or from its own copy) with the time it
	 * opened them, then tells it which it may forget. A report of a document the user may not see
	 * is refused; one dated in the future or too long ago is logged at the time it arrived; reports
	 * past the session's budget (openings.ts) are left unacknowledged, for later.
	 */
	async #opened(principal: Principal, reports: readonly Opened[]): Promise<void> {
		const now = Date.now();
		const docs = this.#openings.take(reports, now);
		const readable: { docId: DocumentId; patientId: PatientId; at: string }[] = [];
		for (const d of docs) {
			const ref = parseDocumentId(d.docId);
			if (!ref || !mayRead(principal, ref)) {
				this.#refuse('document-forbidden', d.docId, 'not a document this user may read', false);
				continue;
			}
			readable.push({ docId: d.docId, patientId: ref.patientId, at: openingTime(d.at, now) });
		}
		const lines = distinctOpenings(readable, OPENING_WINDOW_MS, this.#openings.lastKept).map((d) => auditLine(principal, d, 'read', 'åpnet på enheten', d.at));
		await this.#audit(lines);
		this.#reply({ type: 'logged', ids: docs.map((d) => d.id) });
	}

	async #fetch(principal: Principal, docIds: readonly DocumentId[]): Promise<void> {
		const wanted = new Set(docIds);
		const patients = [...new Set(docIds.map((id) => parseDocumentId(id)?.patientId).filter((p) => p !== undefined))];
		const docs = (await accessibleDocs(this.host.store, principal, patients)).filter((d) => wanted.has(d.docId));
		const found = new Set(docs.map((d) => d.docId));
		for (const id of wanted) if (!found.has(id)) this.#refuse('document-unknown', id, 'no such document', false);
		// Every fetch is answered by a last `snapshots` frame (`remaining: 0`), even one that finds nothing.
		if (docs.length) await this.#sendSnapshots(docs);
		else this.#reply({ type: 'snapshots', docs: [], summaries: [], remaining: 0 });
	}

	/** Logs reads before sending: a document leaves the register only once its access log line is stored. */
	async #audit(lines: AuditEntry[]): Promise<void> {
		if (lines.length) await this.host.store.appendAudit(lines);
	}

	async #sendSnapshots(docs: readonly DocHeads[]): Promise<void> {
		const principal = this.#principal;
		if (!principal || !docs.length) return;
		await this.#audit(docs.map((d) => auditLine(principal, d, 'read')));
		docs.forEach((d) => this.#held.add(d.docId));
		for await (const frame of snapshotFrames(this.host.store, docs)) {
			await this.peer.writable?.();
			if (this.#closed) return;
			this.#reply(frame);
		}
	}

	async #sync(who: Principal, states: SyncStates, docs: readonly DocMessage[]): Promise<void> {
		const replies: DocMessage[] = [];
		const acks: Ack[] = [];
		const committed: DocumentId[] = [];
		const lines: AuditEntry[] = [];
		let refused = false;
		let principal = who;
		for (const doc of docs) {
			this.#held.add(doc.docId);
			const out = await applyDocMessage({ ...this.host, session: this.id, principal, states }, doc);
			const ref = parseDocumentId(doc.docId);
			// A plan this clinician just created puts them on its care team: they may see it from now on.
			if (ref && out.ok && out.committed && !mayRead(principal, ref) && principal.user) {
				principal = this.#principal = await principalFor(this.host.store, principal.peerId, principal.user, principal.login);
			}
			if (ref && !out.ok && out.reason === 'change-refused') lines.push(auditLine(principal, { docId: doc.docId, patientId: ref.patientId }, 'refused', out.detail));
			if (ref && out.ok && out.reply && carriesChanges(out.reply.message)) lines.push(auditLine(principal, { docId: doc.docId, patientId: ref.patientId }, 'read'));
			if (!out.ok) {
				this.#refuse(out.reason, doc.docId, out.detail, !refused);
				refused = true;
				continue;
			}
			if (out.reply) replies.push(out.reply);
			if (out.committed) committed.push(doc.docId);
			const hash = out.ack && headsHash(out.ack.heads);
			if (out.ack && this.#acked.get(doc.docId) !== hash) {
				acks.push(out.ack);
				this.#acked.set(doc.docId, hash ?? '');
			}
		}
		await this.#audit(lines);
		if (acks.length) this.#reply({ type: 'ack', docs: acks });
		for (const group of splitDocMessages(replies)) this.#reply({ type: 'sync', docs: group });
		for (const docId of committed) this.host.changed(docId, this);
	}

	async #flushLive(): Promise<void> {
		const principal = this.#principal;
		const states = this.#states;
		const ids = [...this.#live];
		this.#live.clear();
		if (!principal || !states) return;
		// A changed plan may change who is on its care team, blocked, or restricted.
		const plans = ids.map(parseDocumentId).filter((ref) => ref?.kind === 'plan').map((ref) => ref!.patientId);
		if (principal.user && plans.length) {
			for (const summary of await this.host.store.summaries(plans)) {
				if (accessChanged(principal, summary)) return this.#accessChanged('care team or privacy choices changed');
			}
		}
		const messages: DocMessage[] = [];
		const fresh: DocHeads[] = [];
		for (const docId of ids) {
			const ref = parseDocumentId(docId);
			if (!ref || !mayRead(principal, ref)) continue;
			if (!this.#held.has(docId)) {
				const entry = await this.host.cache.get(docId);
				if (entry) fresh.push({ docId, patientId: ref.patientId, heads: Automerge.getHeads(entry.doc) });
				continue;
			}
			const state = await states.get(docId);
			const entry = await this.host.cache.get(docId);
			if (!entry) continue;
			const [next, message] = Automerge.generateSyncMessage(entry.doc, state);
			states.set(docId, next);
			if (message) messages.push({ docId, message });
		}
		await this.#audit(messages.filter((m) => carriesChanges(m.message)).map((m) => auditLine(principal, { docId: m.docId, patientId: parseDocumentId(m.docId)!.patientId }, 'read')));
		for (const group of splitDocMessages(messages)) this.#reply({ type: 'sync', docs: group });
		if (fresh.length) await this.#sendSnapshots(fresh);
	}
}
