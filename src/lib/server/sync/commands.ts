/**
 * A command given on the server (the FHIR API will be one such caller), for a principal: checked
 * for its shape, applied with the domain's one `apply` as the principal to a clone of the
 * register's copy under the document's lock, then through the same write path as a device's sync
 * message (role rules, validation, one commit with summary and access-log line). The hub tells
 * connected devices of a committed change (`SyncHub.run`).
 */
import * as Automerge from '@automerge/automerge';
import { parseCommand } from '$lib/domain/command-schema';
import { apply, commitMessage, documentOf, isLogCommand, type Command } from '$lib/domain/commands';
import { genesis } from '$lib/domain/genesis';
import { parseDocumentId, type DocumentId, type DocumentRef, type PatientId } from '$lib/domain/ids';
import { newMeasureLog } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import { personRefOf } from '$lib/server/access/users';
import type { SyncReason } from '$lib/sync/protocol';
import { mayChange } from './access';
import { auditLine } from './audit';
import { sameHeads } from './chunks';
import type { CachedDoc } from './doc-cache';
import { errorCode } from './log';
import { acceptChange, type WriteContext } from './write-path';

/** A command refused (nothing of it stored), or run: `changed` is false when it changed nothing. */
export type CommandOutcome = { ok: false; reason: SyncReason; detail: string } | { ok: true; docId: DocumentId; changed: boolean };

const refuse = (reason: SyncReason, detail: string): CommandOutcome => ({ ok: false, reason, detail });

/** The document a command starts from: a clone of the register's copy, or a month's log made as every device makes it. */
function startingPoint(entry: CachedDoc, ref: DocumentRef): Automerge.Doc<unknown> {
	if (Automerge.getHeads(entry.doc).length || ref.kind === 'plan') return Automerge.clone(entry.doc);
	return genesis(entry.docId, newMeasureLog(ref.patientId, ref.month));
}

/** The command applied to `doc` in one change named after it, or the reason it could not be. */
function changed(doc: Automerge.Doc<unknown>, command: Command, ctx: Context): Automerge.Doc<unknown> | string {
	const options = { message: commitMessage(command), time: Math.floor(Date.parse(ctx.at) / 1000) };
	try {
		if (isLogCommand(command)) return Automerge.change(doc as Automerge.Doc<MeasureLog>, options, (log) => apply(log, command, ctx));
		return Automerge.change(doc as Automerge.Doc<Plan>, options, (plan) => apply(plan, command, ctx));
	} catch (error) {
		// The operations throw for an item the document lacks: from outside, that is bad input, not a crash.
		Automerge.free(doc);
		return error instanceof Error ? error.message.slice(0, 200) : 'not applicable';
	}
}

/**
 * Runs a command (as yet unchecked input) on a patient's documents for the principal of `ctx`;
 * the document is the plan, or the log of the month the command is about. Never throws for bad
 * input: returns a refusal, and stores nothing of it.
 */
export async function runCommand(ctx: WriteContext, patientId: PatientId, input: unknown): Promise<CommandOutcome> {
	const parsed = parseCommand(input);
	if (!parsed.ok) return refuse('message-invalid', `command-invalid: ${parsed.path || 'command'}: ${parsed.problem}`);
	const { command } = parsed;
	const docId = documentOf(patientId, command);
	const ref = parseDocumentId(docId);
	if (!ref) return refuse('message-invalid', 'bad patient id');
	const { user } = ctx.principal;
	// Every stamp a command writes names its person: a principal without a user has none.
	if (!user) return refuse('document-forbidden', 'a command needs a logged-in user');
	if (!(await mayChange(ctx.store, ctx.principal, ref))) return refuse('document-forbidden', 'no write access');
	const outcome = await ctx.cache.withLock(docId, async (): Promise<CommandOutcome> => {
		let entry: CachedDoc;
		try {
			entry = await ctx.cache.getOrInit(docId, ref.patientId);
		} catch (error) {
			ctx.log({ event: 'load-failed', docId, error: errorCode(error), session: ctx.session });
			return refuse('server-error', 'document unavailable');
		}
		if (ref.kind === 'plan' && !Automerge.getHeads(entry.doc).length) return refuse('document-unknown', 'no such plan');
		const doc = changed(startingPoint(entry, ref), command, { by: personRefOf(user), at: new Date().toISOString() });
		if (typeof doc === 'string') return refuse('message-invalid', `command-not-applicable: ${doc}`);
		if (sameHeads(Automerge.getHeads(doc), Automerge.getHeads(entry.doc))) {
			Automerge.free(doc);
			return { ok: true, docId, changed: false };
		}
		const accepted = await acceptChange(ctx, entry, ref, doc);
		return accepted.ok ? { ok: true, docId, changed: true } : accepted;
	});
	ctx.log({ event: 'command', docId, command: command.type, outcome: outcome.ok ? (outcome.changed ? 'committed' : 'unchanged') : outcome.reason });
	// As for a device's change: a refusal by the rules is a line in the patient's access log.
	if (!outcome.ok && outcome.reason === 'change-refused') await ctx.store.appendAudit([auditLine(ctx.principal, { docId, patientId: ref.patientId }, 'refused', outcome.detail)]);
	return outcome;
}
