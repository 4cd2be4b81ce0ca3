import * as A from '@automerge/automerge/slim';
import { parseDocumentId, planDocId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { describeChanges } from '$lib/domain/set-aside';
import { holdsHeads } from '$lib/sync/heads';
import type { SyncReason } from '$lib/sync/protocol';
import type { SetAsideRow } from './db';
import { hasFields } from './repository-core';
import { SyncRepository } from './sync-repository';

/** Why the register refused a document, as the device sets it aside. */
export type Refusal = { reason: SyncReason; detail: string; at?: string };

/**
 * Refused versions set aside (DESIGN: "the device puts its refused version aside and continues
 * from the server's version"). Every later change to a document builds on a refused change, so
 * the register could accept none of them: the device's version is moved out of the document
 * store into `setAside`, with what it holds beyond the register's, and the document is then
 * fetched afresh or, when access has ended, left out. Nothing is resent; nothing is lost
 * until the user discards it.
 */
export abstract class SetAsideRepository extends SyncRepository {
	/**
	 * Sets aside the device's unsent version of `docId` and removes the document, in one
	 * transaction. `accessEnded`: the user may no longer hold the patient, so once no document of
	 * theirs is left the list row goes and the whole copies of their documents are dropped,
	 * keeping what was refused as text. Returns the new row's id, or null when the device held no
	 * unsent change to it (nothing of its own to keep) or cannot read it.
	 */
	async setAside(docId: DocumentId, refusal: Refusal, opts: { accessEnded: boolean }): Promise<number | null> {
		const ref = parseDocumentId(docId);
		if (!ref) return null;
		const at = refusal.at ?? new Date().toISOString();
		const { db } = this;
		const id = await this.exclusive(async () => {
			if (!(await db.unsynced.get(docId))) return null;
			const held = await this.getForWrite<unknown>(docId);
			if (typeof held === 'string') return null;
			const row = await this.#rowFor(docId, ref.patientId, ref.kind, held.doc, refusal, at);
			return db.transaction('rw', [db.setAside, db.chunks, db.docs, db.views, db.unsynced, db.syncStates, db.summaries, db.meta], async () => {
				const id = await db.setAside.add(row);
				await this.store.remove(docId);
				await db.unsynced.delete(docId);
				await db.syncStates.delete(docId);
				this.held.delete(docId);
				this.forgetSyncState(docId);
				const left = await db.docs.where('patientId').equals(ref.patientId).count();
				if (left === 0 && opts.accessEnded) {
					await db.summaries.delete(ref.patientId);
					await this.dropCopies([ref.patientId]);
				} else if (left > 0) {
					const summary = await this.summaryOf(ref.patientId, at);
					if (summary) await db.summaries.put(summary);
				}
				// No document left and access kept: the list row stays until the register's copy arrives.
				return id;
			});
		});
		if (id !== null) {
			this.forget([ref.patientId]);
			this.announce([ref.patientId]);
		}
		return id;
	}

	async #rowFor(docId: DocumentId, patientId: PatientId, kind: 'plan' | 'log', doc: A.Doc<unknown>, refusal: Refusal, at: string): Promise<SetAsideRow> {
		const heads = A.getHeads(doc);
		// The register's version: the one the device diverged from, and what both sides held in common since.
		const [mark, state] = await Promise.all([this.db.unsynced.get(docId), this.db.syncStates.get(docId)]);
		const shared = state ? A.decodeSyncState(state.state).sharedHeads : [];
		const base = [...new Set([...(mark?.base ?? []), ...shared])].filter((h) => holdsHeads(doc, [h]));
		const before = base.length ? A.toJS(A.view(doc, base)) : null;
		const paths = A.diff(doc, base, heads).map((p) => p.path);
		const planRead = kind === 'log' ? await this.read<Plan>(planDocId(patientId)) : null;
		const plan = planRead && typeof planRead !== 'string' && hasFields('plan', planRead.value) ? planRead.value : null;
		const value = A.toJS(doc);
		const ownName = kind === 'plan' && hasFields('plan', value) ? (value as Plan).patient.name : null;
		const patientName = (await this.db.summaries.get(patientId))?.name ?? ownName ?? plan?.patient.name ?? null;
		return {
			docId,
			patientId,
			patientName,
			kind,
			reason: refusal.reason,
			detail: refusal.detail.slice(0, 500),
			at,
			heads,
			bytes: A.save(doc),
			changes: describeChanges(kind, before, value, paths, plan)
		};
	}

	/** Every version set aside on this device, oldest first. */
	async setAsideList(): Promise<SetAsideRow[]> {
		return this.db.setAside.orderBy('id').toArray();
	}

	/** Deletes a set-aside version the user has read and no longer wants. */
	async discardSetAside(id: number): Promise<void> {
		const row = await this.db.setAside.get(id);
		await this.db.setAside.delete(id);
		if (row) this.announce([row.patientId]);
	}
}
