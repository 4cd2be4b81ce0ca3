import { getHeads, merge, type Doc, type Heads } from '@automerge/automerge/slim';
import Dexie from 'dexie';
import { isConflictList, planConflicts, type PlanConflict } from '$lib/domain/conflicts';
import { logDocId, planDocId, type DocumentId, type Month, type PatientId } from '$lib/domain/ids';
import { logMonthOf } from '$lib/domain/measure-log';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { summarize, type PatientSummary } from '$lib/domain/worklist';
import type { DbepDb } from './db';
import { DocStore, type LoadProblem } from './doc-store';

/**
 * Hears which patients' stored data changed; `stored` (when given) holds summaries just stored
 * for some of them, none with unsent changes, so a list on screen need not read those back.
 */
export type ChangeListener = (patientIds: readonly PatientId[], stored?: readonly PatientSummary[]) => void;

/** A parsed document held in memory, and the heads it was at when last stored. */
export type Held<T> = { doc: Doc<T>; stored: Heads };
type Read<T> = { value: T; conflicts: PlanConflict[] };

/** A plan's fields in conflict, with every version; none for a log. */
export function conflictsOf(docId: DocumentId, doc: Doc<unknown>): PlanConflict[] {
	return docId.startsWith('plan:') ? planConflicts(doc as Doc<Plan>) : [];
}

/** True when two sets of heads are the same, in any order. */
export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * True when a document has the fields a page and the summary read. A document received through
 * sync starts from `Automerge.init()` and may briefly hold none.
 */
export function hasFields(kind: 'plan' | 'log', value: unknown): boolean {
	if (!isRecord(value) || value.schema !== 1) return false;
	if (kind === 'log') return isRecord(value.entries);
	return isRecord(value.patient) && isRecord(value.measures) && isRecord(value.careTeam) && isRecord(value.responsible);
}

function previousMonth(month: Month): Month {
	const [y, m] = month.split('-').map(Number) as [number, number];
	return (m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`) as Month;
}

/**
 * What every repository operation builds on: parsed documents held in memory, stored views read
 * without parsing, and change notices to listeners in this tab and (by BroadcastChannel) others.
 */
export abstract class RepositoryCore {
	readonly store: DocStore;
	protected readonly held = new Map<DocumentId, Held<unknown>>();
	/** Views read from IndexedDB, kept while their heads are current: a large plan is cloned out once. */
	readonly #views = new Map<DocumentId, Read<unknown> & { heads: string[] }>();
	readonly #listeners = new Set<ChangeListener>();
	readonly #channel: BroadcastChannel | null;
	/** The tail of this tab's queue of document writes. */
	#writes: Promise<unknown> = Promise.resolve();

	constructor(readonly db: DbepDb) {
		this.store = new DocStore(db);
		this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`dbep-changes:${db.name}`) : null;
		this.#channel?.addEventListener('message', (e: MessageEvent<{ patientIds?: unknown }>) => {
			const ids = Array.isArray(e.data.patientIds) ? (e.data.patientIds as PatientId[]) : [];
			this.forget(ids);
			this.#emit(ids);
		});
	}

	/** Stops hearing other tabs and closes the database (a test's or a benchmark's device going away). */
	close(): void {
		this.#channel?.close();
		this.db.close();
	}

	/** Calls `listener` with the patients whose stored data changed, in this tab or another. */
	subscribe(listener: ChangeListener): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#emit(patientIds: readonly PatientId[], stored?: readonly PatientSummary[]): void {
		for (const l of this.#listeners) l(patientIds, stored);
	}

	/**
	 * Tells listeners here and in other tabs that these patients' stored data changed; `stored`,
	 * the list summaries just stored for those of them with no unsent change, is told in this tab
	 * only (others read them).
	 */
	protected announce(patientIds: readonly PatientId[], stored?: readonly PatientSummary[]): void {
		const ids = [...new Set(patientIds)];
		if (!ids.length) return;
		this.#emit(ids, stored);
		this.#channel?.postMessage({ patientIds: ids });
	}

	/** Drops what this tab holds of the patients' documents, so the next read comes from storage. */
	protected forget(patientIds: readonly PatientId[]): void {
		for (const patientId of patientIds) {
			for (const id of this.held.keys()) if (id.includes(patientId)) this.held.delete(id);
			for (const id of this.#views.keys()) if (id.includes(patientId)) this.#views.delete(id);
		}
	}

	/**
	 * Runs `task` with no other document write of this device running: queued in this tab, and
	 * under a Web Lock across tabs where the platform has them. A write reads a held document,
	 * changes it and stores what changed since it was last stored; two writes interleaving at
	 * their awaits would store one's document over the other's (and compaction could then drop a
	 * change). Tasks must not call `exclusive` themselves.
	 */
	protected exclusive<R>(task: () => Promise<R>): Promise<R> {
		const locks = typeof navigator === 'object' ? navigator.locks : undefined;
		const run = () => (locks ? locks.request(`dbep-writes:${this.db.name}`, task) : task());
		const result = this.#writes.then(run, run);
		this.#writes = result.catch(() => undefined);
		return result;
	}

	/** The held document, else the one loaded from its chunks (then held). */
	protected async get<T>(docId: DocumentId): Promise<Held<T> | LoadProblem> {
		const held = this.held.get(docId) as Held<T> | undefined;
		if (held) return held;
		const loaded = await this.store.load<T>(docId);
		if (!loaded.ok) return loaded.reason;
		// Another read may have loaded and held it meanwhile, and a write may have changed that one.
		const raced = this.held.get(docId) as Held<T> | undefined;
		if (raced) return raced;
		const fresh = { doc: loaded.doc, stored: getHeads(loaded.doc) };
		this.held.set(docId, fresh);
		return fresh;
	}

	/**
	 * The document to write: as `get`, but a held document another tab has stored past since is
	 * first merged with what is stored, so the write builds on every stored change. Call only
	 * inside `exclusive`.
	 */
	protected async getForWrite<T>(docId: DocumentId): Promise<Held<T> | LoadProblem> {
		const held = this.held.get(docId) as Held<T> | undefined;
		if (!held) return this.get<T>(docId);
		const row = await this.db.docs.get(docId);
		if (!row || sameHeads(row.heads, held.stored)) return held;
		const loaded = await this.store.load<T>(docId);
		if (!loaded.ok) return loaded.reason;
		// Held documents carry only stored changes (see `storeHeld`): the merge adds the other tab's.
		const stored = getHeads(loaded.doc);
		held.doc = merge(loaded.doc, held.doc);
		held.stored = stored;
		return held;
	}

	/**
	 * Runs `store`, the transaction storing changes just made to these held documents, and says
	 * whether it committed. `Automerge.change` moves a held document forward in place (the value
	 * before it is outdated and shares its state), so a failed transaction cannot hand the old one
	 * back: the held documents are dropped instead, and the next read or write loads what IndexedDB
	 * holds, which the failed transaction left as it was. A retried write thus stores its change
	 * once, never together with the failed one. Errors that are not storage's own are thrown.
	 */
	protected async storeHeld(docIds: readonly DocumentId[], store: () => Promise<void>): Promise<boolean> {
		try {
			await store();
			return true;
		} catch (error) {
			for (const docId of docIds) this.held.delete(docId);
			if (error instanceof Dexie.DexieError || error instanceof DOMException) return false;
			throw error;
		}
	}

	/**
	 * A document's value for reading: the held document, else its stored view when current, else
	 * the document loaded from its chunks (and its view stored for next time).
	 */
	protected async read<T>(docId: DocumentId): Promise<Read<T> | LoadProblem> {
		const held = this.held.get(docId) as Held<T> | undefined;
		if (held) return { value: held.doc, conflicts: conflictsOf(docId, held.doc) };
		const row = await this.db.docs.get(docId);
		const cached = this.#views.get(docId);
		if (row && cached && sameHeads(row.heads, cached.heads)) return cached as Read<T>;
		const view = row ? await this.db.views.get(docId) : undefined;
		// A view stored by an older version lists conflicts as bare paths: it is read again from the document.
		if (row && view && sameHeads(row.heads, view.heads) && isConflictList(view.conflicts)) {
			this.#views.set(docId, view);
			return { value: view.value as T, conflicts: view.conflicts };
		}
		const loaded = await this.get<T>(docId);
		if (typeof loaded === 'string') return loaded;
		const conflicts = conflictsOf(docId, loaded.doc);
		await this.db.views.put({ docId, heads: getHeads(loaded.doc), value: loaded.doc, conflicts });
		return { value: loaded.doc, conflicts };
	}

	/** The patient's logs of the month of `now` and the one before, leaving out damaged or empty ones. */
	protected async recentLogs(patientId: PatientId, now: string): Promise<MeasureLog[]> {
		const month = logMonthOf(now);
		const logs: MeasureLog[] = [];
		for (const m of [previousMonth(month), month]) {
			const docId = logDocId(patientId, m);
			// A log created by the change being committed is held but not stored yet; it counts too.
			if (!this.held.has(docId) && !(await this.db.docs.get(docId))) continue;
			const read = await this.read<MeasureLog>(docId);
			// A damaged log must not hide the plan: it is left out of the view and the summary.
			if (typeof read !== 'string' && hasFields('log', read.value)) logs.push(read.value);
		}
		return logs;
	}

	/** The patient's list row from the plan and recent logs; null while the plan is missing or empty. */
	protected async summaryOf(patientId: PatientId, now: string): Promise<PatientSummary | null> {
		const plan = await this.read<Plan>(planDocId(patientId));
		if (typeof plan === 'string' || !hasFields('plan', plan.value)) return null;
		return summarize(plan.value, await this.recentLogs(patientId, now));
	}
}
