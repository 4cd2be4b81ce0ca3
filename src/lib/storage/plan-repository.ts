import { change, type Doc, getHeads } from '@automerge/automerge/slim';
import { apply, commitMessage, isLogCommand, logTimeOf, type Command } from '$lib/domain/commands';
import { planConflicts, type PlanConflict } from '$lib/domain/conflicts';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type DocumentId, type PatientId } from '$lib/domain/ids';
import { logMonthOf, newMeasureLog } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import { summarize, type PatientSummary } from '$lib/domain/worklist';
import type { DocWrite, LoadProblem, WriteProblem } from './doc-store';
import { conflictsOf, hasFields, type Held } from './repository-core';
import { SetAsideRepository } from './set-aside-repository';

/**
 * A patient's plan with the logs of the recent months, as the plan page shows them: plain values
 * (from the stored views where current), and the paths of stamped fields in conflict.
 */
export type OpenPatient = { plan: Plan; logs: MeasureLog[]; conflicts: PlanConflict[] };
export type OpenResult = { ok: true; value: OpenPatient } | { ok: false; reason: LoadProblem };
/** The patient after a write, or why the write was not made (nothing of it is left, in memory or stored). */
export type WriteResult = { ok: true; value: OpenPatient } | { ok: false; reason: WriteProblem };

/** A row of the patient list: the stored summary plus whether the device holds unsent changes. */
export type PatientListItem = PatientSummary & { unsynced: boolean };

const byName = new Intl.Collator('nb').compare;

/** The options of the Automerge change an operation makes: its time, and the command it is, when it is one. */
function changeOptions(ctx: Context, message: string | undefined): { time: number; message?: string } {
	const time = Math.floor(Date.parse(ctx.at) / 1000);
	return message === undefined ? { time } : { time, message };
}

/**
 * The device's plans: opens patients (plan plus recent logs), applies domain operations as
 * Automerge changes, and stores each change with the list summary and unsynced mark in one
 * transaction. Other tabs learn of changes through a BroadcastChannel; sync with the server
 * goes through the methods of `SyncRepository` and `SetAsideRepository`.
 */
export class PlanRepository extends SetAsideRepository {
	/** The patient list, from summaries alone: no document is loaded. */
	async listPatients(): Promise<PatientListItem[]> {
		const [summaries, unsynced] = await Promise.all([this.db.summaries.toArray(), this.db.unsynced.toArray()]);
		const pending = new Set(unsynced.map((u) => u.patientId));
		// The index sorts by code point (Å before Æ, Ø); the list follows the Norwegian alphabet.
		summaries.sort((a, b) => byName(a.name, b.name));
		return summaries.map((s) => ({ ...s, unsynced: pending.has(s.patientId) }));
	}

	/**
	 * The list rows of these patients only, and those of them with no row any more (purged): what
	 * a list already on screen needs after a change, without reading every summary again.
	 */
	async listPatientsOf(patientIds: readonly PatientId[]): Promise<{ items: PatientListItem[]; gone: PatientId[] }> {
		const ids = [...new Set(patientIds)];
		const [summaries, unsynced] = await Promise.all([this.db.summaries.bulkGet(ids), this.db.unsynced.where('patientId').anyOf(ids).toArray()]);
		const pending = new Set(unsynced.map((u) => u.patientId));
		const items: PatientListItem[] = [];
		const gone: PatientId[] = [];
		summaries.forEach((s, i) => (s ? items.push({ ...s, unsynced: pending.has(s.patientId) }) : gone.push(ids[i]!)));
		return { items, gone };
	}

	/** Opens a patient's plan and the logs of this and last month (by `now`), without parsing what has a current view. */
	async openPatient(patientId: PatientId, now: string): Promise<OpenResult> {
		const plan = await this.read<Plan>(planDocId(patientId));
		if (typeof plan === 'string') return { ok: false, reason: plan };
		// A plan still arriving through sync has no fields yet.
		if (!hasFields('plan', plan.value)) return { ok: false, reason: 'document-incomplete' };
		const logs = await this.recentLogs(patientId, now);
		return { ok: true, value: { plan: plan.value, logs, conflicts: plan.conflicts } };
	}

	/**
	 * Parses the patient's plan ahead of its first edit, so that edit does not wait for it; tells
	 * of stored data too damaged to edit, which a current view would otherwise hide until then.
	 */
	async warm(patientId: PatientId): Promise<LoadProblem | null> {
		const held = await this.get<Plan>(planDocId(patientId));
		return typeof held === 'string' ? held : null;
	}

	/** Runs a write alone (`exclusive`); then the patient as it now stands, or the problem that stopped the write. */
	async #write(patientId: PatientId, ctx: Context, write: () => Promise<WriteProblem | null>): Promise<WriteResult> {
		const problem = await this.exclusive(write);
		return problem ? { ok: false, reason: problem } : this.openPatient(patientId, ctx.at);
	}

	/** Stores the changed held documents with the summary and unsynced marks; on failure none of it is left (`storeHeld`). */
	async #commit(patientId: PatientId, written: [DocumentId, Held<unknown>, 'plan' | 'log'][], plan: Plan, ctx: Context): Promise<WriteProblem | null> {
		const committed = await this.storeHeld(
			written.map(([docId]) => docId),
			async () => {
				const logs = await this.recentLogs(patientId, ctx.at);
				const writes: DocWrite[] = written.map(([docId, held, kind]) => ({
					docId,
					patientId,
					kind,
					doc: held.doc,
					since: held.stored,
					conflicts: conflictsOf(docId, held.doc)
				}));
				await this.store.commit(writes, { summaries: [summarize(plan, logs)], unsynced: true, at: ctx.at });
			}
		);
		if (!committed) return 'write-failed';
		written.forEach(([, held]) => (held.stored = getHeads(held.doc)));
		this.announce([patientId]);
		return null;
	}

	/**
	 * Applies a command as `ctx.by` to the patient's plan, or to the log of the month it is about,
	 * and stores it; the change's message names the command.
	 */
	run(patientId: PatientId, command: Command, ctx: Context): Promise<WriteResult> {
		const message = commitMessage(command);
		if (isLogCommand(command)) return this.changeLog(patientId, logTimeOf(command), ctx, (log) => apply(log, command, ctx), message);
		return this.changePlan(patientId, ctx, (plan) => apply(plan, command, ctx), message);
	}

	/** Applies a domain operation to the patient's plan and stores it; `message` becomes the change's. */
	async changePlan(patientId: PatientId, ctx: Context, op: (plan: Plan) => void, message?: string): Promise<WriteResult> {
		const docId = planDocId(patientId);
		return this.#write(patientId, ctx, async () => {
			const held = await this.getForWrite<Plan>(docId);
			if (typeof held === 'string') return held;
			if (!hasFields('plan', held.doc)) return 'document-incomplete';
			held.doc = change(held.doc, changeOptions(ctx, message), op);
			return this.#commit(patientId, [[docId, held as Held<unknown>, 'plan']], held.doc, ctx);
		});
	}

	/**
	 * Creates a patient's plan on this device (its value made by the caller, with consent recorded
	 * and the creator on the care team), unsynced: the register takes it at the next sync. A plan
	 * the device already holds is opened, never replaced.
	 */
	async createPlan(patientId: PatientId, plan: Plan, ctx: Context): Promise<WriteResult> {
		const docId = planDocId(patientId);
		return this.#write(patientId, ctx, async () => {
			const existing = await this.getForWrite<Plan>(docId);
			if (existing !== 'document-missing') return typeof existing === 'string' ? existing : null;
			const held: Held<unknown> = { doc: genesis(docId, plan), stored: [] };
			this.held.set(docId, held);
			return this.#commit(patientId, [[docId, held, 'plan']], held.doc as Plan, ctx);
		});
	}

	/** Applies an operation to the patient's log for the month of `at`, creating it if needed; `message` becomes the change's. */
	async changeLog(patientId: PatientId, at: string, ctx: Context, op: (log: MeasureLog) => void, message?: string): Promise<WriteResult> {
		return this.#write(patientId, ctx, async () => {
			// The summary needs only the plan's value: recording a visit never waits for the plan to parse.
			const plan = await this.read<Plan>(planDocId(patientId));
			if (typeof plan === 'string') return plan;
			if (!hasFields('plan', plan.value)) return 'document-incomplete';
			const month = logMonthOf(at);
			const docId = logDocId(patientId, month);
			let held = await this.getForWrite<MeasureLog>(docId);
			// A log still arriving through sync starts the same way: its first change is the same genesis.
			if (held === 'document-missing' || (typeof held !== 'string' && getHeads(held.doc).length === 0)) {
				const doc = genesis(docId, newMeasureLog(patientId, month));
				held = { doc, stored: [] };
				this.held.set(docId, held as Held<unknown>);
			}
			if (typeof held === 'string') return held;
			if (!hasFields('log', held.doc)) return 'document-incomplete';
			held.doc = change(held.doc, changeOptions(ctx, message), op);
			return this.#commit(patientId, [[docId, held as Held<unknown>, 'log']], plan.value, ctx);
		});
	}

	/**
	 * Summarizes again, from the stored plan and recent logs, each patient whose stored summary
	 * predates records of outcomes (the list shows those as unknown); returns how many it renewed.
	 * A patient whose plan cannot be read keeps the old summary, shown as unknown still.
	 */
	async renewStaleSummaries(now: string): Promise<number> {
		const renewed = await this.exclusive(async () => {
			const stale = (await this.db.summaries.toArray()).filter((s) => s.records === undefined).map((s) => s.patientId);
			const fresh: PatientSummary[] = [];
			for (const patientId of stale) {
				const summary = await this.summaryOf(patientId, now);
				if (summary) fresh.push(summary);
			}
			if (fresh.length) await this.db.summaries.bulkPut(fresh);
			return fresh.map((s) => s.patientId);
		});
		if (renewed.length) this.announce(renewed);
		return renewed.length;
	}

	/** Stores whole plan documents created elsewhere (tests, benchmarks) as synced, in one transaction. */
	async importPlans(docs: readonly { docId: DocumentId; patientId: PatientId; doc: Doc<Plan> }[], at: string): Promise<void> {
		const writes: DocWrite[] = docs.map((d) => ({ docId: d.docId, patientId: d.patientId, kind: 'plan', doc: d.doc, since: null, conflicts: planConflicts(d.doc) }));
		await this.exclusive(() => this.store.commit(writes, { summaries: docs.map((d) => summarize(d.doc, [])), unsynced: false, at }));
		this.forget(docs.map((d) => d.patientId));
		this.announce(docs.map((d) => d.patientId));
	}
}
