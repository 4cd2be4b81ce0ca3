import type { PatientId } from '$lib/domain/ids';
import type { DocHeads, DocumentStore } from '$lib/server/store';
import { MAX_DOCS_PER_MESSAGE, type DocMessage, type OutgoingServerMessage, type OutgoingSnapshot } from '$lib/sync/protocol';
import { concatChunks, sameHeads } from './chunks';

/** Frames the server builds aim at this size (one document larger than it travels alone). */
export const FRAME_TARGET_BYTES = 1024 * 1024;
/**
 * The first snapshots frame a device gets is smaller: its first patients are on its list (and
 * searchable) after a tenth of a megabyte, not a whole one.
 */
export const FIRST_FRAME_BYTES = 128 * 1024;
const PARALLEL_READS = 8;

type SnapshotsMessage = Extract<OutgoingServerMessage, { type: 'snapshots' }>;

/**
 * The stored views of these documents that describe exactly the chunks just read: read after
 * them, a view at the heads read before them was committed with those very chunks.
 */
async function viewsAt(store: DocumentStore, docs: readonly DocHeads[]): Promise<Map<string, Uint8Array>> {
	const plans = docs.filter((d) => d.docId.startsWith('plan:'));
	const views = plans.length ? await store.views(plans.map((d) => d.docId)) : [];
	const heads = new Map(plans.map((d) => [d.docId as string, d.heads]));
	return new Map(views.filter((v) => sameHeads(v.heads, heads.get(v.docId) ?? [])).map((v) => [v.docId, v.bytes]));
}

/** Splits sync messages into groups of about `target` bytes each, keeping their order. */
export function splitDocMessages(docs: readonly DocMessage[], target = FRAME_TARGET_BYTES): DocMessage[][] {
	const groups: DocMessage[][] = [];
	let group: DocMessage[] = [];
	let size = 0;
	for (const doc of docs) {
		if (group.length && (group.length >= MAX_DOCS_PER_MESSAGE || size + doc.message.byteLength > target)) {
			groups.push(group);
			group = [];
			size = 0;
		}
		group.push(doc);
		size += doc.message.byteLength;
	}
	if (group.length) groups.push(group);
	return groups;
}

/**
 * The stored documents as `snapshots` frames of about `target` bytes: each document's chunks
 * concatenated (stored, never parsed), with the summaries of the patients it first names;
 * `remaining` counts the documents still to come, 0 in the last frame. Heads must have been read
 * before the chunks, so a document's bytes hold at least its heads (a commit in between only
 * makes the device find more than it was told).
 */
export async function* snapshotFrames(store: DocumentStore, docs: readonly DocHeads[], target = FRAME_TARGET_BYTES): AsyncGenerator<SnapshotsMessage> {
	const named = new Set<PatientId>();
	let batch: OutgoingSnapshot[] = [];
	let size = 0;
	let consumed = 0;
	let frames = 0;
	const flush = async (): Promise<SnapshotsMessage> => {
		const patients = [...new Set(batch.map((d) => d.patientId))].filter((p) => !named.has(p));
		patients.forEach((p) => named.add(p));
		const summaries = patients.length ? await store.summaries(patients) : [];
		const message: SnapshotsMessage = { type: 'snapshots', docs: batch, summaries, remaining: docs.length - consumed };
		batch = [];
		size = 0;
		frames++;
		return message;
	};
	for (let i = 0; i < docs.length; i += PARALLEL_READS) {
		const group = docs.slice(i, i + PARALLEL_READS);
		const chunks = await Promise.all(group.map((d) => store.chunks(d.docId)));
		const views = await viewsAt(store, group);
		for (const [j, d] of group.entries()) {
			const stored = chunks[j] ?? [];
			if (stored.length) {
				const bytes = concatChunks(stored);
				const view = views.get(d.docId);
				const weight = bytes.byteLength + (view?.byteLength ?? 0);
				// A frame is bounded by documents too: a device refuses one of more than MAX_DOCS_PER_MESSAGE
				// (seen: a fresh device holding 1,622 of 10,000 small documents said it was up to date).
				if (batch.length && (batch.length >= MAX_DOCS_PER_MESSAGE || size + weight > (frames ? target : Math.min(target, FIRST_FRAME_BYTES)))) yield await flush();
				batch.push({ docId: d.docId, patientId: d.patientId, heads: [...d.heads], bytes, ...(view ? { view } : {}) });
				size += weight;
			}
			consumed++;
		}
	}
	yield await flush();
}
