/**
 * The register's one write path. Whoever writes (a device's sync message, or a command given on
 * the server), a document holding changes beyond the register's copy goes through the same steps,
 * under the document's lock: the role rules, the document's validity, one plan per national ID,
 * then one commit holding the chunks, the patient's summary and the access-log line together.
 * Nothing of a refused change is stored or sent on.
 */
import * as Automerge from '@automerge/automerge';
import { parseDocumentId, planDocId, type DocumentRef } from '$lib/domain/ids';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { documentProblem } from '$lib/domain/schema';
import { breachOf } from '$lib/server/access/rules';
import type { CommitResult, DocumentStore } from '$lib/server/store';
import type { SyncReason } from '$lib/sync/protocol';
import type { Principal } from './access';
import { auditLine, provenanceOf } from './audit';
import { writeFor } from './chunks';
import type { CachedDoc, DocCache } from './doc-cache';
import { errorCode, type SyncLogEvent } from './log';
import { planViewFor } from './plan-view';
import { isLogOf, nextSummary } from './summary';

/** Who is writing and where documents live: what every caller of the write path gives it. */
export type WriteContext = {
	store: DocumentStore;
	cache: DocCache;
	log: (event: SyncLogEvent) => void;
	/** The session the change arrived in (for the log). */
	session: number;
	principal: Principal;
};

/** A change refused (nothing of it stored), or committed: `doc` is then the register's copy. */
export type WriteOutcome = { ok: false; reason: SyncReason; detail: string } | { ok: true; doc: Automerge.Doc<unknown> };

const refuse = (reason: SyncReason, detail: string): WriteOutcome => ({ ok: false, reason, detail });

async function logsOf(ctx: WriteContext, ref: DocumentRef): Promise<MeasureLog[]> {
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
async function planOf(ctx: WriteContext, ref: DocumentRef): Promise<Plan | null> {
	if (ref.kind === 'plan') return null;
	const entry = await ctx.cache.get(planDocId(ref.patientId));
	return entry ? (Automerge.toJS(entry.doc) as Plan) : null;
}

const nationalIdOf = (doc: Automerge.Doc<unknown>): unknown => (doc as { patient?: { nationalId?: unknown } }).patient?.nationalId;

/**
 * A plan given a national ID (made, or edited) that another patient's plan already carries, as a
 * refusal detail; null when the ID is free or unchanged. One person has one plan: a second would
 * take emergency access, the status call and their access-log lines away from the real one.
 */
async function nationalIdTaken(ctx: WriteContext, ref: DocumentRef, doc: Automerge.Doc<unknown>, previous: Automerge.Doc<unknown> | null): Promise<string | null> {
	if (ref.kind !== 'plan') return null;
	const nationalId = nationalIdOf(doc);
	if (typeof nationalId !== 'string' || (previous && nationalIdOf(previous) === nationalId)) return null;
	const holders = await ctx.store.patientsByNationalId(nationalId);
	return holders.some((s) => s.patientId !== ref.patientId) ? 'patient-has-plan: patient/nationalId' : null;
}

const ATTEMPTS = 3;

/**
 * Commits the changes `doc` holds beyond the cached document, with the patient's new summary, on
 * the condition that the store is still at the cached heads. When another process committed
 * first, its chunks are merged in and the commit retried. Returns the committed document, or
 * null when the store refused or failed.
 */
async function commit(ctx: WriteContext, entry: CachedDoc, ref: DocumentRef, received: Automerge.Doc<unknown>): Promise<Automerge.Doc<unknown> | 'unsummarizable' | null> {
	let doc = received;
	let base = Automerge.getHeads(entry.doc);
	// Who changed the plan is logged (and its provenance recorded) in the commit's own transaction: stored with the change, or not at all.
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
			const provenance = provenanceOf(ctx.principal, { docId: entry.docId, patientId: ref.patientId }, ctx.principal.login ?? `sync-${ctx.session}`, Automerge.getChangesMetaSince(doc, Automerge.getHeads(entry.doc)).map((c) => c.hash));
			// A long plan's read model goes with its chunks, so a fresh device's snapshot of it can carry it.
			const view = planViewFor(ref, doc);
			result = await ctx.store.commit(entry.docId, ref.patientId, { ...write, base, audit, provenance, ...(summary ? { summary } : {}), ...(view !== undefined ? { view } : {}) });
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
 * Checks and commits `doc`: the register's copy (`entry`) with the principal's changes applied,
 * on a clone, under the document's lock. On success the cached entry holds `doc`; on refusal
 * `doc` is freed and nothing is stored. The caller tells its devices (fan-out) after a commit.
 */
export async function acceptChange(ctx: WriteContext, entry: CachedDoc, ref: DocumentRef, doc: Automerge.Doc<unknown>): Promise<WriteOutcome> {
	const before = Automerge.getHeads(entry.doc);
	const heads = Automerge.getHeads(doc);
	const breach = ctx.principal.user ? await breachOf(ctx.principal.user, ref, doc, before, heads, () => planOf(ctx, ref), before.length ? entry.doc : undefined) : null;
	// The whole document, whoever wrote: checked on the materialized document (toJS would cost ten times more).
	const invalid = breach ? null : documentProblem(ref, doc);
	const taken = !breach && !invalid ? await nationalIdTaken(ctx, ref, doc, before.length ? entry.doc : null) : null;
	if (breach || invalid || taken) {
		// Nothing of the change is kept: the clone goes, the cached document stays as it was.
		Automerge.free(doc);
		return refuse('change-refused', breach ? `${breach.rule}: ${breach.path}` : invalid ? `document-invalid: ${invalid}` : taken!);
	}
	const stored = await commit(ctx, entry, ref, doc);
	if (stored === 'unsummarizable') return refuse('change-refused', 'document-invalid: the register could not read who may see this plan afterwards');
	if (!stored) return refuse('server-error', 'not stored; send again later');
	return { ok: true, doc: stored };
}
