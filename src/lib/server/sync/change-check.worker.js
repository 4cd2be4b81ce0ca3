// The sync worker: decodes one document's sync message off the server's main thread and checks
// its changes against the limits (change-limits.js), so a crafted message costs this thread, not
// every user's. Answers each job with what it found and how much memory the thread now holds
// (its heap and Automerge's wasm memory, which never shrinks): the pool replaces a worker that
// grew, or that ran past its time. Plain JS, found beside its pool by URL both under vitest and
// in the built server.
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { decodeSyncMessage, getAllChanges, load } from '@automerge/automerge';
import { checkChanges, isDocumentChunk } from './change-limits.js';

/** Above this many operations the hub applies a message change by change, yielding between (doc-sync.ts). */
const IN_PARTS = 5_000;

/**
 * @param {{ id: number; message: Uint8Array }} job
 * @returns {import('./change-checker').CheckAnswer}
 */
function check({ id, message }) {
	let decoded;
	try {
		decoded = decodeSyncMessage(message);
	} catch {
		return { id, ok: false, excess: 'undecodable', detail: 'undecodable sync message', memory: memory() };
	}
	const result = checkChanges(decoded.changes);
	if (!result.ok) return { id, ...result, memory: memory() };
	const { heads, need } = decoded;
	if (result.ops <= IN_PARTS) return { id, ok: true, heads, need, memory: memory() };
	// A large message goes back as its changes, in order, each within the limit for one change.
	const changes = decoded.changes.flatMap((chunk) => (isDocumentChunk(chunk) ? getAllChanges(load(chunk)) : [chunk]));
	const parts = checkChanges(changes);
	if (!parts.ok) return { id, ...parts, memory: memory() };
	return { id, ok: true, heads, need, parts: { changes, sizes: parts.sizes }, memory: memory() };
}

function memory() {
	const heap = getHeapStatistics();
	return heap.used_heap_size + heap.external_memory;
}

parentPort?.on('message', (job) => parentPort?.postMessage(check(job)));
// Loaded (Automerge's wasm compiled): from now on the pool's time budget counts this thread's work.
parentPort?.postMessage({ ready: true });
