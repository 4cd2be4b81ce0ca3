import * as Automerge from '@automerge/automerge';
import { parseDocumentId, planDocId, type DocumentRef } from '$lib/domain/ids';
import { breachOf } from '$lib/server/access/rules';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import type { CommitResult, DocumentStore } from '$lib/server/store';
import { carriesChanges, holdsHeads } from '$lib/sync/heads';
import type { Ack, DocMessage, SyncReason } from '$lib/sync/protocol';
import { mayChange, summaryByNationalId, type Principal } from './access';
import { sameHeads, writeFor } from './chunks';
import type { CachedDoc, DocCache } from './doc-cache';
import { auditLine } from './audit';
import { errorCode, type SyncLogEvent } from './log';
import { isLogOf, nextSummary } from './summary';
import type { SyncStates } from './sync-states';

/** What one device needs to apply a sync message: where documents live, who it is, its sync states. */
export type DocSyncContext = {
	store: DocumentStore;
	cache: DocCache;
	log: (event: SyncLogEvent) => void;
	session: number;
	principal: Principal;
	states: SyncStates;
};

/** The result for one document: a refusal, or what to send back (reply, ack) and whether the store changed. */
export type DocOutcome =
	| { ok: false; reason: SyncReason; detail: string }
	| { ok: true; reply: DocMessage | null; ack: Ack | null; committed: boolean };

const refuse = (reason: SyncReason, detail: string): DocOutcome => ({ ok: false, reason, detail });

async function logsOf(ctx: DocSyncContext, ref: DocumentRef): Promise<MeasureLog[]> {
	const logs: MeasureLog[] = [];
	for (const { docId } of await ctx.store.manifest([ref.patientId])) {
		const logRef = parseDocumentId(docId);
		if (logRef?.kind !== 'log') continue;
		const entry = await ctx.cache.get(docId);
		// A plain copy: the cached document may be replaced (and freed) once this function returns.
		const value: unknown = entry ? Automerge.toJS(entry.doc) : null;
		if (isLogOf(value, logRef)) logs.push(value);
	}
	return logs;
}

/** The patient's plan as the register holds it, for the rules on log entries; null for a plan. */
async function planOf(ctx: DocSyncContext, ref: DocumentRef): Promise<Plan | null> {
	if (ref.kind === 'plan') return null;
	const entry = await ctx.cache.get(planDocId(ref.patientId));
	return entry ? (Automerge.toJS(entry.doc) as Plan) : null;
}

/**
 * A new plan whose national ID another patient's plan already carries, as a refusal detail; null
 * when the ID is free. One person has one plan: a second would take emergency access, the status
 * call and their access-log lines away from the real one.
 */
async function nationalIdTaken(ctx: DocSyncContext, ref: DocumentRef, doc: Automerge.Doc<unknown>): Promise<string | null> {
	const nationalId = (doc as { patient?: { nationalId?: unknown } }).patient?.nationalId;
	if (typeof nationalId !== 'string') return null;
	const holder = await summaryByNationalId(ctx.store, nationalId);
	return holder && holder.patientId !== ref.patientId ? 'patient-has-plan: patient/nationalId' : null;
}

const ATTEMPTS = 3;

/**
 * Commits the changes `doc` holds beyond the cached document, with the patient's new summary, on
 * the condition that the store is still at the cached heads. When another process committed
 * first, its chunks are merged in and the commit retried. Returns the committed document, or
 * null when the store refused or failed.
 */
async function commit(ctx: DocSyncContext, entry: CachedDoc, ref: DocumentRef, received: Automerge.Doc<unknown>): Promise<Automerge.Doc<unknown> | 'unsummarizable' | null> {
	let doc = received;
	let base = Automerge.getHeads(entry.doc);
	// Who changed the plan is logged in the commit's own transaction: stored with the change, or not at all.
	const audit = [auditLine(ctx.principal, { docId: entry.docId, patientId: ref.patientId }, 'change')];
	for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
		const write = writeFor(entry, doc, Automerge.getHeads(entry.doc));
		const [previous] = await ctx.store.summaries([ref.patientId]);
		const summary = await nextSummary(ref, doc, previous, () => logsOf(ctx, ref));
		if (!summary) {
			ctx.log({ event: 'summary-skipped', docId: entry.docId });
			// Need-to-know is read from the summary: a plan the register cannot summarize would keep
			// serving whoever the stale summary names. Fail closed.
			if (ref.kind === 'plan') return Automerge.free(doc), 'unsummarizable';
		}
		let result: CommitResult;
		try {
			result = await ctx.store.commit(entry.docId, ref.patientId, { ...write, base, audit, ...(summary ? { summary } : {}) });
		} catch (error) {
			ctx.log({ event: 'commit-failed', docId: entry.docId, error: errorCode(error), session: ctx.session });
			return null;
		}
		if (result.ok) {
			ctx.cache.adopt(entry, doc, write);
			return doc;
		}
		await ctx.cache.refresh(entry);
		doc = Automerge.merge(doc, entry.doc);
		base = result.heads;
	}
	ctx.log({ event: 'commit-failed', docId: entry.docId, error: 'stale', session: ctx.session });
	return null;
}

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
		const heads = Automerge.getHeads(doc);
		const changed = !sameHeads(before, heads);
		const breach = changed && ctx.principal.user ? await breachOf(ctx.principal.user, ref, doc, before, heads, () => planOf(ctx, ref)) : null;
		const taken = !breach && changed && ref.kind === 'plan' && !before.length ? await nationalIdTaken(ctx, ref, doc) : null;
		if (breach || taken) {
			// Nothing of the message is kept: the clone goes, the cached document and sync state stay as they were.
			Automerge.free(doc);
			return refuse('change-refused', breach ? `${breach.rule}: ${breach.path}` : taken!);
		}
		const stored = changed ? await commit(ctx, entry, ref, doc) : null;
		if (stored === 'unsummarizable') {
			return refuse('change-refused', 'document-invalid: the register could not read who may see this plan afterwards');
		}
		if (changed && !stored) {
			ctx.states.forget(docId);
			return refuse('server-error', 'not stored; send again later');
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
