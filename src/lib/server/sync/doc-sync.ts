import * as Automerge from '@automerge/automerge';
import { parseDocumentId } from '$lib/domain/ids';
import { carriesChanges, holdsHeads } from '$lib/sync/heads';
import type { Ack, DocMessage, SyncReason } from '$lib/sync/protocol';
import { mayChange } from './access';
import { sameHeads } from './chunks';
import type { CachedDoc } from './doc-cache';
import { errorCode } from './log';
import type { SyncStates } from './sync-states';
import { acceptChange, type WriteContext } from './write-path';

/** What one device needs to apply a sync message: the write path's context and its sync states. */
export type DocSyncContext = WriteContext & { states: SyncStates };

/** The result for one document: a refusal, or what to send back (reply, ack) and whether the store changed. */
export type DocOutcome =
	| { ok: false; reason: SyncReason; detail: string }
	| { ok: true; reply: DocMessage | null; ack: Ack | null; committed: boolean };

const refuse = (reason: SyncReason, detail: string): DocOutcome => ({ ok: false, reason, detail });

/**
 * Applies one device's sync message to a document: on a clone, under the document's lock; stores
 * any new changes durably before the cached document is replaced, the sync state persisted and
 * the device's advertised heads acknowledged; then answers with the server's next message.
 * Never throws for a bad message: returns a refusal and stores nothing of it.
 */
export async function applyDocMessage(ctx: DocSyncContext, { docId, message }: DocMessage): Promise<DocOutcome> {
	const ref = parseDocumentId(docId);
	if (!ref) return refuse('message-invalid', 'bad document id');
	if (!(await mayChange(ctx.store, ctx.principal, ref))) return refuse('document-forbidden', 'no write access');
	let advertised: Automerge.Heads;
	let need: Automerge.Heads;
	try {
		({ heads: advertised, need } = Automerge.decodeSyncMessage(message));
	} catch {
		return refuse('sync-message-invalid', 'undecodable sync message');
	}
	return ctx.cache.withLock(docId, async () => {
		let entry: CachedDoc;
		try {
			entry = await ctx.cache.getOrInit(docId, ref.patientId);
		} catch (error) {
			ctx.log({ event: 'load-failed', docId, error: errorCode(error), session: ctx.session });
			return refuse('server-error', 'document unavailable');
		}
		const state = await ctx.states.get(docId);
		const before = Automerge.getHeads(entry.doc);
		const clone = Automerge.clone(entry.doc);
		let received: [Automerge.Doc<unknown>, Automerge.SyncState, null];
		try {
			received = Automerge.receiveSyncMessage(clone, state, message);
		} catch (error) {
			Automerge.free(clone);
			return refuse('sync-message-invalid', error instanceof Error ? error.message.slice(0, 200) : 'not applicable');
		}
		const [doc, next] = received;
		const changed = !sameHeads(before, Automerge.getHeads(doc));
		const offered = changed ? Automerge.getChangesMetaSince(doc, before).map((c) => c.hash) : [];
		// A change refused in this session, sent again or still held (advertised in the heads, or
		// under changes built on it), gets the same answer without being checked again. Asking for
		// it would not do: the device has sent it once, so it answers with its heads only, the
		// server asks again, and the two would repeat themselves forever.
		const again = ctx.states.refusal(docId, [...offered, ...Automerge.getMissingDeps(doc, advertised)]);
		if (again !== undefined) {
			Automerge.free(doc);
			return refuse('change-refused', again);
		}
		if (changed) {
			const accepted = await acceptChange(ctx, entry, ref, doc);
			if (!accepted.ok) {
				// The store failed: the device's sync state is forgotten, so it sends the change again.
				if (accepted.reason === 'server-error') ctx.states.forget(docId);
				else ctx.states.refuse(docId, offered, accepted.detail);
				return accepted;
			}
		}
		if (!changed && entry.stored) ctx.cache.adopt(entry, doc);
		else if (!changed) Automerge.free(doc);
		ctx.states.set(docId, next);
		await ctx.states.persist(docId);
		const ack = entry.stored && advertised.length && holdsHeads(entry.doc, advertised) ? { docId, heads: advertised } : null;
		let [after, reply] = Automerge.generateSyncMessage(entry.doc, next);
		// A device asking again for changes this session already sent lost them (it could not apply
		// them yet, say). Automerge never sends a change twice in a session, so both sides would
		// repeat themselves forever: forget what was sent, and answer afresh.
		if (need.length && holdsHeads(entry.doc, need) && !carriesChanges(reply)) [after, reply] = Automerge.generateSyncMessage(entry.doc, { ...next, sentHashes: {} } as unknown as Automerge.SyncState);
		ctx.states.set(docId, after);
		return { ok: true, reply: reply ? { docId, message: reply } : null, ack, committed: changed };
	});
}
