import * as Automerge from '@automerge/automerge';
import { parseDocumentId } from '$lib/domain/ids';
import { carriesChanges, holdsHeads } from '$lib/sync/heads';
import type { Ack, DocMessage, RefusalRule, SyncReason } from '$lib/sync/protocol';
import { mayChange } from './access';
import type { ChangeCheck, ChangeChecker } from './change-checker';
import { sameHeads } from './chunks';
import type { CachedDoc } from './doc-cache';
import { errorCode } from './log';
import type { SyncStates } from './sync-states';
import { acceptChange, type WriteContext } from './write-path';

/** What one device needs to apply a sync message: the write path's context, its sync states, and the checker of messages. */
export type DocSyncContext = WriteContext & { states: SyncStates; checker: ChangeChecker };

/** The result for one document: a refusal, or what to send back (reply, ack) and whether the store changed. */
export type DocOutcome =
	| { ok: false; reason: SyncReason; detail: string }
	| { ok: true; reply: DocMessage | null; ack: Ack | null; committed: boolean };

const refuse = (reason: SyncReason, detail: string): DocOutcome => ({ ok: false, reason, detail });

const EXCESS_RULES: Record<Exclude<Extract<ChangeCheck, { ok: false }>['excess'], 'undecodable' | 'failed'>, RefusalRule> = { bytes: 'change-too-large', ops: 'change-too-large', time: 'change-too-large', depth: 'nesting-too-deep', sequence: 'text-too-long', string: 'text-too-long' };

/** A message the checker would not pass, as a refusal: a limit is a rule (the device sets its version aside); a failed check is the server's. */
function refusalOf(check: Extract<ChangeCheck, { ok: false }>): DocOutcome {
	if (check.excess === 'undecodable') return refuse('sync-message-invalid', check.detail);
	if (check.excess === 'failed') return refuse('server-error', 'not checked; send again later');
	return refuse('change-refused', `${EXCESS_RULES[check.excess]}: ${check.detail}`);
}

/**
 * Receives a large message a slice of its changes at a time, giving the event loop a turn after
 * each (Automerge applies synchronously, ~3 µs an operation, while other users wait), then the
 * message without its changes, for the sync state. `doc` is spent, freed if this throws.
 */
async function receiveInSlices(doc: Automerge.Doc<unknown>, state: Automerge.SyncState, message: Uint8Array, slices: readonly Uint8Array[][]): Promise<[Automerge.Doc<unknown>, Automerge.SyncState, null]> {
	let next = doc;
	try {
		for (const slice of slices) {
			[next] = Automerge.applyChanges(next, slice);
			await new Promise((resolve) => setImmediate(resolve));
		}
		return Automerge.receiveSyncMessage(next, state, Automerge.encodeSyncMessage({ ...Automerge.decodeSyncMessage(message), changes: [] }));
	} catch (error) {
		Automerge.free(next);
		throw error;
	}
}

/**
 * Applies one device's sync message to a document: on a clone, under the document's lock; stores
 * any new changes durably before the cached document is replaced, the sync state persisted and
 * the device's advertised heads acknowledged; then answers with the server's next message.
 * A message past the limits (change-limits.js) is refused before Automerge touches it here.
 * Never throws for a bad message: returns a refusal and stores nothing of it.
 */
export async function applyDocMessage(ctx: DocSyncContext, { docId, message }: DocMessage): Promise<DocOutcome> {
	const ref = parseDocumentId(docId);
	if (!ref) return refuse('message-invalid', 'bad document id');
	if (!(await mayChange(ctx.store, ctx.principal, ref))) return refuse('document-forbidden', 'no write access');
	// Decoded and held to the limits in a worker: the work it bounds would otherwise be this thread's.
	const checked = await ctx.checker.check(message);
	if (!checked.ok) return refusalOf(checked);
	const { heads: advertised, need } = checked;
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
			received = checked.slices ? await receiveInSlices(clone, state, message, checked.slices) : Automerge.receiveSyncMessage(clone, state, message);
		} catch (error) {
			if (!checked.slices) Automerge.free(clone);
			return refuse('sync-message-invalid', error instanceof Error ? error.message.slice(0, 200) : 'not applicable');
		}
		const [doc, next] = received;
		const changed = !sameHeads(before, Automerge.getHeads(doc));
		if (changed) {
			const accepted = await acceptChange(ctx, entry, ref, doc);
			if (!accepted.ok) {
				// The store failed: the device's sync state is forgotten, so it sends the change again.
				if (accepted.reason === 'server-error') ctx.states.forget(docId);
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
