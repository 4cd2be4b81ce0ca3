import { change, type Doc, type Heads, getHeads } from '@automerge/automerge/slim';
import { stampedConflicts } from '$lib/domain/conflicts';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type DocumentId, type Month, type PatientId } from '$lib/domain/ids';
import { logMonthOf, newMeasureLog } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import { summarize, type PatientSummary } from '$lib/domain/worklist';
import type { DbepDb } from './db';
import { DocStore, type DocWrite, type LoadProblem } from './doc-store';

/**
 * A patient's plan with the logs of the recent months, as the plan page shows them: plain values
 * (from the stored views where current), and the paths of stamped fields in conflict.
 */
export type OpenPatient = { plan: Plan; logs: MeasureLog[]; conflicts: string[] };
export type OpenResult = { ok: true; value: OpenPatient } | { ok: false; reason: LoadProblem };

/** A row of the patient list: the stored summary plus whether the device holds unsent changes. */
export type PatientListItem = PatientSummary & { unsynced: boolean };

type Held<T> = { doc: Doc<T>; stored: Heads };
type Read<T> = { value: T; conflicts: string[] };

function conflictsOf(docId: DocumentId, doc: Doc<unknown>): string[] {
	return docId.startsWith('plan:') ? stampedConflicts(doc as Doc<Plan>) : [];
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

const byName = new Intl.Collator('nb').compare;

function previousMonth(month: Month): Month {
	const [y, m] = month.split('-').map(Number) as [number, number];
	return (m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`) as Month;
}

function changeTime(ctx: Context): number {
	return Math.floor(Date.parse(ctx.at) / 1000);
}

/**
 * The device's plans: opens patients (plan plus recent logs), applies domain operations as
 * Automerge changes, and stores each change with the list summary and unsynced mark in one
 * transaction. Other tabs learn of changes through a BroadcastChannel.
 */
export class PlanRepository {
	readonly store: DocStore;
	readonly #held = new Map<DocumentId, Held<unknown>>();
	/** Views read from IndexedDB, kept while their heads are current: a large plan is cloned out once. */
	readonly #views = new Map<DocumentId, Read<unknown> & { heads: string[] }>();
	readonly #listeners = new Set<(patientId: PatientId) => void>();
	readonly #channel: BroadcastChannel | null;

	constructor(readonly db: DbepDb) {
		this.store = new DocStore(db);
		this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`dbep-changes:${db.name}`) : null;
		this.#channel?.addEventListener('message', (e: MessageEvent<{ patientId: PatientId }>) => {
			this.#forget(e.data.patientId);
			this.#emit(e.data.patientId);
		});
	}

	/** Calls `listener` with the patient id after every stored change, from this tab or another. */
	subscribe(listener: (patientId: PatientId) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#emit(patientId: PatientId): void {
		for (const l of this.#listeners) l(patientId);
	}

	#forget(patientId: PatientId): void {
		for (const id of this.#held.keys()) if (id.includes(patientId)) this.#held.delete(id);
		for (const id of this.#views.keys()) if (id.includes(patientId)) this.#views.delete(id);
	}

	/** The patient list, from summaries alone: no document is loaded. */
	async listPatients(): Promise<PatientListItem[]> {
		const [summaries, unsynced] = await Promise.all([this.db.summaries.toArray(), this.db.unsynced.toArray()]);
		const pending = new Set(unsynced.map((u) => u.patientId));
		// The index sorts by code point (Å before Æ, Ø); the list follows the Norwegian alphabet.
		summaries.sort((a, b) => byName(a.name, b.name));
		return summaries.map((s) => ({ ...s, unsynced: pending.has(s.patientId) }));
	}

	async #get<T>(docId: DocumentId): Promise<Held<T> | LoadProblem> {
		const held = this.#held.get(docId) as Held<T> | undefined;
		if (held) return held;
		const loaded = await this.store.load<T>(docId);
		if (!loaded.ok) return loaded.reason;
		const fresh = { doc: loaded.doc, stored: getHeads(loaded.doc) };
		this.#held.set(docId, fresh);
		return fresh;
	}

	/**
	 * A document's value for reading: the held document, else its stored view when current, else
	 * the document loaded from its chunks (and its view stored for next time).
	 */
	async #read<T>(docId: DocumentId): Promise<Read<T> | LoadProblem> {
		const held = this.#held.get(docId) as Held<T> | undefined;
		if (held) return { value: held.doc, conflicts: conflictsOf(docId, held.doc) };
		const row = await this.db.docs.get(docId);
		const cached = this.#views.get(docId);
		if (row && cached && sameHeads(row.heads, cached.heads)) return cached as Read<T>;
		const view = row ? await this.db.views.get(docId) : undefined;
		if (row && view && sameHeads(row.heads, view.heads)) {
			this.#views.set(docId, view);
			return { value: view.value as T, conflicts: view.conflicts };
		}
		const loaded = await this.#get<T>(docId);
		if (typeof loaded === 'string') return loaded;
		const conflicts = conflictsOf(docId, loaded.doc);
		await this.db.views.put({ docId, heads: getHeads(loaded.doc), value: loaded.doc, conflicts });
		return { value: loaded.doc, conflicts };
	}

	async #recentLogs(patientId: PatientId, now: string): Promise<MeasureLog[]> {
		const month = logMonthOf(now);
		const logs: MeasureLog[] = [];
		for (const m of [previousMonth(month), month]) {
			const docId = logDocId(patientId, m);
			// A log created by the change being committed is held but not stored yet; it counts too.
			if (!this.#held.has(docId) && !(await this.db.docs.get(docId))) continue;
			const read = await this.#read<MeasureLog>(docId);
			// A damaged log must not hide the plan: it is left out of the view and the summary.
			if (typeof read !== 'string') logs.push(read.value);
		}
		return logs;
	}

	/** Opens a patient's plan and the logs of this and last month (by `now`), without parsing what has a current view. */
	async openPatient(patientId: PatientId, now: string): Promise<OpenResult> {
		const plan = await this.#read<Plan>(planDocId(patientId));
		if (typeof plan === 'string') return { ok: false, reason: plan };
		const logs = await this.#recentLogs(patientId, now);
		return { ok: true, value: { plan: plan.value, logs, conflicts: plan.conflicts } };
	}

	/**
	 * Parses the patient's plan ahead of its first edit, so that edit does not wait for it; tells
	 * of stored data too damaged to edit, which a current view would otherwise hide until then.
	 */
	async warm(patientId: PatientId): Promise<LoadProblem | null> {
		const held = await this.#get<Plan>(planDocId(patientId));
		return typeof held === 'string' ? held : null;
	}

	async #commit(patientId: PatientId, written: [DocumentId, Held<unknown>, DocRowKind][], plan: Plan, ctx: Context): Promise<void> {
		const logs = await this.#recentLogs(patientId, ctx.at);
		const writes: DocWrite[] = written.map(([docId, held, kind]) => ({
			docId,
			patientId,
			kind,
			doc: held.doc,
			since: held.stored,
			conflicts: conflictsOf(docId, held.doc)
		}));
		await this.store.commit(writes, { summaries: [summarize(plan, logs)], unsynced: true, at: ctx.at });
		for (const [, held] of written) held.stored = getHeads(held.doc);
		this.#emit(patientId);
		this.#channel?.postMessage({ patientId });
	}

	/** Applies a domain operation to the patient's plan and stores it. */
	async changePlan(patientId: PatientId, ctx: Context, op: (plan: Plan) => void): Promise<OpenResult> {
		const docId = planDocId(patientId);
		const held = await this.#get<Plan>(docId);
		if (typeof held === 'string') return { ok: false, reason: held };
		held.doc = change(held.doc, { time: changeTime(ctx) }, op);
		await this.#commit(patientId, [[docId, held as Held<unknown>, 'plan']], held.doc, ctx);
		return this.openPatient(patientId, ctx.at);
	}

	/** Applies an operation to the patient's log for the month of `at`, creating it if needed. */
	async changeLog(patientId: PatientId, at: string, ctx: Context, op: (log: MeasureLog) => void): Promise<OpenResult> {
		// The summary needs only the plan's value: recording a visit never waits for the plan to parse.
		const plan = await this.#read<Plan>(planDocId(patientId));
		if (typeof plan === 'string') return { ok: false, reason: plan };
		const month = logMonthOf(at);
		const docId = logDocId(patientId, month);
		let held = await this.#get<MeasureLog>(docId);
		if (held === 'document-missing') {
			const doc = genesis(docId, newMeasureLog(patientId, month));
			held = { doc, stored: [] };
			this.#held.set(docId, held as Held<unknown>);
		}
		if (typeof held === 'string') return { ok: false, reason: held };
		held.doc = change(held.doc, { time: changeTime(ctx) }, op);
		await this.#commit(patientId, [[docId, held as Held<unknown>, 'log']], plan.value, ctx);
		return this.openPatient(patientId, ctx.at);
	}

	/** Stores whole plan documents received or created elsewhere (demo seed, later the server). */
	async importPlans(docs: readonly { docId: DocumentId; patientId: PatientId; doc: Doc<Plan> }[], at: string): Promise<void> {
		const writes: DocWrite[] = docs.map((d) => ({ docId: d.docId, patientId: d.patientId, kind: 'plan', doc: d.doc, since: null, conflicts: stampedConflicts(d.doc) }));
		await this.store.commit(writes, { summaries: docs.map((d) => summarize(d.doc, [])), unsynced: false, at });
	}
}

type DocRowKind = 'plan' | 'log';
