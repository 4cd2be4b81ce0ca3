import type { DocumentId } from '$lib/domain/ids';
import type { LoadProblem } from '$lib/storage/doc-store';
import { MAX_DOCS_PER_MESSAGE, type ManifestEntry, type SyncReason } from './protocol';

/** Where sync stands, as the status bar tells it. */
export type SyncPhase = 'idle' | 'connecting' | 'syncing' | 'up-to-date' | 'offline' | 'error';
/** Documents received so far of those a fresh device is loading. */
export type SyncProgress = { received: number; total: number };
/** A problem found on the device while syncing: stored data it could not use, or a failed write. */
export type LocalSyncProblem = LoadProblem | 'storage-failed';
/** Something the server refused, or a frame from it the device could not use. */
export type SyncRefusal = { reason: SyncReason | LocalSyncProblem; docId: DocumentId | null; detail: string; at: string };

/** What the interface shows of sync. */
export type SyncClientState = {
	phase: SyncPhase;
	progress: SyncProgress | null;
	/** When an exchange last ended with nothing left to send and every change acknowledged. */
	lastSyncedAt: string | null;
	/** Newest last; only the latest few are kept. */
	refusals: readonly SyncRefusal[];
};

export const INITIAL_SYNC_STATE: SyncClientState = { phase: 'idle', progress: null, lastSyncedAt: null, refusals: [] };

/** Frames this large at most carry batched sync messages; the server refuses above `MAX_FRAME_BYTES`. */
export const BATCH_BYTES = 4 * 1024 * 1024;

/** Splits items into batches of at most `MAX_DOCS_PER_MESSAGE` and about `maxBytes` (one larger item goes alone). */
export function batches<T>(items: readonly T[], size: (item: T) => number = () => 0, maxBytes = BATCH_BYTES): T[][] {
	const out: T[][] = [];
	let current: T[] = [];
	let bytes = 0;
	for (const item of items) {
		const n = size(item);
		if (current.length && (current.length >= MAX_DOCS_PER_MESSAGE || bytes + n > maxBytes)) {
			out.push(current);
			current = [];
			bytes = 0;
		}
		current.push(item);
		bytes += n;
	}
	if (current.length) out.push(current);
	return out;
}

/** What the device does with each document after the welcome (step 2 of the flow in `protocol.ts`). */
export type ManifestPlan = { missing: DocumentId[]; differing: DocumentId[]; gone: DocumentId[] };

/**
 * Compares the device's manifest with the server's: documents the device lacks are fetched;
 * those whose heads differ, or that hold unsent changes, are synced; those the server no longer
 * lists are purged, unless they hold unsent changes (then they are synced, and the server decides).
 */
export function compareManifests(local: readonly ManifestEntry[], remote: readonly ManifestEntry[], unsynced: ReadonlySet<DocumentId>): ManifestPlan {
	const mine = new Map(local);
	const theirs = new Map(remote);
	const plan: ManifestPlan = { missing: [], differing: [], gone: [] };
	for (const [docId, hash] of theirs) {
		const held = mine.get(docId);
		if (held === undefined) plan.missing.push(docId);
		else if (held !== hash || unsynced.has(docId)) plan.differing.push(docId);
	}
	for (const docId of mine.keys()) if (!theirs.has(docId)) (unsynced.has(docId) ? plan.differing : plan.gone).push(docId);
	return plan;
}
